"""filters.plan and its filters with plain REST-shaped pod dicts (the same shape the API server lists)."""

import pytest

from azext_wasimig.drain import filters as drain
from azext_wasimig.drain.filters import EVICT, REFUSE, SKIP, WAIT
from azext_wasimig.drain.options import DrainOptions
from azext_wasimig.vocabulary.kubernetes import MIRROR_ANNOTATION


def pod(name, node="wasi-0", namespace="apps", owner="ReplicaSet", phase="Running", labels=None, volumes=None,
        annotations=None, deleting=False):
    meta = {"name": name, "namespace": namespace, "uid": f"uid-{name}", "labels": labels or {}}
    if owner:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner, "name": f"{name}-owner",
                                    "uid": "owner-uid", "controller": True}]
    if annotations:
        meta["annotations"] = annotations
    if deleting:
        meta["deletionTimestamp"] = "2025-07-01T10:00:00Z"
    return {"metadata": meta, "spec": {"nodeName": node, "volumes": volumes or []}, "status": {"phase": phase}}


def decide(p, **options):
    return drain.decide(p, DrainOptions(**options))


def test_managed_running_pod_is_evicted_without_remarks():
    decision = decide(pod("web-1"))
    assert decision.action == EVICT and decision.reasons == []


def test_daemonset_pod_is_skipped():
    decision = decide(pod("agent-x", owner="DaemonSet"))
    assert decision.action == SKIP and "DaemonSet" in decision.reasons[0]


def test_mirror_pod_is_skipped_even_without_owner():
    decision = decide(pod("kube-proxy-wasi-0", owner=None, annotations={MIRROR_ANNOTATION: "abc"}))
    assert decision.action == SKIP and "mirror" in decision.reasons[0]


def test_bare_pod_is_refused_without_force_and_evicted_with_a_warning_with_it():
    refused = decide(pod("bare", owner=None))
    assert refused.action == REFUSE and "--force" in refused.reasons[0]
    forced = decide(pod("bare", owner=None), force=True)
    assert forced.action == EVICT and "not be recreated" in forced.reasons[0]


def test_owner_reference_without_controller_flag_counts_as_bare():
    p = pod("adopted")
    p["metadata"]["ownerReferences"][0]["controller"] = False
    assert decide(p).action == REFUSE


def test_emptydir_pod_needs_delete_emptydir_data():
    volumes = [{"name": "cache", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "c"}}]
    refused = decide(pod("cache-1", volumes=volumes))
    assert refused.action == REFUSE and "--delete-emptydir-data" in refused.reasons[0]
    allowed = decide(pod("cache-1", volumes=volumes), delete_emptydir_data=True)
    assert allowed.action == EVICT and "emptyDir data will be deleted" in allowed.reasons[0]


def test_every_refusal_is_named_at_once():
    decision = decide(pod("bare-cache", owner=None, volumes=[{"name": "tmp", "emptyDir": {"medium": "Memory"}}]))
    assert decision.action == REFUSE and len(decision.reasons) == 2
    assert "--delete-emptydir-data" in decision.reasons[0] and "--force" in decision.reasons[1]


def test_terminating_pod_is_waited_for_not_evicted_again():
    decision = decide(pod("web-2", deleting=True, owner=None))
    assert decision.action == WAIT and "terminating" in decision.reasons[0]


@pytest.mark.parametrize("phase", ["Succeeded", "Failed"])
def test_finished_pods_are_skipped_even_when_bare(phase):
    decision = decide(pod("job-1", owner=None, phase=phase))
    assert decision.action == SKIP and phase in decision.reasons[0]


def test_daemonset_pod_with_emptydir_is_skipped_not_refused():
    # a SKIP ends the filtering, as in kubectl: the emptyDir filter never sees the DaemonSet pod
    assert decide(pod("agent", owner="DaemonSet", volumes=[{"name": "x", "emptyDir": {}}])).action == SKIP


