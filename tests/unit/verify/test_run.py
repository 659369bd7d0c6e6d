"""run_verify: one check reads the cluster, then Azure; a soak re-checks every interval and stops at a failure."""

import pytest

from azext_wasimig.verify import run
from tests.unit.verify.helpers import NEW, OLD, agent_pool, cluster, group, node, pod
from tests.unit.fakes import Clock


@pytest.fixture(name="cluster_reads")
def cluster_reads_fixture(monkeypatch):
    """snapshot.take and the events LIST answer from ``state``; ``order`` records what was read when."""
    from azext_wasimig.kube import snapshot
    state = {"snapshot": cluster(), "events": [], "order": []}

    def take(_api, namespace=None):
        assert namespace is None   # verify reads every namespace
        state["order"].append("cluster")
        return state["snapshot"]

    def events(_api):
        state["order"].append("events")
        return state["events"]
    monkeypatch.setattr(snapshot, "take", take)
    monkeypatch.setattr(run, "warning_events", events)
    return state


def read_pool_into(state, pool=None):
    def read():
        state["order"].append("arm")
        return pool or agent_pool()
    return read


def test_a_clean_move_passes_every_gate_once(cluster_reads):
    summary = run.run_verify(None, old_pool=OLD, new_pool=NEW, read_pool=read_pool_into(cluster_reads))
    assert summary["passed"] and summary["checks"] == 1 and summary["failedCheck"] is None
    assert [g["name"] for g in summary["gates"]] == [
        "new-pool", "rollouts", "off-old-pool", "on-new-pool", "containers", "restarts", "events", "runtime-classes",
        "managed-sources"]
    assert cluster_reads["order"] == ["cluster", "events", "arm"]   # Azure last
    run.raise_unless_passed(summary)


def test_failure_names_gate_and_object(cluster_reads):
    cluster_reads["snapshot"] = cluster(pods=[pod("web-a", "std-0"), pod("web-b", "wasi-0")])
    summary = run.run_verify(None, old_pool=OLD, new_pool=NEW, read_pool=read_pool_into(cluster_reads))
    assert not summary["passed"]
    with pytest.raises(run.VerifyFailed) as raised:
        run.raise_unless_passed(summary)
    text = str(raised.value)
    assert text.startswith("2 of 9 verify gate(s) failed:")
    assert "  off-old-pool:\n    demo/Pod/web-b: of demo/Deployment/web still runs on wasi's node wasi-0" in text
    assert raised.value.kind == "validation"


def test_soak_checks_every_interval_until_the_window_ends(cluster_reads):
    clock, lines = Clock(), []
    summary = run.run_verify(None, old_pool=OLD, new_pool=NEW, read_pool=read_pool_into(cluster_reads),
                             soak_minutes=1, interval=25, sleep=clock.sleep, clock=clock, progress=lines.append)
    assert summary["passed"] and summary["checks"] == 4
    assert clock.sleeps == [25, 25, 10]     # never past the window
    assert lines[0] == "Check 1: 9 of 9 gates pass; soak 0 of 60 s" and lines[-1] == "Check 4: 9 of 9 gates pass"


def test_one_failure_ends_the_soak(cluster_reads):
    clock = Clock()

    def sleep(seconds):
        clock.sleep(seconds)
        cluster_reads["snapshot"] = cluster(nodes=[node("wasi-0", OLD), node("std-0", NEW, unschedulable=True),
                                                   node("std-1", NEW)])
    summary = run.run_verify(None, old_pool=OLD, new_pool=NEW, read_pool=read_pool_into(cluster_reads),
                             soak_minutes=5, interval=30, sleep=sleep, clock=clock)
    assert not summary["passed"] and summary["checks"] == 2 and summary["failedCheck"] == 2
    assert "at check 2 of the soak" in run.failure_message(summary)
    failed = [g for g in summary["gates"] if not g["passed"]]
    assert [g["name"] for g in failed] == ["new-pool"] and failed[0]["failures"][0]["object"] == "Node/std-0"


def test_aci_home_checks_the_groups(cluster_reads):
    cluster_reads["snapshot"] = cluster(pods=[])
    summary = run.run_verify(None, old_pool=OLD, read_groups=lambda: [group(restarts=1)], aci_resource_group="rg")
    assert [g["name"] for g in summary["gates"]] == [
        "rollouts", "off-old-pool", "containers", "restarts", "events", "aci-groups"]
    assert not summary["passed"] and summary["aci"]


def test_aci_without_any_group_is_refused(cluster_reads):
    with pytest.raises(run.NoGroupsForMove) as raised:
        run.run_verify(None, old_pool=OLD, read_groups=list, aci_resource_group="rg-aci")
    assert raised.value.kind == "not_found" and "rg-aci" in str(raised.value)


def test_the_move_is_read_from_the_annotation_retarget_writes():
    from azext_wasimig.retarget import rewrite
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "demo"},
                  "spec": {"template": {"spec": {"nodeSelector": {"agentpool": OLD},
                                                 "containers": [{"name": "web", "image": "web:1"}]}}}}
    assert run._saved_move(rewrite.retarget(deployment, OLD, NEW, "parallel")) == (OLD, NEW)
    assert run._saved_move({"metadata": {"annotations": {rewrite.ORIGINAL_PLACEMENT: "{not json"}}}) is None


def test_replica_sets_carrying_the_deployments_annotation_are_not_workloads_of_their_own(cluster_reads):
    """The deployment controller copies a Deployment's annotations (retarget's saved placement too) to its
    ReplicaSets."""
    from tests.unit.verify.helpers import ORIGINAL, deployment, replicaset
    rs = replicaset()
    rs["metadata"]["annotations"] = dict(deployment()["metadata"]["annotations"])
    assert ORIGINAL in rs["metadata"]["annotations"]
    cluster_reads["snapshot"] = cluster(workloads=[deployment(), rs])
    summary = run.run_verify(None, old_pool=OLD, new_pool=NEW, read_pool=read_pool_into(cluster_reads))
    rollouts = next(g for g in summary["gates"] if g["name"] == "rollouts")
    assert rollouts["evidence"] == {"workloads": ["demo/Deployment/web"], "rolledOut": 1}


def test_ignored_gates_neither_fail_nor_end_the_soak(cluster_reads):
    """A cutover's parallel phase: both pools serve, so off-old-pool and on-new-pool are reported, not counted."""
    cluster_reads["snapshot"] = cluster(pods=[pod("web-a", "std-0"), pod("web-b", "wasi-0")])
    clock = Clock()
    summary = run.run_verify(None, old_pool=OLD, new_pool=NEW, read_pool=read_pool_into(cluster_reads),
                             soak_minutes=1, interval=30, sleep=clock.sleep, clock=clock,
                             ignore=("off-old-pool", "on-new-pool"))
    assert summary["passed"] and summary["checks"] == 3
    assert {g["name"] for g in summary["gates"] if not g["passed"]} == {"off-old-pool", "on-new-pool"}
