"""A bounded HTTP load per side: urllib3 connection pools (shipped with the CLI) and one thread per connection.

Why threads over urllib3 and not asyncio: urllib3 is what azure-core and the kubernetes client already use, so
TLS, client certificates and the API server's pod proxy work as they do for every other call, with no new
dependency; a blocking request per thread measures each request's latency from send to last byte without an
event loop's scheduling in between. The GIL bounds the rate (docs/benchmarks.md says up to where the figures
hold); the sides run at the same time, so both see the same moment of the cluster.

Bounded three ways: ``duration`` seconds, ``max_requests`` per side, ``concurrency`` connections per side. No
request is retried (urllib3 ``retries=False``): a failed request counts as an error, once. A side whose
connections keep failing stops early (``MAX_CONNECTION_FAILURES`` in a row), so an endpoint going down mid-run
meets no storm of reconnects. Before any load, one probe request per side must get an HTTP answer.
"""

import itertools
import threading
import time
from dataclasses import dataclass, field

from azext_wasimig.compare import stats
from azext_wasimig.compare.errors import Unreachable

MAX_CONNECTION_FAILURES = 20          # in a row, per side: then that side stops
FAILURE_PAUSE = 0.05                  # seconds a worker waits after a failed connection
CONNECT_TIMEOUT, READ_TIMEOUT = 5.0, 10.0
DISTRIBUTION_STEPS = tuple(range(0, 101, 5))   # the latency distribution's percentiles, for the report's chart


@dataclass(frozen=True)
class LoadSpec:
    duration: float
    concurrency: int
    max_requests: int


@dataclass
class Target:
    """Where one side's requests go. ``label`` is what messages and the output show (never a token);
    ``pool`` a urllib3 PoolManager (or anything with its ``request``); ``api_status`` marks answers that are the
    API server's own Status (the pod proxy's errors), which are the path failing, not the app."""
    side: str
    label: str
    url: str
    pool: object
    headers: dict = field(default_factory=dict)
    via_api_server: bool = False


def pool_manager(concurrency, **tls):
    import urllib3
    return urllib3.PoolManager(num_pools=2, maxsize=concurrency, block=True, retries=False, **tls)


def _get(target):
    import urllib3
    return target.pool.request("GET", target.url, headers=target.headers, retries=False, redirect=False,
                               timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT),
                               preload_content=True)


def probe(target):
    """One request; Unreachable (nothing loaded) unless the endpoint itself answered."""
    from azext_wasimig.kube.rest import describe_connection_error
    try:
        response = _get(target)
    except Exception as ex:  # pylint: disable=broad-except  # any failure to get an answer is the same refusal
        raise Unreachable(f"Cannot reach {target.label}: {describe_connection_error(ex)}. Nothing was loaded "
                          "(one request was tried, no retries).",
                          recommendation="Check the address and that it answers from here, e.g. with curl.") from ex
    problem = _api_server_refusal(target, response)
    if problem:
        raise Unreachable(f"The API server could not proxy to {target.label}: {problem}. Nothing was loaded.",
                          recommendation="Check the pod's port (--pod-proxy PORT) and that the pod is Ready.")
    return response.status


def _api_server_refusal(target, response):
    """The API server's own Status answer (not the pod's), e.g. 'address not allowed', or ''."""
    if not target.via_api_server or response.status < 400:
        return ""
    import json
    try:
        body = json.loads(response.data or b"{}")
    except ValueError:
        return ""
    if isinstance(body, dict) and body.get("kind") == "Status" and body.get("apiVersion") == "v1":
        return f"HTTP {response.status} {body.get('message') or body.get('reason') or ''}".strip()
    return ""


class _Side:
    """The shared bounds of one side's workers and what they measured."""

    def __init__(self, target, spec, deadline):
        self.target, self.spec, self.deadline = target, spec, deadline
        self.claimed = itertools.count()     # next() is atomic under the GIL: the request budget
        self.measured = {"latencies": [], "errors": 0, "failures": 0, "inARow": 0, "stoppedBy": "duration"}
        self.lock = threading.Lock()

    def next_request(self):
        if self.measured["stoppedBy"] == "connectionFailures":
            return False
        if next(self.claimed) >= self.spec.max_requests:
            self.measured["stoppedBy"] = "maxRequests"
            return False
        return time.monotonic() < self.deadline

    def work(self):
        latencies, errors = [], 0
        while self.next_request():
            started = time.perf_counter()
            try:
                response = _get(self.target)
            except Exception:  # pylint: disable=broad-except  # timeouts, resets, refusals: one error each
                self._failed()
                continue
            latencies.append((time.perf_counter() - started) * 1000.0)
            errors += response.status >= 400
            self.measured["inARow"] = 0
        with self.lock:
            self.measured["latencies"] += latencies
            self.measured["errors"] += errors

    def _failed(self):
        with self.lock:
            self.measured["failures"] += 1
            self.measured["inARow"] += 1
            if self.measured["inARow"] >= MAX_CONNECTION_FAILURES:
                self.measured["stoppedBy"] = "connectionFailures"
        time.sleep(FAILURE_PAUSE)


def run(targets, spec):
    """Load every target at once for ``spec``; {side: result dict} (see ``result``)."""
    deadline = time.monotonic() + spec.duration
    sides = [_Side(target, spec, deadline) for target in targets]
    started = time.monotonic()
    threads = [threading.Thread(target=side.work, daemon=True, name=f"compare-load-{side.target.side}")
               for side in sides for _ in range(spec.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = max(time.monotonic() - started, 1e-9)
    return {side.target.side: result(side.target.label, side.measured["latencies"], http_errors=side.measured["errors"],
                                     failures=side.measured["failures"], elapsed=elapsed,
                                     stopped_by=side.measured["stoppedBy"]) for side in sides}


def result(label, latencies_ms, *, http_errors, failures, elapsed, stopped_by):
    """One side's figures: answered requests, errors (HTTP >= 400 plus requests with no answer) and their rate,
    requests/s, latency percentiles of the answered requests (ms) and their distribution for the chart."""
    answered = len(latencies_ms)
    sent = answered + failures
    latency = {f"p{p}": _ms(stats.percentile(latencies_ms, p)) for p in (50, 90, 95, 99)}
    latency["max"] = _ms(max(latencies_ms)) if latencies_ms else None
    return {"target": label, "requests": sent, "answered": answered, "errors": http_errors + failures,
            "connectionFailures": failures, "errorRate": round((http_errors + failures) / sent, 4) if sent else None,
            "durationSeconds": round(elapsed, 3), "requestsPerSecond": round(sent / elapsed, 1),
            "latencyMs": latency, "stoppedBy": stopped_by,
            "latencyDistributionMs": [_ms(stats.percentile(latencies_ms, p)) for p in DISTRIBUTION_STEPS]
            if latencies_ms else []}


def _ms(value):
    return None if value is None else round(value, 3)
