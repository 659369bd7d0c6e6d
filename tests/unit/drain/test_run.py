"""drain_pool and cordon_pool against the scripted HTTP peer (scripted_api.py): the ORDER of a drain - plan, then
the RBAC check, then cordon, then plan again, then evict - and what each step stops when it says no."""

import pytest

from azext_wasimig.drain import cordon_pool, drain_pool
from azext_wasimig.drain.errors import DrainIncomplete, DrainInterrupted, Forbidden, PoolHasNoNodes
from azext_wasimig.drain.options import DrainOptions, EvictionTuning
from azext_wasimig.migration_target import MigrationTarget
from tests.unit.drain.scripted_api import ScriptedApiServer, api_for

REVIEWS = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
OPTIONS = DrainOptions(timeout=5.0, tuning=EvictionTuning(poll_interval=0.05, retry_initial=0.05, retry_max=0.1))


@pytest.fixture
def cluster():
    """Pool "wasi" with two nodes and a pod on each; pool "std" with one node for the replacements."""
    peer = ScriptedApiServer()
    for name, pool in (("wasi-0", "wasi"), ("wasi-1", "wasi"), ("std-0", "std")):
        peer.add_node(name, pool)
    peer.add_pod("web-a", node="wasi-0")
    peer.add_pod("web-b", node="wasi-1")
    yield peer
    peer.close()


def target(pool="wasi"):
    return MigrationTarget(resource_group="rg", cluster={"name": "c"}, pools=({"name": pool},),
                           wasi_pool={"name": pool})


def first(requests, wanted, after=-1):
    """Index of the first request after ``after`` that ``wanted(method, path)`` picks (a failed assertion when none
    does: the step it stands for did not happen)."""
    for index, (method, path, _) in enumerate(requests):
        if index > after and wanted(method, path):
            return index
    raise AssertionError(f"no such request after #{after}: {[(m, p) for m, p, _ in requests]}")


def is_pod_list(method, path):
    return method == "GET" and path == "/api/v1/pods"


def is_review(method, path):
    return method == "POST" and path == REVIEWS


def is_node_patch(method, path):
    return method == "PATCH" and path.startswith("/api/v1/nodes/")


def is_eviction(method, path):
    return method == "POST" and path.endswith("/eviction")


def test_a_drain_plans_checks_rights_cordons_plans_again_then_evicts(cluster):
    summary = drain_pool(api_for(cluster), target(), OPTIONS)
    log = cluster.requests
    plan = first(log, is_pod_list)
    review = first(log, is_review, after=plan)
    cordon = first(log, is_node_patch, after=review)
    last_cordon = max(i for i, (m, p, _) in enumerate(log) if is_node_patch(m, p))
    replan = first(log, is_pod_list, after=last_cordon)
    evict = first(log, is_eviction, after=replan)
    assert plan < review < cordon <= last_cordon < replan < evict
    assert not any(is_node_patch(m, p) or is_eviction(m, p) for m, p, _ in log[:review]), "changed before asking"
    assert summary["cordoned"] == ["wasi-0", "wasi-1"] and summary["evicted"] == ["apps/web-a", "apps/web-b"]
    assert all(cluster.nodes[n]["spec"]["unschedulable"] for n in ("wasi-0", "wasi-1"))
    assert not cluster.nodes["std-0"]["spec"].get("unschedulable")


def test_a_pod_scheduled_while_cordoning_is_evicted_too(cluster):
    def schedule_one_more(name, _patch):
        if name == "wasi-0" and "late" not in cluster.pods:
            cluster.add_pod("late", node="wasi-0")
    cluster.on_patch = schedule_one_more
    summary = drain_pool(api_for(cluster), target(), OPTIONS)
    assert summary["evicted"] == ["apps/late", "apps/web-a", "apps/web-b"] and summary["complete"]


