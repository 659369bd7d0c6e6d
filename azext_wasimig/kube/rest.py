"""Plain JSON calls through a kubernetes ``ApiClient``: dicts in, dicts out.

Why not the generated ``CoreV1Api`` models: drain handles hundreds of pods and the pure core wants the REST
camelCase dicts anyway (no model round trip), and the eviction body's apiVersion is chosen at run time
(``policy/v1`` or ``policy/v1beta1``), which the generated ``V1Eviction`` model cannot express.
The ApiClient still does the work that matters: TLS, the bearer token (refreshed for exec plugins), proxies.
"""

import json

# (connect, read) seconds: an unreachable server fails in seconds, not after the OS's TCP timeout.
REQUEST_TIMEOUT = (10, 60)


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


def call(api_client, method, path, query=None, body=None, timeout=REQUEST_TIMEOUT, content_type=None):
    """One request; returns the decoded JSON answer (``{}`` when empty) or raises KubeApiError.

    Connection failures surface as urllib3 exceptions (MaxRetryError, ...); ``connect.describe_connection_error``
    turns them into a message naming the server.
    """
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


def iter_items(api_client, path, query=None, page_size=500, on_page=None):
    """Yield every item of a list call, one page at a time (``limit`` + ``continue``, like kubectl's chunking),
    so a caller can process a page before the next arrives. ``on_page()`` is called once per request."""
    query = dict(query or {}, limit=page_size)
    while True:
        answer = call(api_client, "GET", path, query=query)
        if on_page:
            on_page()
        yield from answer.get("items") or []
        token = (answer.get("metadata") or {}).get("continue")
        if not token:
            return
        query["continue"] = token


def list_all(api_client, path, query=None, page_size=500):
    """Every item of a list call, following ``continue`` tokens."""
    return list(iter_items(api_client, path, query, page_size))


def describe_connection_error(error):
    """A short human reason for a failure to talk to the server at all (no URL, no headers)."""
    import urllib3.exceptions as u3
    reason = getattr(error, "reason", None) if isinstance(error, u3.MaxRetryError) else error
    # subclasses first: NameResolutionError < NewConnectionError < ConnectTimeoutError (urllib3 2)
    if isinstance(reason, u3.NameResolutionError):
        return "the host name does not resolve"
    if isinstance(reason, u3.NewConnectionError):
        return "connection refused" if "refused" in str(reason).lower() else "cannot open a connection"
    if isinstance(reason, u3.ConnectTimeoutError):
        return "the connection timed out"
    if isinstance(reason, u3.SSLError) or "ssl" in type(reason).__name__.lower():
        return f"TLS failed ({_first_line(reason)})"
    if isinstance(reason, u3.ReadTimeoutError):
        return "no answer in time"
    if isinstance(reason, u3.ProtocolError):
        return "the connection was dropped"
    if getattr(error, "status", None) == 0:      # kubernetes' ApiException for SSL errors
        return f"TLS failed ({_first_line(getattr(error, 'reason', ''))})"
    return _first_line(reason) or type(error).__name__


def _first_line(value):
    text = str(value or "")
    return text.strip().splitlines()[0][:200] if text.strip() else ""


def as_cli_error(error, what, server, permission=None):
    """An azclierror for a failed call while doing ``what``; ``permission`` names the RBAC right a 403 lacks."""
    from azure.cli.core import azclierror
    if not isinstance(error, KubeApiError):
        if is_connection_error(error):
            return azclierror.AzureConnectionError(
                f"Cannot reach the Kubernetes API server at {server} while {what}: {describe_connection_error(error)}.",
                recommendation="Check that the cluster is running (az aks show --query powerState) and reachable "
                               "from here (private clusters need a network path or `az aks command invoke`).")
        return error
    detail = error.server_message or error.reason
    if error.status == 401:
        return azclierror.UnauthorizedError(
            f"The API server at {server} rejected the credentials (HTTP 401) while {what}: they are missing, "
            "invalid or expired.",
            recommendation="Run the command again to fetch fresh credentials from Azure; with --kubeconfig, "
                           "refresh that file (az aks get-credentials; for Entra ID: kubelogin remove-tokens).")
    if error.status == 403:
        need = f"It needs permission to {permission}." if permission else "Check its Kubernetes RBAC."
        return azclierror.ForbiddenError(
            f"Forbidden while {what}: {detail}",
            recommendation=f"{need} See `kubectl auth can-i --list` for what the identity may do.")
    if error.status == 404:
        return azclierror.ResourceNotFoundError(f"Not found while {what}: {detail}")
    return azclierror.AzureResponseError(f"The API server answered HTTP {error.status} while {what}: {detail}")


def is_connection_error(error):
    import urllib3.exceptions as u3
    return isinstance(error, (u3.HTTPError, ConnectionError, TimeoutError)) or getattr(error, "status", None) == 0
