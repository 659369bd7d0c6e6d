"""Kubernetes faults through the real az: `--kubeconfig` points at the fault proxy (tests/k8s/faultproxy.py) in front
of the loopback API server, which answers 429/5xx, resets connections, expires or repeats continue tokens, or keeps
refusing the credentials, on the requests a rule picks.

Transport (kube/rest.py): idempotent requests are retried, paging restarts on 410 and stops on a repeated token.
Wait loops and permission checks: an error that persists surfaces, naming its cause, instead of being taken for
"still terminating", "no PodDisruptionBudget" or "allowed".
"""

import pytest

from tests.k8s.faultproxy import after, expired, repeat_continue, reset, status
from tests.k8s.harness import aks_owner, pool_name, wait_for
from tests.k8s.helpers import TEST_LABEL, _create, _deployment, _pods, _unschedulable, _wait_ready
from tests.k8s.drain_estate import CLUSTER, RG, SUB, drain_subscription, estate  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.k8s]

PODS = r"^/api/v1/pods$"
HANG_GUARD = 120      # seconds: a command that would page or wait forever fails the test instead of hanging it


@pytest.fixture(name="pools")
def pools_fixture(arm, drain_subscription, namespace, kubelet):
    """This test's WASI pool (2 nodes) in ARM and in the cluster, its nodes' providerIDs naming the ARM cluster (what
    binds a --kubeconfig to -g/-n when the server is not the cluster's fqdn); ``add_std`` adds the standard pool's
    nodes, so replicas start on the WASI nodes and have somewhere to go."""
    owner, labels = aks_owner(SUB, RG, CLUSTER), {TEST_LABEL: namespace}
    wasi, std = pool_name(namespace, "w"), pool_name(namespace, "s")
    kubelet.add_pool(wasi, 2, labels=labels, owner=owner)
    arm.set_estate(estate(wasi, std))
    return wasi, std, lambda: kubelet.add_pool(std, 2, labels=labels, owner=owner)


def migrate(az, verb, pool, proxy, *args, expect=0):
    """``az aks wasi-migrate VERB`` on the test's pool through the proxy; a run that would never end fails."""
    return az("aks", "wasi-migrate", verb, "--subscription", SUB, "-g", RG, "-n", CLUSTER, "--nodepool-name", pool,
              "--kubeconfig", str(proxy.kubeconfig_path), *args, expect=expect, timeout=HANG_GUARD)


def pinned_deployment(api, namespace, pool, replicas=2, name="pinned"):
    """A Deployment tied to the WASI pool by a nodeSelector: what scan reports."""
    _create(api, f"/apis/apps/v1/namespaces/{namespace}/deployments", {
        "metadata": {"name": name}, "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                                             "template": {"metadata": {"labels": {"app": name}}, "spec": {
                                                 "nodeSelector": {"kubernetes.azure.com/agentpool": pool},
                                                 "containers": [{"name": "app", "image": "example.azurecr.io/a:1"}]}}}})


def scan_findings(az, proxy, namespace, pool):
    return sorted((f["kind"], f["name"]) for f in migrate(az, "scan", pool, proxy).json if f["namespace"] == namespace)


def statuses(proxy, path, query=""):
    return [r["status"] for r in proxy.requests("GET", path) if query in r["query"]]


@pytest.fixture(name="scan_setup")
def scan_setup_fixture(k8s_api, namespace, pools, fault_proxy):
    wasi, _, _ = pools
    pinned_deployment(k8s_api, namespace, wasi, replicas=3)
    wait_for(lambda: len(_pods(k8s_api, namespace, "pinned")) == 3, 20, "the pinned Deployment's pods")
    fault_proxy.page_size = 1      # every list spans pages: real continue tokens from the API server
    return wasi


def test_scan_rides_out_a_429_then_a_500_on_a_list_page(az, k8s_api, namespace, fault_proxy, scan_setup):
    clean = scan_findings(az, fault_proxy, namespace, scan_setup)
    assert ("Deployment", "pinned") in clean
    fault_proxy.clear()
    fault_proxy.page_size = 1
    fault_proxy.add_rule("GET", PODS, status(429, retry_after=1), query="continue=")
    fault_proxy.add_rule("GET", PODS, status(500), query="continue=")
    assert scan_findings(az, fault_proxy, namespace, scan_setup) == clean
    assert statuses(fault_proxy, PODS, "continue=")[:3] == [429, 500, 200]


