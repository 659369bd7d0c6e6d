"""`az aks wasi-migrate compare` end to end: the real az with the wheel -> emulated ARM (proves the pools, hands out
the kubeconfig) -> the real kube-apiserver v1.20.2 (no metrics-server: metrics.k8s.io is not served), the harness
playing kubelet; the load goes to HTTP servers on 127.0.0.1 whose latency and error rate are known
(tests/httpservers.py). Nothing is ever sent off this machine: the public address is refused before any request.

One Deployment spreads one pod onto each pool (a topology spread on the pool label). The test then writes what a
kubelet would have reported for a slow start (its conditions' times) and for OOM kills (restart count and last
state), so the figures compare must report are known exactly.

Tolerances (load): every latency is at least the server's delay, and the median at most the delay + 1 s (a shared,
loaded machine: the bound only catches a figure that is not the server's, e.g. seconds for milliseconds); the error
rate is exact to one request (the probe is answered but not counted).
"""

import pytest

from azext_wasimig.kube import rest
from tests.conftest import serving_estate
from tests.httpservers import AcceptCounter, KnownServer
from tests.k8s.harness import (cluster_estate, create_when_ready, embedded_kubeconfig, kubelet_reports, pool_name,
                               wait_for)

pytestmark = [pytest.mark.e2e, pytest.mark.k8s]

SUB, RG, CLUSTER = "c0c0c0c0-0000-4000-8000-00000000c0c0", "rg-compare", "aks-compare"
TEST_LABEL, POOL_LABEL = "wasimig.test/ns", "kubernetes.azure.com/agentpool"


@pytest.fixture(name="parallel_run")
def parallel_run_fixture(arm, az, namespace, kubelet, k8s_env, k8s_api):
    """Old (WASI) and new pools of one node each, and Deployment web with one Ready pod on each."""
    old, new = pool_name(namespace, "w"), pool_name(namespace, "s")
    for pool in (old, new):
        kubelet.add_pool(pool, 1, labels={TEST_LABEL: namespace})
    spread = [{"maxSkew": 1, "topologyKey": POOL_LABEL, "whenUnsatisfiable": "DoNotSchedule",
               "labelSelector": {"matchLabels": {"app": "web"}}}]
    create_when_ready(k8s_api, f"/apis/apps/v1/namespaces/{namespace}/deployments", {
        "metadata": {"name": "web"}, "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"nodeSelector": {TEST_LABEL: namespace}, "topologySpreadConstraints": spread,
                     "terminationGracePeriodSeconds": 1, "containers": [{"name": "app", "image": "contoso/web:1"}]}}}})
    wait_for(lambda: len(_ready_pods(k8s_api, namespace)) == 2, 30, "a Ready pod on each pool")
    estate = cluster_estate(SUB, RG, CLUSTER, {"sys": ("System", 1, None), old: ("User", 1, "WasmWasi"),
                                               new: ("User", 1, None)})
    with serving_estate(arm, az, estate):
        arm.set_kubeconfig(SUB, RG, CLUSTER, embedded_kubeconfig(k8s_env.kubeconfig))
        yield old, new


def _ready_pods(api, namespace):
    pods = rest.call(api, "GET", f"/api/v1/namespaces/{namespace}/pods")["items"]
    return [p for p in pods if any(c["type"] == "Ready" and c["status"] == "True"
                                   for c in p["status"].get("conditions") or [])]


def _pod_on(api, namespace, pool):
    return next(p for p in _ready_pods(api, namespace) if p["spec"]["nodeName"].startswith(pool + "-"))


def compare(az, old, new, *args, expect=0):
    return az("aks", "wasi-migrate", "compare", "--subscription", SUB, "-g", RG, "-n", CLUSTER, "--nodepool-name", old,
              "--new-nodepool-name", new, *args, expect=expect)


