"""The Evictor against the scripted HTTP peer (scripted_api.py): discovery of policy/v1 or v1beta1, 429 back-off
and budget turns, 404/403/401/500, the wait until evicted pods are gone, dry runs and bounded concurrency."""

import pytest
from azure.cli.core import azclierror

from azext_wasimig.drain import filters
from azext_wasimig.drain.errors import NoEvictionApi
from azext_wasimig.drain.evict import Evictor
from azext_wasimig.drain.options import DrainOptions, EvictionTuning
from azext_wasimig.kube import errors as kube_errors
from tests.unit.drain.scripted_api import ScriptedApiServer, api_for, later, status

PDB_429 = status(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.",
                 [{"reason": "DisruptionBudget", "message": "The disruption budget web-pdb needs 2 healthy pods "
                                                            "and has 2 currently"}])


@pytest.fixture
def server():
    peer = ScriptedApiServer()
    yield peer
    peer.close()


def options(*, timeout=5.0, grace_period=None, dry_run=False, **tuning):
    paced = dict(dict(poll_interval=0.05, retry_initial=0.05, retry_max=0.1), **tuning)
    return DrainOptions(timeout=timeout, grace_period=grace_period, dry_run=dry_run, tuning=EvictionTuning(**paced))


def run(peer, pods, messages=None, **option_values):
    chosen = options(**option_values)
    plan = filters.plan(pods, chosen)
    return Evictor(api_for(peer), chosen, (messages if messages is not None else []).append).run(plan)


def test_policy_v1_is_discovered_and_sent(server):
    pods = [server.add_pod("web-a"), server.add_pod("web-b", node="wasi-1")]
    summary = run(server, pods, grace_period=7)
    assert summary["evictionApi"] == "policy/v1" and summary["complete"]
    assert summary["evicted"] == ["apps/web-a", "apps/web-b"]
    assert {b["apiVersion"] for b in server.bodies} == {"policy/v1"}
    assert server.bodies[0]["kind"] == "Eviction" and server.bodies[0]["deleteOptions"] == {"gracePeriodSeconds": 7}
    assert {b["metadata"]["name"] for b in server.bodies} == {"web-a", "web-b"}
    assert all(auth == "Bearer scripted-token" for _, _, auth in server.requests)
    assert [n["drained"] for n in summary["nodes"]] == [True, True]


def test_falls_back_to_policy_v1beta1_when_discovery_says_so():
    peer = ScriptedApiServer(eviction_version="v1beta1")
    try:
        summary = run(peer, [peer.add_pod("web-a")])
    finally:
        peer.close()
    assert summary["evictionApi"] == "policy/v1beta1" and peer.bodies[0]["apiVersion"] == "policy/v1beta1"
    assert "deleteOptions" not in peer.bodies[0]      # no --grace-period: the pod's own grace period applies


def test_server_without_eviction_subresource_is_refused():
    peer = ScriptedApiServer(eviction_version=None)
    try:
        with pytest.raises(NoEvictionApi, match="no pods/eviction"):
            run(peer, [peer.add_pod("web-a")])
    finally:
        peer.close()
    assert not peer.bodies


def test_429_is_retried_until_the_budget_allows(server):
    server.evictions["web-a"] = [PDB_429, PDB_429, (201, {})]
    messages = []
    summary = run(server, [server.add_pod("web-a")], messages)
    assert summary["complete"] and summary["evicted"] == ["apps/web-a"] and len(server.bodies) == 3
    assert any("blocked by PodDisruptionBudget web-pdb" in m for m in messages)


def test_budget_that_never_allows_ends_blocked_at_the_deadline_with_the_pdb_named(server):
    server.evictions["web-a"] = [status(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's "
                                                                "disruption budget.")]
    server.pdbs = [{"metadata": {"name": "web-pdb", "namespace": "apps"},
                    "spec": {"selector": {"matchLabels": {"app": "web"}}}, "status": {"disruptionsAllowed": 0}},
                   {"metadata": {"name": "other", "namespace": "apps"},
                    "spec": {"selector": {"matchLabels": {"app": "db"}}}}]
    summary = run(server, [server.add_pod("web-a")], timeout=0.6)
    assert summary["elapsedSeconds"] >= 0.6            # by the Evictor's own clock: it gave up at the deadline
    assert not summary["complete"] and summary["blocked"][0]["pdbs"] == ["web-pdb"]
    assert summary["blocked"][0]["attempts"] > 2 and summary["blocked"][0]["pod"] == "apps/web-a"
    assert summary["blocked"][0]["attempts"] == len(server.bodies)   # and sent nothing after it gave up


def test_404_means_already_gone(server):
    server.evictions["ghost"] = [status(404, "NotFound", 'pods "ghost" not found')]
    summary = run(server, [server.add_pod("ghost")])
    assert summary["complete"] and summary["evicted"] == ["apps/ghost"]


def test_403_is_a_permission_error_naming_pods_eviction(server):
    server.evictions["web-a"] = [status(403, "Forbidden", 'pods "web-a" is forbidden: User "dev" cannot create '
                                                          'resource "pods/eviction" in API group "" in the '
                                                          'namespace "apps"')]
    with pytest.raises(kube_errors.KubeForbidden) as caught:
        run(server, [server.add_pod("web-a")])
    assert "pods/eviction" in str(caught.value) and "`create` on `pods/eviction`" in caught.value.recommendation
    assert "scripted-token" not in str(caught.value)


def test_401_on_an_eviction_stops_the_drain_naming_the_credentials(server):
    server.evictions["web-a"] = [status(401, "Unauthorized", "Unauthorized")]
    with pytest.raises(kube_errors.KubeUnauthorized) as caught:
        run(server, [server.add_pod("web-a")])
    assert "HTTP 401" in str(caught.value) and "scripted-token" not in str(caught.value)


