"""Plain JSON calls through a kubernetes ``ApiClient``: dicts in, dicts out.

Why not the generated ``CoreV1Api`` models: drain handles hundreds of pods and the pure core wants the REST
camelCase dicts anyway (no model round trip), and the eviction body's apiVersion is chosen at run time
(``policy/v1`` or ``policy/v1beta1``), which the generated ``V1Eviction`` model cannot express.
The ApiClient still does the work that matters: TLS, the bearer token (refreshed for exec plugins), proxies.
"""

import json
import logging
import random
import time
from dataclasses import dataclass

from azext_wasimig.kube.errors import KubeForbidden, KubeNotFound, KubeServiceError, KubeUnauthorized, KubeUnreachable

logger = logging.getLogger(__name__)

# (connect, read) seconds: an unreachable server fails in seconds, not after the OS's TCP timeout.
REQUEST_TIMEOUT = (10, 60)
# What a retry can cure: API Priority and Fairness (429) and a server or its load balancer in trouble (5xx).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# A 410 Expired continue token restarts the list from the beginning, this many times at most.
MAX_LIST_RESTARTS = 3


@dataclass(frozen=True)
class RetryPolicy:
    """How ``call`` retries an idempotent request: at most ``attempts`` tries, and no retry that would start more
    than ``budget`` seconds after the first try. Waits double from ``initial`` up to ``maximum`` (with jitter), or
    are what the server's Retry-After asks, capped at ``retry_after_max``."""
    attempts: int = 5
    budget: float = 45.0
    initial: float = 0.5
    maximum: float = 8.0
    retry_after_max: float = 30.0

    def wait(self, retry, retry_after=None):
        """Seconds to wait before retry number ``retry`` (1, 2, ...)."""
        if retry_after is not None:
            return min(self.retry_after_max, max(0.0, retry_after))
        return min(self.maximum, self.initial * 2 ** (retry - 1)) * random.uniform(0.8, 1.2)


RETRY = RetryPolicy()


def urllib3_retries():
    """The connection pool's own retries: only failed connects, which never reached the server (urllib3's
    default, also for POST). urllib3 never re-sends a request the server may have seen; ``call`` decides that
    (read errors on idempotent requests), so one place counts and spaces the attempts."""
    from urllib3.util.retry import Retry
    return Retry(total=None, connect=3, read=0, redirect=3, status=0, other=0)


class ListError(Exception):
    """A list that paging cannot finish: the server repeats a continue token, or keeps expiring it."""


