"""delete-pool's order on plain data and fakes: the proofs, the pods in the way, the question, the gates, then
exactly one DELETE (the e2e tests prove the same through az: tests/k8s/test_e2e_decommission.py)."""

import pytest

from azext_wasimig.decommission import delete_pool as phase, pair, run
from azext_wasimig.decommission.delete_pool import DeletePoolRequest, Gates, Home, PodsLeftOnPool, VerificationFailed
from azext_wasimig.drain.options import DrainOptions
from azext_wasimig.drain.errors import DrainIncomplete
from tests.unit.decommission.helpers import Done, pod, target


def _request(old="wasi", **settings):
    return DeletePoolRequest(old=old, home=Home(new="std"), **settings)


class Fakes:
    """The cluster (pods on the pool), verify, the drain and the AgentPools client, recording every call."""

    def __init__(self, monkeypatch, pods=(), passed=True, drain_left=()):
        self.calls, self.pods, self.passed, self.drain_left = [], list(pods), passed, list(drain_left)
        monkeypatch.setattr(phase.cluster, "pods_on_pool", self._pods)
        monkeypatch.setattr("azext_wasimig.verify.run.run_verify", self._verify)
        monkeypatch.setattr("azext_wasimig.drain.drain_pool", self._drain)
        self.clients = run.Clients(connect=lambda: "api", agent_pools=self)

    def _pods(self, _api, pool):
        self.calls.append(("pods", pool))
        return self.pods

    def _verify(self, _api, *, old_pool, soak_minutes, **_):
        self.calls.append(("verify", old_pool, soak_minutes))
        failures = [] if self.passed else [{"object": "Node/std-2", "reason": "NotReady"}]
        return {"passed": self.passed, "checks": 1, "soakMinutes": soak_minutes,
                "gates": [{"name": "new-pool", "passed": self.passed, "evidence": {}, "failures": failures}]}

    def _drain(self, _api, target, _options, progress=None):
        self.calls.append(("drain", target.wasi_pool_name))
        if self.drain_left:
            raise DrainIncomplete({"refused": [{"pod": p, "reasons": ["pinned"]} for p in self.drain_left]})
        self.pods = []
        return {"complete": True, "evicted": ["ns/web-1"]}

    def confirm(self, question):
        self.calls.append(("confirm", question))

    # the AgentPools client
    def begin_delete(self, _resource_group, _cluster, name, polling, **options):
        self.calls.append(("DELETE", name, options))
        return Done()

    def delete_pool(self, request, the_target=None, confirm=None):
        return run.delete_pool(the_target or target(), self.clients, request, confirm=confirm or self.confirm)

    def steps(self):
        return [c[0] for c in self.calls]

    def deletes(self):
        return [c for c in self.calls if c[0] == "DELETE"]


def test_one_delete_of_the_old_pool_after_the_question_and_the_gates(monkeypatch):
    fakes = Fakes(monkeypatch, pods=[pod("agent", "DaemonSet"), pod("done", "Job", phase="Succeeded")])
    record = fakes.delete_pool(_request(old="WASI", gates=Gates(soak_minutes=5)))
    assert fakes.steps() == ["pods", "confirm", "verify", "DELETE"]
    assert fakes.deletes() == [("DELETE", "wasi", {})], "Azure's spelling, PodDisruptionBudgets honoured"
    assert ("verify", "wasi", 5) in fakes.calls, "the soak of the real run"
    assert record["action"] == "deleted" and record["nodepool"]["name"] == "wasi"
    assert record["verification"]["passed"] and record["replacement"]["nodepoolName"] == "std"
    assert record["startedAt"] <= record["finishedAt"]


def test_ignore_pdb_is_sent_only_when_asked_and_no_wait_says_how_to_follow(monkeypatch):
    fakes = Fakes(monkeypatch)
    record = fakes.delete_pool(_request(ignore_pdb=True, no_wait=True))
    assert fakes.deletes() == [("DELETE", "wasi", {"ignore_pod_disruption_budget": True})]
    assert record["action"] == "deleting" and "--nodepool-name wasi --deleted" in record["followWith"]


