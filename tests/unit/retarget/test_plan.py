"""Which objects `retarget` changes and into what: scope, skips with reasons, manifests, questions."""

import copy

from azext_wasimig.retarget import plan as rp
from azext_wasimig.retarget import rewrite as rt
from azext_wasimig.kube.snapshot import ClusterSnapshot
from tests.unit.retarget.helpers import NEW, OLD, finding, krustlet_deployment, pod, spin_cronjob


def job():
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once", "namespace": "demo"},
            "spec": {"template": {"spec": {"nodeSelector": {"agentpool": OLD}, "restartPolicy": "Never",
                                           "containers": [{"name": "c", "image": "i"}]}}}}


def test_scope_is_what_scan_ties_to_the_old_pool_plus_what_was_retargeted_before():
    tied, unknown_pool = krustlet_deployment(), spin_cronjob()
    moved = rt.retarget({**copy.deepcopy(tied), "metadata": {"name": "moved", "namespace": "demo"}}, OLD, NEW,
                        "cutover")
    other_pool = {**copy.deepcopy(tied), "metadata": {"name": "other", "namespace": "demo"}}
    other_pool["spec"]["template"]["spec"]["nodeSelector"]["agentpool"] = "p1"
    elsewhere = rt.retarget(other_pool, "p1", "p2", "cutover")
    replica_set = {**copy.deepcopy(moved), "kind": "ReplicaSet",
                   "metadata": {**moved["metadata"], "name": "moved-abc",
                                "ownerReferences": [{"kind": "Deployment", "name": "moved", "controller": True}]}}
    going = pod("going")
    going["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    snapshot = ClusterSnapshot(workloads=[tied, unknown_pool, moved, elsewhere, replica_set], pods=[going])
    findings = [finding(tied), finding(unknown_pool, pools=()), finding(going)]
    assert [(o["metadata"]["name"], pinned) for o, pinned in rp.in_scope(snapshot, findings, OLD, NEW)] == \
        [("moved", True), ("wagi", True)]


def test_a_workload_only_running_on_the_pool_is_skipped_not_pinned():
    exporter = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "node-exporter", "namespace": "demo"},
                "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    snapshot = ClusterSnapshot(workloads=[exporter])
    (plan,) = rp.plan_all(snapshot, [finding(exporter, fields=("spec.nodeName",))], OLD, NEW, "parallel")
    assert plan.desired is None and not plan.changes and plan.reason == rp.NOT_PINNED_REASON
    (pinned,) = rp.plan_all(snapshot, [finding(exporter, fields=("spec.nodeName", "spec.template.spec.tolerations"))],
                            OLD, NEW, "parallel")
    assert pinned.desired is not None


def test_cutover_rerun_and_rollback_plans():
    cut = rt.retarget(krustlet_deployment(), OLD, NEW, "cutover")
    assert not rp.plan(cut, "cutover", OLD, NEW).changes
    back = rp.plan(cut, "rollback", OLD, NEW)
    assert back.changes and back.desired == krustlet_deployment() and back.manifest == back.desired


def test_pods_and_jobs_are_skipped_with_a_manifest_to_recreate_them_from():
    bare = rp.plan(pod("lonely"), "cutover", OLD, NEW)
    assert bare.desired is None and "recreate it" in bare.reason
    assert bare.manifest["spec"]["nodeSelector"] == {rt.POOL_LABEL: NEW}
    once = rp.plan(job(), "parallel", OLD, NEW)
    assert once.desired is None and once.reason == rp.JOB_REASON
    assert once.manifest["spec"]["template"]["spec"]["affinity"]
    owned = rp.plan(pod("x-1", owner=("MyOperatorApp", "x")), "cutover", OLD, NEW)
    assert owned.manifest is None and "MyOperatorApp x" in owned.reason
    assert rp.plan(job(), "rollback", OLD, NEW).desired is None


def test_missing_runtime_classes_and_the_question_before_production_changes():
    snapshot = ClusterSnapshot(workloads=[spin_cronjob()], runtime_classes=[{"metadata": {"name": "other"}}])
    plans = rp.plan_all(snapshot, [finding(spin_cronjob())], OLD, NEW, "cutover")
    assert rp.missing_runtime_classes(plans, snapshot) == [rt.DEFAULT_RUNTIME_CLASS]
    assert rp.missing_runtime_classes(rp.plan_all(snapshot, [finding(spin_cronjob())], OLD, NEW, "cutover", runtime_class="other"),
                                      snapshot) == []
    assert "pin 1 workload(s) of cluster 'c' to node pool 'wasipool2' only" in rp.confirmation(plans, "cutover", "c",
                                                                                              OLD, NEW)
    parallel = rp.plan_all(snapshot, [finding(spin_cronjob())], OLD, NEW, "parallel")
    assert f"run on node pool '{NEW}' as well as on '{OLD}'" in rp.confirmation(parallel, "parallel", "c", OLD, NEW)
    assert rp.confirmation([], "parallel", "c", OLD, NEW) == ""


