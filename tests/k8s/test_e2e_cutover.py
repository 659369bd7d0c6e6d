"""`az aks wasi-migrate cutover` end to end: the real az with the wheel -> emulated ARM (the new pool's PUT and LRO)
-> the real kube-apiserver, controllers and scheduler, the harness playing kubelets and AKS adding the new pool's
nodes (tests/k8s/cutover_estate.py). A whole cutover; --until then a resume; a SIGKILL at a random point then a
plain re-run; two runs at once; a changed plan refused, then --replan; --dry-run, --status, --abort.
"""

import json
import random
import time

import pytest

from tests.k8s.cutover_estate import Move, ReadySampler, a_move, cutover_subscription, moved  # noqa: F401
from tests.k8s.harness import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.k8s]

DONE = ["preflight", "prepare", "parallel", "switch", "drain", "verify", "decommission"]


@pytest.fixture(name="move")
def move_fixture(arm, az, k8s_api, kubelet, k8s_env, namespace, cutover_subscription):  # noqa: F811
    with a_move(arm, az, k8s_api, kubelet, k8s_env, namespace) as made:
        yield made


def done(document):
    """The phases done, in the run's order (az prints JSON with sorted keys)."""
    return [name for name in DONE if document["phases"].get(name, {}).get("status") == "done"]


def assert_moved(move):
    assert moved(move), "a pod was lost, or the old pool is not cordoned"


def test_a_whole_cutover_moves_the_pool_and_keeps_a_record(move, k8s_env):
    with ReadySampler(move) as ready:
        result = move.cutover()
    summary = result.json
    assert done(summary) == DONE and summary["phase"] == "decommission"
    assert summary["nextPhase"] is None and summary["completed"] is True
    assert summary["stoppedBy"] is None and summary["durationSeconds"] > 0
    assert move.old_pool_deleted_after_the_final_verify(), "the old pool: one DELETE, sent after the final verify"
    assert [c["phase"] for c in summary["created"]] == ["prepare", "parallel"]   # the pool, web's companion copy
    assert summary["created"][0]["id"].endswith(move.new)
    assert all(g["passed"] for g in summary["gates"]["verify"])
    assert [w["workload"] for w in summary["plan"]["workloads"]] == [f"{move.ns}/Deployment/{app}"
                                                                     for app in ("loose", "web")]
    assert summary["phases"]["drain"]["attempts"] == 1 and move.record()[0]["phases"]["drain"]["evidence"][
        "evicted"] == move.replicas   # loose: only the drain moves it
    assert_moved(move)
    assert ready.minimum >= move.replicas - 1, f"the PDB (maxUnavailable 1) was violated: {ready.minimum}"
    assert len(move.pool_puts(move.new)) == 1
    # progress on stderr: one line per step with the elapsed time
    assert "s] drain: Draining batch 1 of 2" in result.err and "s] verify: done in" in result.err
    assert "s] decommission: done in" in result.err
    doc, lease = move.record()
    assert lease == {} and doc["runs"] == 1 and doc["plan"] == summary["plan"]
    assert doc["phases"]["decommission"]["evidence"]["deleteAttempts"] == 1
    token = k8s_env.kubeconfig.read_text().split("token:")[-1].split()[0]
    assert token not in json.dumps(doc)
    # the pool is gone from ARM: the same command (and --status) still says where the cutover stands
    again = move.cutover().json
    assert again["completed"] is True and done(again) == DONE and len(move.pool_deletes(move.old)) == 1
    assert move.az(*move.args("--status"), expect=0).json["completed"] is True


def test_a_pool_gone_without_a_cutover_is_not_found(move):
    """No cutover record sent a DELETE for it: the old pool simply is not there (exit code 3)."""
    missing = move.az(*move.args("--nodepool-name", "nosuchpool", "--yes"), expect=3)
    assert "has no node pool 'nosuchpool'" in missing.err