def test_startup_and_restarts_per_side_from_the_pods_and_no_metrics_server_is_said(az, parallel_run, k8s_api,
                                                                                    namespace):
    old, new = parallel_run
    kubelet_reports(k8s_api, _pod_on(k8s_api, namespace, old), ready_after=2)
    kubelet_reports(k8s_api, _pod_on(k8s_api, namespace, new), ready_after=6, restarts=2, last_reason="OOMKilled")
    result = compare(az, old, new)
    (web,) = result.json["workloads"]
    assert web["workload"] == f"{namespace}/Deployment/web"
    assert (web["old"]["startup"]["median"], web["new"]["startup"]["p95"]) == (2, 6)
    assert [p["scheduledSeconds"] for p in web["old"]["pods"] + web["new"]["pods"]] == [1, 1]
    assert web["old"]["stability"] == {"restarts": 0, "oomKilled": 0, "lastTerminationReasons": {}}
    assert web["new"]["stability"] == {"restarts": 2, "oomKilled": 1, "lastTerminationReasons": {"OOMKilled": 1}}
    figures = {f["figure"]: (f["old"], f["new"], f["ratio"]) for f in web["figures"]}
    assert figures["startupP95Seconds"] == (2, 6, 3.0) and figures["memoryPeakBytes"] == (None, None, None)
    assert result.json["metrics"] == "notServed" and web["old"]["resources"] is None
    assert "metrics.k8s.io is not served by this cluster" in result.err
    gated = compare(az, old, new, "--max-regression", "100", expect=1)
    assert f"startupP95Seconds of {namespace}/Deployment/web: 2 -> 6 (3.0x, limit 2.0x)" in gated.err


def test_load_figures_match_the_servers_truth_and_a_slower_new_side_fails_the_gate(az, parallel_run, k8s_api,
                                                                                    namespace, tmp_path):
    old, new = parallel_run
    for pool in (old, new):   # the same start-up on both sides: only the load differs
        kubelet_reports(k8s_api, _pod_on(k8s_api, namespace, pool), ready_after=3)
    load = ("--duration", "60", "--concurrency", "2", "--max-requests", "40")
    with KnownServer(delay=0.02, error_every=10) as fast, KnownServer(delay=0.4, error_every=4) as slow:
        report = tmp_path / "cmp.md"
        result = compare(az, old, new, "--url-old", fast.url, "--url-new", slow.url, *load, "--report", str(report))
        gated = compare(az, old, new, "--url-old", fast.url, "--url-new", slow.url, *load, "--max-regression", "50",
                        expect=1)
        better = compare(az, old, new, "--url-old", slow.url, "--url-new", fast.url, *load, "--max-regression", "50")
    figures = result.json["load"]
    assert figures["old"]["requests"] == figures["new"]["requests"] == 40
    assert figures["old"]["errorRate"] == pytest.approx(0.1, abs=1 / 40)
    assert figures["new"]["errorRate"] == pytest.approx(0.25, abs=1 / 40)
    for side, delay in (("old", 20), ("new", 400)):
        latency = figures[side]["latencyMs"]
        assert delay <= latency["p50"] <= latency["p90"] <= latency["p99"] and latency["p50"] <= delay + 1000, latency
    assert "latencyP95Ms of the load" in gated.err and "limit 1.5x" in gated.err
    assert better.json["regressions"] == [] and better.json["load"]["new"]["target"] == f"--url-new {fast.url}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cmp-latency.svg", "cmp-startup.svg", "cmp.md"]
    assert "![Latency distribution per side](cmp-latency.svg)" in report.read_text()


def test_an_endpoint_that_never_answers_is_tried_once_and_nothing_is_loaded(az, parallel_run):
    old, new = parallel_run
    with KnownServer() as alive, AcceptCounter() as dead:
        result = compare(az, old, new, "--url-old", alive.url, "--url-new", dead.url, expect=1)
        assert dead.accepted == 1 and alive.requests == 1
    assert f"Cannot reach --url-new {dead.url}" in result.err and "no retries" in result.err


def test_a_public_address_is_warned_about_and_asked_for_before_anything_is_sent(az, parallel_run):
    old, new = parallel_run
    with KnownServer() as local:
        result = compare(az, old, new, "--url-old", local.url, "--url-new", "http://93.184.216.34/", expect=1)
        assert local.requests == 0
    assert "--url-new http://93.184.216.34/ leaves private address space (93.184.216.34)" in result.err
    assert "Use --yes" in result.err


def test_pod_proxy_goes_through_the_api_server_which_refuses_a_loopback_pod(az, parallel_run, k8s_api, namespace):
    """The API server never proxies to a loopback pod IP (and no other may be reached from a test): its refusal
    comes back as the clear error, after one request, with the pod named."""
    old, new = parallel_run
    for pool in (old, new):
        meta = _pod_on(k8s_api, namespace, pool)["metadata"]
        rest.call(k8s_api, "PATCH", f"/api/v1/namespaces/{namespace}/pods/{meta['name']}/status",
                  content_type="application/merge-patch+json",   # replaces the list (strategic merge would add)
                  body={"status": {"podIP": "127.0.0.1", "podIPs": [{"ip": "127.0.0.1"}]}})
    result = compare(az, old, new, "--pod-proxy", "8080/healthz", expect=1)
    assert "The API server could not proxy to pod" in result.err and "through the API server's pod proxy" in result.err
