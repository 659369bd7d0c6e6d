"""The load generator against servers on 127.0.0.1 whose truth is known (tests/httpservers.py).

Tolerances: an answered request takes at least the server's delay, so every latency percentile is >= the delay;
the upper bounds are loose (the machine is shared) and only catch a figure that is not the server's at all.
The error rate is exact but for one request either way (the probe counts at the server, not in the figures).
"""

import pytest

from azext_wasimig.compare import load
from azext_wasimig.compare.errors import Unreachable
from tests.httpservers import AcceptCounter, KnownServer


def _target(side, url, concurrency=4):
    return load.Target(side, f"--url-{side} {url}", url, load.pool_manager(concurrency))


def test_figures_match_each_servers_known_latency_and_error_rate():
    with KnownServer(delay=0.02, error_every=5) as fast, KnownServer(delay=0.1) as slow:
        spec = load.LoadSpec(duration=30, concurrency=4, max_requests=60)
        found = load.run([_target("old", fast.url), _target("new", slow.url)], spec)
    old, new = found["old"], found["new"]
    assert old["requests"] == new["requests"] == 60 and old["stoppedBy"] == new["stoppedBy"] == "maxRequests"
    assert old["errors"] == 12 and old["errorRate"] == 0.2 and new["errors"] == 0
    assert 20 <= old["latencyMs"]["p50"] <= 20 + 150 and 100 <= new["latencyMs"]["p50"] <= 100 + 150
    assert new["latencyMs"]["p99"] >= 100 and len(new["latencyDistributionMs"]) == 21


def test_duration_bounds_the_load():
    with KnownServer(delay=0.05) as server:
        found = load.run([_target("old", server.url, 2)], load.LoadSpec(duration=1, concurrency=2,
                                                                      max_requests=10 ** 6))
    assert found["old"]["stoppedBy"] == "duration" and 0 < found["old"]["requests"] < 10 ** 6


def test_an_endpoint_that_never_answers_gets_one_probe_and_no_load():
    with AcceptCounter() as dead:
        with pytest.raises(Unreachable, match="Nothing was loaded .one request was tried, no retries."):
            load.probe(_target("new", dead.url))
        import time
        time.sleep(0.2)
        assert dead.accepted == 1


def test_a_side_whose_connections_keep_failing_stops_early():
    with AcceptCounter() as dead:
        found = load.run([_target("new", dead.url, 2)], load.LoadSpec(duration=60, concurrency=2, max_requests=10000))
    assert found["new"]["stoppedBy"] == "connectionFailures"
    assert found["new"]["errors"] == found["new"]["connectionFailures"] < load.MAX_CONNECTION_FAILURES + 2


def test_refused_connection_is_unreachable():
    import socket
    with socket.socket() as closed:   # bound, never listening: the port refuses connections
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/"
        with pytest.raises(Unreachable, match="connection refused"):
            load.probe(_target("old", url))