def test_node_lists_failing_with_401_stop_the_wait_after_the_bound_naming_the_cause(server):
    server.linger = 30.0                                  # never gone: only the failing lists can end the wait
    server.pod_lists = [status(401, "Unauthorized", "Unauthorized")]   # every poll, for good
    with pytest.raises(kube_errors.KubeUnauthorized) as caught:
        run(server, [server.add_pod("web-a")], timeout=60.0, wait_error_limit=0.3)
    assert "listing the pods of node wasi-0" in str(caught.value) and "HTTP 401" in str(caught.value)


def test_node_lists_failing_for_a_moment_do_not_stop_the_drain(server):
    server.pod_lists = [status(403, "Forbidden", "x")] * 2 + [(200, {"kind": "PodList", "metadata": {}, "items": []})]
    summary = run(server, [server.add_pod("web-a")], wait_error_limit=5.0)
    assert summary["complete"] and summary["evicted"] == ["apps/web-a"]


def test_a_wait_cut_by_the_drain_timeout_says_the_node_lists_were_failing(server):
    server.linger = 30.0
    server.pod_lists = [status(403, "Forbidden", "cannot list pods")]
    summary = run(server, [server.add_pod("web-a")], timeout=0.5, wait_error_limit=60.0)
    assert "listing its node's pods kept failing" in summary["timedOut"][0]["reason"]
    assert "HTTP 403 cannot list pods" in summary["timedOut"][0]["reason"]


def test_a_dry_run_that_cannot_read_pdbs_fails_naming_the_right(server):
    server.pdb_list = status(403, "Forbidden", 'poddisruptionbudgets.policy is forbidden: User "dev" cannot list')
    with pytest.raises(kube_errors.KubeForbidden) as caught:
        run(server, [server.add_pod("web-a")], dry_run=True)
    assert "list poddisruptionbudgets" in caught.value.recommendation


def test_other_errors_fail_that_pod_only(server):
    server.evictions["odd"] = [status(500, "InternalError", "This pod has more than one PodDisruptionBudget, which "
                                                            "the eviction subresource does not support.")]
    summary = run(server, [server.add_pod("odd"), server.add_pod("web-a")])
    assert summary["evicted"] == ["apps/web-a"] and summary["failed"][0]["pod"] == "apps/odd"
    assert "more than one PodDisruptionBudget" in summary["failed"][0]["message"]


def test_pod_not_gone_by_the_deadline_is_timed_out(server):
    server.linger = 5.0
    summary = run(server, [server.add_pod("slow")], timeout=0.4, grace_period=30)
    assert summary["timedOut"] == [{"pod": "apps/slow", "node": "wasi-0", "reason": "evicted, but still terminating "
                                    "when the drain timeout ran out (grace period 30s)"}]
    assert not summary["evicted"]


def test_terminating_pod_from_an_earlier_run_is_only_waited_for(server):
    pod = server.add_pod("half-done")
    pod["metadata"]["deletionTimestamp"] = "2025-07-01T10:00:00Z"
    later(0.2, lambda: server.pods.pop("half-done"))
    summary = run(server, [pod])
    assert summary["complete"] and not server.bodies
    assert summary["skipped"] == [{"pod": "apps/half-done", "node": "wasi-0", "reason": "was already terminating; "
                                                                                         "now gone"}]


def test_evictions_run_concurrently_but_bounded():
    peer = ScriptedApiServer(delay=0.15)
    try:
        pods = [peer.add_pod(f"web-{i}", node=f"wasi-{i % 3}") for i in range(12)]
        summary = run(peer, pods, max_parallel=4)
    finally:
        peer.close()
    assert summary["complete"] and len(summary["evicted"]) == 12
    assert 2 <= peer.max_evictions_in_flight <= 4   # several at once (not one at a time), never above max_parallel
    assert peer.max_in_flight <= 4 + 3              # plus at most one poll per node


def test_dry_run_evicts_nothing_and_reports_closed_budgets(server):
    server.pdbs = [{"metadata": {"name": "web-pdb", "namespace": "apps"},
                    "spec": {"selector": {"matchLabels": {"app": "web"}}}, "status": {"disruptionsAllowed": 0}}]
    summary = run(server, [server.add_pod("web-a"), server.add_pod("db", labels={"app": "db"})], dry_run=True)
    assert not server.bodies and summary["dryRun"]
    assert [w["pod"] for w in summary["wouldEvict"]] == ["apps/db", "apps/web-a"]
    assert summary["blocked"] == [{"pod": "apps/web-a", "node": "wasi-0", "pdbs": ["web-pdb"],
                                   "message": "PodDisruptionBudget allows no disruption now (disruptionsAllowed 0)"}]


def test_refused_plan_evicts_nothing(server):
    bare = server.add_pod("bare")
    bare["metadata"]["ownerReferences"] = []
    summary = run(server, [bare, server.add_pod("web-a")])
    assert not server.requests and summary["refused"][0]["pod"] == "apps/bare" and not summary["complete"]


def test_pods_of_a_closed_budget_take_turns_instead_of_flooding_the_server(server):
    pods = [server.add_pod(f"web-{i}") for i in range(10)]
    for pod in pods:
        server.evictions[pod["metadata"]["name"]] = [PDB_429]
    summary = run(server, pods, timeout=1.0, retry_initial=0.05, retry_max=0.1)
    assert len(summary["blocked"]) == 10 and {b["pdbs"][0] for b in summary["blocked"]} == {"web-pdb"}
    # every pod tries once; after that one probe per back-off (~0.1 s) for the whole budget, not one per pod
    assert len(server.bodies) < 10 + 20, len(server.bodies)