def test_scan_restarts_a_list_whose_continue_token_expired(az, k8s_api, namespace, fault_proxy, scan_setup):
    clean = scan_findings(az, fault_proxy, namespace, scan_setup)
    fault_proxy.clear()
    fault_proxy.page_size = 1
    fault_proxy.add_rule("GET", PODS, expired(), query="continue=")
    assert scan_findings(az, fault_proxy, namespace, scan_setup) == clean
    pods = fault_proxy.requests("GET", PODS)
    expired_at = next(i for i, r in enumerate(pods) if r["status"] == 410)
    assert "continue=" not in pods[expired_at + 1]["query"], "the list starts again from the beginning"


def test_scan_stops_on_a_repeated_continue_token_instead_of_paging_forever(az, fault_proxy, scan_setup):
    fault_proxy.add_rule("GET", PODS, repeat_continue(), times=-1)
    result = migrate(az, "scan", scan_setup, fault_proxy, expect=1)
    assert "continue token it had already sent" in result.err and "/api/v1/pods" in result.err
    assert "Traceback" not in result.err


def test_scan_survives_a_reset_connection(az, namespace, fault_proxy, scan_setup):
    fault_proxy.add_rule("GET", PODS, reset(), query="continue=", times=4)   # more than urllib3 alone would retry
    assert ("Deployment", "pinned") in scan_findings(az, fault_proxy, namespace, scan_setup)
    assert statuses(fault_proxy, PODS, "continue=")[:5] == [None] * 4 + [200]


def test_cordon_with_server_errors_midway_still_cordons_every_node(az, k8s_api, pools, fault_proxy):
    wasi, _, _ = pools
    fault_proxy.add_rule("GET", r"^/api/v1/nodes/[^/]+$", status(503, retry_after=1), skip=1)   # 2nd node's read
    fault_proxy.add_rule("PATCH", r"^/api/v1/nodes/", status(500), skip=1)                      # and its patch
    result = migrate(az, "cordon", wasi, fault_proxy, "--yes").json
    assert sorted(result["changed"]) == sorted(_unschedulable(k8s_api, wasi)) and len(result["changed"]) == 2
    assert all(_unschedulable(k8s_api, wasi).values())
    assert [r["status"] for r in fault_proxy.requests("PATCH")] == [200, 500, 200]


def test_drain_whose_credentials_stop_working_fails_naming_the_401(az, k8s_api, namespace, pools, fault_proxy):
    wasi, _, add_std = pools
    _deployment(k8s_api, namespace, 2)
    _wait_ready(k8s_api, namespace, "web", 2)
    add_std()
    # after the first eviction, every pod list (the wait for evicted pods to go) is refused, as after a failed
    # kubelogin refresh; the drain timeout is far away
    fault_proxy.add_rule("GET", PODS, status(401, message="Unauthorized"), query="fieldSelector", times=-1,
                         when=after("POST", r"/eviction$"))
    result = migrate(az, "drain", wasi, fault_proxy, "--yes", "--drain-timeout", "30", expect=1)
    assert "HTTP 401" in result.err and "listing the pods of node" in result.err
    assert "still terminating" not in result.err


def test_drain_dry_run_that_cannot_read_pdbs_fails_naming_the_right(az, k8s_api, namespace, pools, fault_proxy):
    wasi, _, add_std = pools
    _deployment(k8s_api, namespace, 1)
    _wait_ready(k8s_api, namespace, "web", 1)
    add_std()                                  # somewhere to land, so the pod is one the drain would evict
    fault_proxy.add_rule("GET", "/poddisruptionbudgets$", status(403, message="poddisruptionbudgets.policy is "
                                                                             "forbidden"), times=-1)
    result = migrate(az, "drain", wasi, fault_proxy, "--dry-run", expect=1)
    assert "PodDisruptionBudgets" in result.err and "list poddisruptionbudgets" in result.err


def test_drain_whose_access_review_fails_changes_nothing(az, k8s_api, namespace, pools, fault_proxy):
    wasi, _, add_std = pools
    _deployment(k8s_api, namespace, 1)
    _wait_ready(k8s_api, namespace, "web", 1)
    add_std()
    fault_proxy.add_rule("POST", "/selfsubjectaccessreviews$", status(500), times=-1)
    result = migrate(az, "drain", wasi, fault_proxy, "--yes", expect=1)
    assert "SelfSubjectAccessReview" in result.err and "HTTP 500" in result.err
    assert fault_proxy.requests("PATCH") == [] and not any(_unschedulable(k8s_api, wasi).values())
    assert len(fault_proxy.requests("POST", "/selfsubjectaccessreviews$")) > 1, "a review is retried first"