def test_rows_and_failures():
    item = rp.plan(pod("lonely"), "cutover", OLD, NEW)
    row = rp.row(item, "skipped")
    assert list(row) == ["namespace", "kind", "name", "action", "reason"] and row["reason"] == item.reason
    assert rp.failures_message([row]) == ""
    assert rp.failures_message([rp.row(item, "failed", "HTTP 403")]) == "  demo/Pod/lonely: HTTP 403"


def test_notes_say_when_nothing_is_tied_or_the_new_pool_has_no_nodes():
    node = {"metadata": {"name": "n1", "labels": {rt.POOL_LABEL: NEW}}}
    assert rp.notes([], ClusterSnapshot(nodes=[node]), "cutover", OLD, NEW) == \
        [f"No workload is tied to WASI pool '{OLD}': nothing to retarget."]
    plans = [rp.plan(krustlet_deployment(), "parallel", OLD, NEW)]
    assert "has no nodes in the cluster yet" in rp.notes(plans, ClusterSnapshot(), "parallel", OLD, NEW)[0]
    assert rp.notes(plans, ClusterSnapshot(), "cutover", OLD, NEW) == [], "cutover refuses instead (stranded)"
    assert rp.notes(plans, ClusterSnapshot(nodes=[node]), "parallel", OLD, NEW) == []


def _node(pool, labels=None, unschedulable=False):
    return {"metadata": {"name": f"{pool}-0", "labels": {rt.POOL_LABEL: pool, **(labels or {})}},
            "spec": {"unschedulable": True} if unschedulable else {},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}}


AKS_CLASS = {"metadata": {"name": "wasmtime-spin-v2"},
             "scheduling": {"nodeSelector": {"kubernetes.azure.com/wasmtime-spin-v2": "true"}}}


def _spin_deployment():
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "spin", "namespace": "demo"},
            "spec": {"template": {"spec": {"runtimeClassName": "wasmtime-spin-v1", "nodeSelector": {"agentpool": OLD},
                                           "containers": [{"name": "c", "image": "i"}]}}}}


def test_stranded_names_changes_whose_pods_no_node_of_the_new_pool_would_take():
    wasi = _node(OLD, {"kubernetes.azure.com/wasmtime-spin-v2": "true"})
    snapshot = ClusterSnapshot(nodes=[wasi, _node(NEW, {"disk": "ssd"})], runtime_classes=[AKS_CLASS])
    plans = [rp.plan(_spin_deployment(), "cutover", OLD, NEW), rp.plan(krustlet_deployment(), "cutover", OLD, NEW)]
    found = rp.stranded(plans, snapshot, "cutover", NEW)
    assert [(item.key, why) for item, why in found] == [(("demo", "Deployment", "spin"), (
        "0/1 nodes are available: 1 lack the label kubernetes.azure.com/wasmtime-spin-v2=true that RuntimeClass "
        "wasmtime-spin-v2's scheduling.nodeSelector requires"))], "judged on the new pool's nodes only"
    spinkube = {"metadata": {"name": "spin-v2"}, "scheduling": {"nodeSelector": {"spin": "true"}}}
    ready = ClusterSnapshot(nodes=[_node(NEW, {"spin": "true"})], runtime_classes=[AKS_CLASS, spinkube])
    assert rp.stranded([rp.plan(_spin_deployment(), "cutover", OLD, NEW, "spin-v2")], ready, "cutover", NEW) == []
    cordoned = ClusterSnapshot(nodes=[_node(NEW, unschedulable=True)])
    assert "1 cordoned" in rp.stranded(plans[1:], cordoned, "parallel", NEW)[0][1]


def test_stranded_holds_a_cutover_onto_a_pool_without_nodes_but_not_a_parallel_run_or_a_rollback():
    plans = [rp.plan(krustlet_deployment(), "cutover", OLD, NEW)]
    assert "has no nodes in the cluster yet" in rp.stranded(plans, ClusterSnapshot(), "cutover", NEW)[0][1]
    assert rp.stranded([rp.plan(krustlet_deployment(), "parallel", OLD, NEW)], ClusterSnapshot(), "parallel",
                       NEW) == []
    moved = rt.retarget(krustlet_deployment(), OLD, NEW, "cutover")
    assert rp.stranded([rp.plan(moved, "rollback", OLD, NEW)], ClusterSnapshot(), "rollback", NEW) == []
    assert rp.stranded([rp.plan(moved, "cutover", OLD, NEW)], ClusterSnapshot(), "cutover", NEW) == [], \
        "unchanged: nothing is displaced"