def test_until_stops_after_a_phase_and_a_plain_rerun_resumes_at_the_next(move):
    first = move.cutover("--until", "switch").json
    assert done(first) == DONE[:4] and first["nextPhase"] == "drain" and first["stoppedBy"] == "until"
    assert move.unschedulable(move.old) == [False, False]   # not drained yet
    second = move.cutover().json
    assert done(second) == DONE
    assert {name: phase["attempts"] for name, phase in second["phases"].items()} == {name: 1 for name in DONE}
    assert_moved(move)
    assert len(move.pool_puts(move.new)) == 1


def test_a_sigkill_at_a_random_point_then_a_plain_rerun_completes(move):
    """Killed inside a phase picked at random (batch and final soaks keep each phase long enough to be seen)."""
    phase = random.choice(DONE[1:-1])   # decommission is too quick to hit at random: its own test below
    proc = move.start("--batch-soak", "0.05", "--final-soak", "0.05")
    move.wait_for_phase(phase, ("running", "done"))
    time.sleep(random.uniform(0, 0.5))
    move.kill(proc)
    killed = move.finish(proc)
    doc, lease = move.record()
    assert killed.rc != 0 and lease.get("holder"), f"the run ended before the kill in {phase}"
    with ReadySampler(move) as ready:
        result = move.cutover("--batch-soak", "0.05", "--final-soak", "0.05")
    assert done(result.json) == DONE, f"killed in {phase}: {doc['phases']}\n{killed.err}\n{result.err}"
    assert_moved(move)
    assert ready.minimum >= move.replicas - 1
    assert len(move.pool_puts(move.new)) == 1, "the new pool was PUT more than once"
    assert move.old_pool_deleted_after_the_final_verify()
    assert any(f["kind"] == "takeover" for f in result.json["faults"]), "the takeover of the dead run's lease"
    interrupted = [name for name, entry in doc["phases"].items() if entry["status"] == "running"]
    assert all(result.json["phases"][name]["attempts"] == 2 for name in interrupted)


def test_a_sigkill_while_aks_deletes_the_old_pool_then_a_rerun_waits_for_that_delete(move, arm):
    """Killed once ARM accepted the DELETE (a slow LRO): the re-run sends no second DELETE, it waits for the first."""
    move.cutover("--until", "verify")
    arm.settings(lroPolls=15, retryAfterMs=200)
    try:
        proc = move.start()
        wait_for(lambda: move.pool_deletes(move.old), 60, "the old pool's DELETE", 0.05)
        move.kill(proc)
        killed = move.finish(proc)
        assert killed.rc != 0 and move.arm_pool(move.old)["provisioningState"] == "Deleting"
        result = move.cutover()
    finally:
        arm.settings(lroPolls=2, retryAfterMs=50)
    assert done(result.json) == DONE and result.json["completed"] is True
    assert "is being deleted (a DELETE sent earlier)" in result.err
    assert move.old_pool_deleted_after_the_final_verify() and len(move.pool_deletes(move.old)) == 1
    assert result.json["phases"]["decommission"]["attempts"] == 2


def test_until_verify_keeps_the_old_pool_and_a_rerun_deletes_it(move):
    first = move.cutover("--until", "verify").json
    assert first["nextPhase"] == "decommission" and move.arm_pool(move.old)["provisioningState"] == "Succeeded"
    assert move.pool_deletes(move.old) == []
    assert done(move.cutover().json) == DONE and move.old_pool_deleted_after_the_final_verify()


def test_a_rollback_after_the_switch_sends_the_record_back_and_a_later_cutover_moves_again(move):
    move.cutover("--until", "switch")
    preview = move.az("aks", "wasi-migrate", "rollback", *move.args()[3:13], "--dry-run", expect=0).json
    would = {s["step"]: s for s in preview["steps"]}["cutoverRecord"]
    assert would["action"] == "wouldReset" and would["phases"] == ["parallel", "switch"]
    assert sorted(move.record()[0]["phases"]) == sorted(DONE[:4]), "a dry run leaves the record as it is"
    back = move.az("aks", "wasi-migrate", "rollback", *move.args()[3:13], "--yes", expect=0).json
    steps = {s["step"]: s for s in back["steps"]}
    assert steps["cutoverRecord"]["action"] == "reset" and steps["cutoverRecord"]["phases"] == ["parallel", "switch"]
    assert steps["restore"]["action"] == "restored"
    wait_for(lambda: len(move.on_pool(move.old)) == move.replicas, 60, "web back on the old pool")
    doc, _ = move.record()
    assert sorted(doc["phases"]) == ["preflight", "prepare"] and doc["faults"][-1]["kind"] == "rollback"
    again = move.cutover().json
    assert done(again) == DONE and again["phases"]["switch"]["attempts"] == 1
    assert_moved(move)
    assert len(move.pool_puts(move.new)) == 1 and move.old_pool_deleted_after_the_final_verify()