def test_a_dry_run_checks_the_gates_once_and_deletes_nothing(monkeypatch):
    fakes = Fakes(monkeypatch)
    record = fakes.delete_pool(_request(dry_run=True, gates=Gates(soak_minutes=30)))
    assert record["action"] == "wouldDelete" and record["verification"]["passed"]
    assert fakes.steps() == ["pods", "verify"] and ("verify", "wasi", 0) in fakes.calls, "no soak, no question"


def test_a_failed_gate_deletes_nothing(monkeypatch):
    fakes = Fakes(monkeypatch, passed=False)
    with pytest.raises(VerificationFailed, match=r"(?s)new-pool:\n    Node/std-2: NotReady.*So node pool 'wasi' was "
                                                 "not deleted"):
        fakes.delete_pool(_request())
    assert fakes.deletes() == []


def test_a_refused_question_deletes_nothing_and_verifies_nothing(monkeypatch):
    fakes = Fakes(monkeypatch)

    def refuse(_question):
        raise RuntimeError("Unable to prompt for confirmation as no tty available. Use --yes.")
    with pytest.raises(RuntimeError):
        fakes.delete_pool(_request(), confirm=refuse)
    assert fakes.steps() == ["pods"]


def test_pods_in_the_way_refuse_unless_drain_which_drains_then_verifies(monkeypatch):
    fakes = Fakes(monkeypatch, pods=[pod("web-1", "ReplicaSet"), pod("bare")])
    with pytest.raises(PodsLeftOnPool, match=r"(?s)2 pod\(s\).*ns/bare on wasi-0 \(no controller\)"):
        fakes.delete_pool(_request())
    assert fakes.steps() == ["pods"]

    fakes = Fakes(monkeypatch, pods=[pod("web-1", "ReplicaSet")])
    record = fakes.delete_pool(_request(drain=DrainOptions()))
    assert fakes.steps() == ["pods", "confirm", "drain", "verify", "DELETE"]
    assert record["drain"]["evicted"] == ["ns/web-1"]
    question = fakes.calls[1][1]
    assert "drain 1 pod(s)" in question and "DELETE WASI node pool 'wasi'" in question


def test_a_drain_that_does_not_finish_deletes_nothing(monkeypatch):
    fakes = Fakes(monkeypatch, pods=[pod("web-1", "ReplicaSet")], drain_left=["ns/web-1"])
    with pytest.raises(phase.DrainNotFinished, match=r"(?s)did not finish, so it was not deleted:\n  ns/web-1: "):
        fakes.delete_pool(_request(drain=DrainOptions()))
    assert fakes.deletes() == [] and "verify" not in fakes.steps()


@pytest.mark.parametrize("old, new, made_from, error, words", [
    ("gone", None, "wasi", pair.OldPoolGone, "has no node pool 'gone': nothing to delete"),
    ("hand", None, "wasi", pair.PoolNotDeletable, "is not a WASI node pool"),
    ("wasi", "hand", "wasi", pair.NotMadeFromOld, "it has no wasimig.migratedFrom tag"),
    ("wasi", "std", "other", pair.NotMadeFromOld, "its wasimig.migratedFrom tag names"),
])
def test_arm_must_prove_the_pair_before_anything_is_read(monkeypatch, old, new, made_from, error, words):
    fakes = Fakes(monkeypatch)
    with pytest.raises(error, match=words) as caught:
        home = Home(new=new, aci_resource_group=None if new else "rg")
        fakes.delete_pool(DeletePoolRequest(old=old, home=home), target(new, made_from))
    assert fakes.calls == []
    if new == "hand":
        assert caught.value.recommendation == "Name the pool made from it: std."


def test_the_last_system_pool_is_never_deleted_but_one_of_two_may_be(monkeypatch):
    fakes = Fakes(monkeypatch)
    with pytest.raises(pair.PoolNotDeletable, match="is the last System pool"):
        fakes.delete_pool(_request(), target(wasi_mode="System", system_pools=0))
    assert fakes.calls == []
    fakes.delete_pool(_request(), target(wasi_mode="System", system_pools=1))
    assert fakes.deletes() == [("DELETE", "wasi", {})]


def test_the_old_pool_gone_says_it_was_deleted_when_a_replacement_names_it():
    with pytest.raises(pair.OldPoolGone) as caught:
        pair.prove_for_rollback(target(made_from="gone"), "gone")
    assert "were made from it by wasimig" in str(caught.value) and caught.value.kind == "not_found"
    assert "cannot be created again" in caught.value.recommendation