class KubeApiError(Exception):
    """A non-2xx answer from the API server, with the server's ``Status`` fields at hand.

    The message carries the method, path and the server's own message, never request headers (the token).
    """

    def __init__(self, method, path, status, body=None, headers=None):
        self.method, self.path, self.status = method, path, status
        self.body = body if isinstance(body, dict) else {}
        self.headers = dict(headers or {})
        self.server_message = self.body.get("message") or (body if isinstance(body, str) else "") or ""
        super().__init__(f"{method} {path}: HTTP {status} {self.server_message}".rstrip())

    @property
    def reason(self):
        """The Status ``reason`` (NotFound, Forbidden, TooManyRequests, ...)."""
        return self.body.get("reason") or ""

    @property
    def causes(self):
        return (self.body.get("details") or {}).get("causes") or []

    @property
    def retry_after(self):
        """Seconds the server asked us to wait (Retry-After header or Status details), or None."""
        value = self.headers.get("Retry-After") or self.headers.get("retry-after")
        if value is None:
            value = (self.body.get("details") or {}).get("retryAfterSeconds")
        try:
            return float(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None


def is_idempotent(method, body=None):
    """GET, and a PATCH that carries ``metadata.resourceVersion`` (sent twice, the second is refused with 409
    rather than applied again). POST (evictions) and unconditioned patches are not."""
    if method == "GET":
        return True
    metadata = body.get("metadata") if method == "PATCH" and isinstance(body, dict) else None
    return bool(isinstance(metadata, dict) and metadata.get("resourceVersion"))


def call(api_client, method, path, *, query=None, body=None, timeout=REQUEST_TIMEOUT, content_type=None,
         idempotent=None, retry=RETRY):
    """One request; returns the decoded JSON answer (``{}`` when empty) or raises KubeApiError.

    An idempotent request (``is_idempotent``, or ``idempotent=True`` from a caller that knows, e.g. an access
    review) is retried on 429, 5xx and a dropped connection, as ``retry`` says. Connection failures surface as
    urllib3 exceptions (MaxRetryError, ...); ``describe_connection_error`` words them.
    """
    retryable = is_idempotent(method, body) if idempotent is None else idempotent
    started, attempt = time.monotonic(), 1
    while True:
        try:
            return _call_once(api_client, method, path, query=query, body=body, timeout=timeout,
                              content_type=content_type)
        except Exception as ex:  # pylint: disable=broad-except  # _retry_wait decides; anything else re-raised
            wait = _retry_wait(ex, attempt, time.monotonic() - started, retry) if retryable else None
            if wait is None:
                raise
            logger.info("%s %s: %s; retry %d in %.1f s", method, path, describe_error(ex), attempt, wait)
            time.sleep(wait)
            attempt += 1


def _retry_wait(error, attempt, elapsed, retry):
    """Seconds to wait before trying again after ``error``, or None when it is not to be retried."""
    if attempt >= retry.attempts:
        return None
    if isinstance(error, KubeApiError):
        if error.status not in RETRY_STATUSES:
            return None
        wait = retry.wait(attempt, error.retry_after)
    elif is_dropped_connection(error):
        wait = retry.wait(attempt)
    else:
        return None
    return wait if elapsed + wait <= retry.budget else None


def describe_error(error):
    """A short reason for a failed call: the HTTP status and the server's message, or the connection trouble."""
    if isinstance(error, KubeApiError):
        return f"HTTP {error.status} {error.server_message or error.reason}".strip()
    if isinstance(error, ListError):
        return str(error)
    return describe_connection_error(error)


def is_dropped_connection(error):
    """The connection was reset or closed under a request (the server may have seen it)."""
    import urllib3.exceptions as u3
    reason = getattr(error, "reason", None) if isinstance(error, u3.MaxRetryError) else error
    return isinstance(reason, (u3.ProtocolError, ConnectionResetError, ConnectionAbortedError))


def _call_once(api_client, method, path, *, query, body, timeout, content_type):
    headers = {"Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = content_type or "application/json"
    query_params = [(k, v) for k, v in (query or {}).items() if v is not None]
    _, url, headers, body, _ = api_client.param_serialize(
        method, path, query_params=query_params, header_params=headers, body=body, auth_settings=["BearerToken"])
    response = api_client.call_api(method, url, headers, body, _request_timeout=timeout)
    data = response.read()
    decoded = _decode(data)
    if not 200 <= response.status <= 299:
        raise KubeApiError(method, path, response.status, decoded, response.headers)
    return decoded if isinstance(decoded, dict) else {}


def _decode(data):
    if not data:
        return {}
    try:
        return json.loads(data)
    except ValueError:
        return data.decode("utf-8", "replace")[:500] if isinstance(data, bytes) else str(data)[:500]


def iter_items(api_client, path, query=None, *, on_restart, page_size=500, on_page=None):
    """Yield every item of a list call, one page at a time (``limit`` + ``continue``, like kubectl's chunking),
    so a caller can process a page before the next arrives. ``on_page()`` is called once per request.

    A continue token the server no longer knows (410 Expired: the list took longer than etcd keeps history)
    restarts the list from the beginning, as the API server asks: ``on_restart()`` is called first, and the caller
    drops what it was given so far. A token the server hands out twice would page forever: ListError instead.
    """
    for restart in range(MAX_LIST_RESTARTS + 1):
        try:
            yield from _pages(api_client, path, dict(query or {}, limit=page_size), on_page)
            return
        except _ContinueExpired as expired:
            if restart == MAX_LIST_RESTARTS:
                raise ListError(f"Listing {path} failed: the server expired the continue token (HTTP 410) "
                                f"{MAX_LIST_RESTARTS + 1} times, each time the list restarted.") from expired.error
            logger.info("GET %s: continue token expired (HTTP 410); listing again from the start", path)
            on_restart()


class _ContinueExpired(Exception):
    def __init__(self, error):
        super().__init__(str(error))
        self.error = error


def _pages(api_client, path, query, on_page):
    sent = set()
    while True:
        try:
            answer = call(api_client, "GET", path, query=query)
        except KubeApiError as ex:
            if ex.status == 410 and "continue" in query:
                raise _ContinueExpired(ex) from ex
            raise
        if on_page:
            on_page()
        yield from answer.get("items") or []
        token = (answer.get("metadata") or {}).get("continue")
        if not token:
            return
        if token in sent:
            raise ListError(f"Listing {path} failed: the server sent a continue token it had already sent, so "
                            f"paging would never end (after {len(sent) + 1} pages).")
        sent.add(token)
        query["continue"] = token


def list_all(api_client, path, query=None, page_size=500):
    """Every item of a list call, following ``continue`` tokens (and starting again on 410 Expired)."""
    items = []
    for item in iter_items(api_client, path, query, on_restart=items.clear, page_size=page_size):
        items.append(item)
    return items


def describe_connection_error(error):
    """A short human reason for a failure to talk to the server at all (no URL, no headers)."""
    import urllib3.exceptions as u3
    reason = getattr(error, "reason", None) if isinstance(error, u3.MaxRetryError) else error
    if isinstance(reason, u3.SSLError) or "ssl" in type(reason).__name__.lower():
        return f"TLS failed ({_first_line(reason)})"
    if isinstance(reason, u3.NewConnectionError) and not isinstance(reason, u3.NameResolutionError):
        return "connection refused" if "refused" in str(reason).lower() else "cannot open a connection"
    # subclasses first: NameResolutionError < NewConnectionError < ConnectTimeoutError (urllib3 2)
    fixed = ((u3.NameResolutionError, "the host name does not resolve"),
             (u3.ConnectTimeoutError, "the connection timed out"), (u3.ReadTimeoutError, "no answer in time"),
             (u3.ProtocolError, "the connection was dropped"))
    words = next((text for kind, text in fixed if isinstance(reason, kind)), None)
    if words:
        return words
    if getattr(error, "status", None) == 0:      # kubernetes' ApiException for SSL errors
        return f"TLS failed ({_first_line(getattr(error, 'reason', ''))})"
    return _first_line(reason) or type(error).__name__


def _first_line(value):
    text = str(value or "")
    return text.strip().splitlines()[0][:200] if text.strip() else ""


def api_error(error, what, server, permission=None):
    """The ``kube.errors`` error for a failed call while doing ``what`` (``permission``: the RBAC right a 403
    lacks); ``error`` itself when it is no API, paging or connection failure (a bug stays what it is)."""
    if isinstance(error, ListError):
        return KubeServiceError(f"{error} This happened while {what} on {server}.",
                                recommendation="Run the command again; if it persists, check what sits between here "
                                               "and the API server (a proxy).")
    if isinstance(error, KubeApiError):
        return _status_error(error, what, server, permission)
    if is_connection_error(error):
        return KubeUnreachable(
            f"Cannot reach the Kubernetes API server at {server} while {what}: {describe_connection_error(error)}.",
            recommendation="Check that the cluster is running (az aks show --query powerState) and reachable "
                           "from here (private clusters need a network path or `az aks command invoke`).")
    return error


def _status_error(error, what, server, permission):
    detail = error.server_message or error.reason
    if error.status == 401:
        return KubeUnauthorized(
            f"The API server at {server} rejected the credentials (HTTP 401) while {what}: they are missing, "
            "invalid or expired.",
            recommendation="Run the command again to fetch fresh credentials from Azure; with --kubeconfig, "
                           "refresh that file (az aks get-credentials; for Entra ID: kubelogin remove-tokens).")
    if error.status == 403:
        need = f"It needs permission to {permission}." if permission else "Check its Kubernetes RBAC."
        return KubeForbidden(f"Forbidden while {what}: {detail}",
                             recommendation=f"{need} See `kubectl auth can-i --list` for what the identity may do.")
    if error.status == 404:
        return KubeNotFound(f"Not found while {what}: {detail}")
    return KubeServiceError(f"The API server answered HTTP {error.status} while {what}: {detail}")


def raise_api_error(error, what, server, permission=None):
    """Raise ``api_error`` of an API, paging or connection failure; anything else (a bug) as it is."""
    mapped = api_error(error, what, server, permission)
    if mapped is error:
        raise error
    raise mapped from error


def is_connection_error(error):
    import urllib3.exceptions as u3
    return isinstance(error, (u3.HTTPError, ConnectionError, TimeoutError)) or getattr(error, "status", None) == 0