def test_a_second_run_refuses_while_the_first_holds_the_lease_and_abort_stops_the_first(move):
    first = move.start("--parallel-soak", "1")
    move.wait_for_phase("parallel")
    second = move.cutover("--parallel-soak", "1", expect=1)
    assert "Another cutover of pool" in second.err and "is running" in second.err
    status = move.az(*move.args("--status"), expect=0).json
    assert status["running"] is True and status["nextPhase"] == "parallel"
    move.az(*move.args("--abort"), expect=0)
    stopped = move.finish(first)
    assert stopped.rc == 1 and "aborted in the parallel phase" in stopped.err
    document = stopped.json
    assert document["stoppedBy"] == "abort" and document["nextCommand"].startswith("az aks wasi-migrate cutover")
    assert any(f["kind"] == "abort" for f in document["faults"])


def test_a_changed_plan_is_refused_with_the_difference_unless_replan(move):
    move.cutover("--until", "preflight")
    refused = move.cutover("--until", "prepare", "--drain-batch-size", "2", expect=1)
    assert "options.drainBatchSize: \"1\" -> \"2\"" in refused.err and "--replan" in refused.err
    doc, _ = move.record()
    assert "prepare" not in doc["phases"]
    replanned = move.cutover("--until", "prepare", "--drain-batch-size", "2", "--replan").json
    assert done(replanned) == DONE[:2] and replanned["plan"]["options"]["drainBatchSize"] == "2"
    assert any(f["kind"] == "replan" for f in replanned["faults"])


def test_dry_run_prints_the_plan_and_changes_nothing(move):
    plan = move.cutover("--dry-run", yes=False).json
    assert plan["dryRun"] and plan["nextPhase"] == "preflight" and plan["phases"] == {}
    assert plan["plan"]["newPoolBody"]["nodeLabels"] == {"spin": "true"}
    assert plan["plan"]["gates"]["verify"] == "every verify gate"
    assert move.record() == (None, None) and move.pool_puts(move.new) == []


def test_freeze_old_pool_turns_its_autoscaler_off_at_its_count_before_anything_else(arm, az, k8s_api, kubelet,
                                                                                   k8s_env, namespace,
                                                                                   cutover_subscription):  # noqa: F811
    move = Move(arm, az, k8s_api, kubelet, namespace, k8s_env.kubeconfig, enableAutoScaling=True, minCount=1,
                maxCount=4)
    try:
        plan = move.cutover("--freeze-old-pool", "--dry-run", yes=False).json["plan"]
        assert plan["oldPoolAutoscales"] and plan["oldPoolAutoscaler"].startswith("frozen")
        arm.clear_requests()
        summary = move.cutover("--freeze-old-pool", "--until", "preflight").json
        old = move.arm_pool(move.old)
        assert old["enableAutoScaling"] is False and old["count"] == 2 and old["workloadRuntime"] == "WasmWasi"
        (put,) = move.pool_puts(move.old)
        assert put["headers"].get("If-Match"), "the freeze is sent against the pool as it was read"
        assert done(summary) == ["preflight"] and move.pool_puts(move.new) == []
        evidence = move.record()[0]["phases"]["preflight"]["evidence"]["oldPoolAutoscaler"]
        assert evidence == {"frozen": True, "count": 2, "changed": True, "minCount": 1, "maxCount": 4}
    finally:
        move.drop_record()
