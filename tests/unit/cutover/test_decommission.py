"""The cutover's decommission phase (a fake record and fake ARM): the DELETE is counted in the record before it is
sent, and a re-run decides from what ARM says of the pool, so that no second DELETE goes out blind."""

import pytest

from azext_wasimig.cutover import decommission, phases
from azext_wasimig.decommission.delete_pool import PodsLeftOnPool, VerificationFailed


class FakeRecord:
    def __init__(self, doc):
        self.doc = doc
        self.writes = []

    def update(self, change):
        change(self.doc)
        self.writes.append(dict(self.doc["phases"].get("decommission", {}).get("evidence") or {}))


class FakeArm:
    """The old pool as ARM has it: its states read in turn (None: gone); ``deletes`` counts the DELETEs sent."""

    def __init__(self, *states, error=None):
        self.states, self.error, self.deletes, self.waits = list(states), error, [], 0

    def read_pool(self, _name):
        state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
        return None if state is None else {"properties": {"provisioningState": state}}

    def delete_pool(self, old, new):
        self.deletes.append((old, new))
        if self.error:
            raise self.error
        return {"action": "deleted", "verification": {"passed": True}}

    def wait_while_deleting(self, _name):
        self.waits += 1


def context(arm, *, attempts=0, verified=True, fingerprint="f1", recorded="f1"):
    doc = {"fingerprint": fingerprint, "plan": {"options": {"newPool": "wasi2"}},
           "phases": {"verify": {"status": "done", "evidence": {"fingerprint": recorded}},
                      "decommission": {"evidence": {"deleteAttempts": attempts} if attempts else {}}}}
    azure = phases.Azure(create_pool=None, read_pool=arm.read_pool, freeze_pool=None, delete_pool=arm.delete_pool,
                         wait_while_deleting=arm.wait_while_deleting)
    ctx = phases.Context(api=None, target=type("T", (), {"wasi_pool_name": "wasi"})(), options=None, azure=azure,
                         record=FakeRecord(doc), hooks=phases.Hooks(say=lambda _text: None))
    if verified:
        ctx.verified["verify"] = {"passed": True}
    return ctx


def test_the_delete_is_counted_in_the_record_before_it_is_sent():
    arm = FakeArm("Succeeded")
    ctx = context(arm)
    sent = []
    original = arm.delete_pool
    arm.delete_pool = lambda old, new: sent.append(list(ctx.record.writes)) or original(old, new)
    ctx.azure.delete_pool = arm.delete_pool
    evidence = decommission.decommission(ctx)
    assert sent == [[{"deleteAttempts": 1, "lastDeleteAt": ctx.record.writes[0]["lastDeleteAt"]}]]
    assert arm.deletes == [("wasi", "wasi2")]
    assert evidence["deleteAttempts"] == 1 and evidence["deleted"] == "wasi" and evidence["action"] == "deleted"


def test_a_rerun_while_aks_deletes_the_pool_waits_and_sends_nothing():
    arm = FakeArm("Deleting", None)
    evidence = decommission.decommission(context(arm, attempts=1, verified=False))
    assert arm.deletes == [] and arm.waits == 1
    assert evidence == {"deleted": "wasi", "deleteAttempts": 1, "deletedByThisCutover": True}


def test_a_rerun_after_aks_deleted_the_pool_is_done_without_a_request():
    arm = FakeArm(None)
    assert decommission.decommission(context(arm, attempts=1, verified=False))["deletedByThisCutover"] is True
    assert arm.deletes == [] and arm.waits == 0


def test_a_delete_aks_failed_is_sent_again_once_checked():
    arm = FakeArm("Deleting", "Failed")
    evidence = decommission.decommission(context(arm, attempts=1))
    assert arm.waits == 1 and arm.deletes == [("wasi", "wasi2")] and evidence["deleteAttempts"] == 2


def test_a_delete_that_never_arrived_is_sent_again():
    """Killed after the record counted it, before the request went out: ARM still has the pool as it was."""
    arm = FakeArm("Succeeded")
    decommission.decommission(context(arm, attempts=1))
    assert arm.deletes == [("wasi", "wasi2")]


def test_a_final_verify_under_another_plan_deletes_nothing():
    arm = FakeArm("Succeeded")
    with pytest.raises(phases.GateFailed) as stopped:
        decommission.decommission(context(arm, verified=False, fingerprint="f2", recorded="f1"))
    assert stopped.value.gate == "verified" and "--replan" in stopped.value.recommendation
    assert arm.deletes == []


def test_a_verify_recorded_under_this_plan_lets_a_later_run_delete():
    arm = FakeArm("Succeeded")
    decommission.decommission(context(arm, verified=False))
    assert arm.deletes == [("wasi", "wasi2")]


@pytest.mark.parametrize("error, gate", [(VerificationFailed("gate on-new-pool failed"), "verify"),
                                         (PodsLeftOnPool("1 pod left"), "pods-left")])
def test_delete_pools_refusals_are_the_phases_gates(error, gate):
    with pytest.raises(phases.GateFailed) as stopped:
        decommission.decommission(context(FakeArm("Succeeded", error=error)))
    assert stopped.value.gate == gate and stopped.value.phase == "decommission"