def test_plan_groups_decisions_and_orders_them_by_node_then_name():
    pods = [pod("b", node="wasi-1"), pod("a", node="wasi-1"), pod("ds", node="wasi-0", owner="DaemonSet"),
            pod("bare", node="wasi-0", owner=None), pod("gone", node="wasi-0", deleting=True)]
    result = drain.plan(pods, DrainOptions())
    assert [d.key for d in result.decisions] == ["apps/bare", "apps/ds", "apps/gone", "apps/a", "apps/b"]
    assert result.nodes == ["wasi-0", "wasi-1"]
    assert [d.key for d in result.to_evict] == ["apps/a", "apps/b"]
    assert [d.key for d in result.to_wait] == ["apps/gone"]
    assert [d.key for d in result.skipped] == ["apps/ds"] and [d.key for d in result.refused] == ["apps/bare"]


def test_plan_keeps_given_nodes_even_when_empty():
    assert drain.plan([], DrainOptions(), nodes=["wasi-0", "wasi-1"]).nodes == ["wasi-0", "wasi-1"]


def pdb(name, selector, allowed=1, namespace="apps"):
    return {"metadata": {"name": name, "namespace": namespace}, "spec": {"selector": selector},
            "status": {"disruptionsAllowed": allowed}}


def test_pdbs_covering_match_labels_and_expressions_in_the_pod_namespace_only():
    target = pod("web-1", labels={"app": "web", "tier": "front"})
    budgets = [pdb("by-label", {"matchLabels": {"app": "web"}}),
               pdb("by-expression", {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front"]}]}),
               pdb("not-in", {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}),
               pdb("exists-and-label", {"matchLabels": {"app": "web"},
                                        "matchExpressions": [{"key": "canary", "operator": "DoesNotExist"}]}),
               pdb("other-namespace", {"matchLabels": {"app": "web"}}, namespace="other"),
               pdb("other-app", {"matchLabels": {"app": "db"}})]
    names = [p["metadata"]["name"] for p in drain.pdbs_covering(target, budgets)]
    assert names == ["by-label", "by-expression", "exists-and-label"]


def test_empty_pdb_selector_matches_all_only_in_policy_v1():
    target, budget = pod("web-1", labels={"app": "web"}), [pdb("everything", {})]
    assert drain.pdbs_covering(target, budget) == []
    assert drain.pdbs_covering(target, budget, empty_matches_all=True) == budget
    assert drain.pdbs_covering(target, [pdb("null", None)], empty_matches_all=True) == []


def test_landing_filter_refuses_a_pod_with_nowhere_to_go_unless_forced():
    why = "0/2 nodes are available: 2 cordoned"
    stranded = drain.landing_filter(lambda p: why if p["metadata"]["name"] == "pinned" else None)
    filters = (*drain.FILTERS, stranded)
    refused = drain.decide(pod("pinned"), DrainOptions(), filters)
    assert refused.action == REFUSE and why in refused.reasons[0]
    assert "--force" in refused.reasons[0] and "retarget" in refused.reasons[0]
    forced = drain.decide(pod("pinned"), DrainOptions(force=True), filters)
    assert forced.action == EVICT and "stay Pending" in forced.reasons[0]
    assert drain.decide(pod("free"), DrainOptions(), filters).action == EVICT


def test_landing_filter_leaves_pods_without_a_replacement_to_the_other_filters():
    asked = []
    stranded = drain.landing_filter(lambda p: asked.append(p) or "nowhere")
    filters = (*drain.FILTERS, stranded)
    bare = drain.decide(pod("lonely", owner=None), DrainOptions(), filters)
    assert bare.action == REFUSE and len(bare.reasons) == 1 and "not managed by a controller" in bare.reasons[0]
    assert drain.decide(pod("agent", owner="DaemonSet"), DrainOptions(), filters).action == SKIP
    assert asked == [], "neither has a replacement to place"