def test_missing_rights_stop_the_drain_before_any_change(cluster):
    cluster.denied = {("create", "pods")}
    with pytest.raises(Forbidden) as caught:
        drain_pool(api_for(cluster), target(), OPTIONS)
    assert str(caught.value) == ("The identity may not drain this pool: it lacks `create` on `pods/eviction` in "
                                 "namespace apps. Nothing was changed.")
    assert "`patch` on `nodes`" in caught.value.recommendation
    assert not any(is_node_patch(m, p) or is_eviction(m, p) for m, p, _ in cluster.requests)
    assert not any(node["spec"].get("unschedulable") for node in cluster.nodes.values())


def test_refused_pods_stop_the_drain_before_rights_are_asked_or_nodes_cordoned(cluster):
    cluster.add_pod("bare", node="wasi-1")["metadata"]["ownerReferences"] = []
    with pytest.raises(DrainIncomplete) as caught:
        drain_pool(api_for(cluster), target(), OPTIONS)
    assert "apps/bare: refused: not managed by a controller" in str(caught.value)
    assert caught.value.summary["cordoned"] == [] and caught.value.summary["refused"][0]["pod"] == "apps/bare"
    assert not any(is_review(m, p) or is_node_patch(m, p) or is_eviction(m, p) for m, p, _ in cluster.requests)


def test_a_dry_run_changes_nothing_and_does_not_count_as_incomplete(cluster):
    cluster.add_pod("bare", node="wasi-1")["metadata"]["ownerReferences"] = []
    summary = drain_pool(api_for(cluster), target(), DrainOptions(dry_run=True))
    assert summary["dryRun"] and summary["refused"][0]["pod"] == "apps/bare" and summary["cordoned"] == []
    assert [w["pod"] for w in summary["wouldEvict"]] == ["apps/web-a", "apps/web-b"]
    assert not any(m in ("PATCH", "POST") and p != REVIEWS for m, p, _ in cluster.requests)


def test_ctrl_c_while_evicting_says_what_was_done_and_names_the_uncordon_command(cluster):
    def interrupt_once_a_pod_is_gone(message):
        if "gone" in message:
            raise KeyboardInterrupt
    with pytest.raises(DrainInterrupted) as caught:
        drain_pool(api_for(cluster), target(), OPTIONS, progress=interrupt_once_a_pod_is_gone)
    assert str(caught.value).startswith("Drain of pool 'wasi' interrupted. Its nodes stay cordoned")
    assert "'az aks wasi-migrate uncordon -g rg -n c --nodepool-name wasi --yes'" in caught.value.recommendation


def test_a_pool_without_nodes_is_not_found(cluster):
    with pytest.raises(PoolHasNoNodes, match="Node pool 'gone' has no nodes in the cluster"):
        drain_pool(api_for(cluster), target("gone"), OPTIONS)
    assert not any(is_node_patch(m, p) for m, p, _ in cluster.requests)


def test_cordon_and_uncordon_change_only_what_differs(cluster):
    api = api_for(cluster)
    assert cordon_pool(api, "wasi", dry_run=True)["changed"] == ["wasi-0", "wasi-1"]
    assert not any(is_node_patch(m, p) for m, p, _ in cluster.requests)
    assert cordon_pool(api, "wasi")["changed"] == ["wasi-0", "wasi-1"]
    assert cordon_pool(api, "wasi")["changed"] == []
    assert cordon_pool(api, "wasi", unschedulable=False)["changed"] == ["wasi-0", "wasi-1"]
    assert cluster.nodes["wasi-0"]["spec"]["unschedulable"] is None


def test_a_batch_drains_and_cordons_only_its_own_nodes(cluster):
    """A cutover drains its pool in batches: ``nodes`` limits the drain to them; the rest of the pool is untouched."""
    summary = drain_pool(api_for(cluster), target(), OPTIONS, nodes=["wasi-1", "not-in-the-pool"])
    assert summary["cordoned"] == ["wasi-1"] and summary["evicted"] == ["apps/web-b"]
    assert "web-a" in cluster.pods and not cluster.nodes["wasi-0"]["spec"].get("unschedulable")
