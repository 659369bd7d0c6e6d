"""rollback's order on plain data and fakes: the proofs before the first change, then uncordon -> restore -> wait
-> (delete the new pool) -> (delete the move's container groups), each step reported, a rerun changing nothing
(the e2e tests prove the same through az: tests/k8s/test_e2e_decommission.py)."""

import pytest

from azext_wasimig.decommission import pair, rollback as phase, run
from azext_wasimig.decommission.rollback import RollbackRequest
from tests.unit.decommission.helpers import Done, pod, target


class Fakes:
    """The cluster (cordon, retarget's rollback, the rollout wait, pods on a pool) and the Azure clients."""

    def __init__(self, monkeypatch, cordoned=("wasi-0",), patched=("web",), on_new=(), groups=(), companions=()):
        self.calls, self.cordoned, self.patched, self.on_new = [], list(cordoned), list(patched), list(on_new)
        self.groups, self.companions = list(groups), list(companions)
        monkeypatch.setattr("azext_wasimig.cutover.companion.find", self._companions)
        monkeypatch.setattr("azext_wasimig.cutover.companion.delete", self._delete_companion)
        monkeypatch.setattr("azext_wasimig.drain.cordon_pool", self._uncordon)
        monkeypatch.setattr("azext_wasimig.retarget.run.run", self._restore)
        monkeypatch.setattr(phase.cluster, "wait_rolled_out", self._wait)
        monkeypatch.setattr(phase.cluster, "pods_on_pool", self._pods)
        monkeypatch.setattr(phase.aci_groups, "names_of_move", self._names)
        monkeypatch.setattr(phase.aci_groups, "delete_all", self._delete_groups)
        monkeypatch.setattr("azext_wasimig.cutover.run.reset_after_rollback", self._record)
        self.clients = run.Clients(connect=lambda: "api", agent_pools=self, container_groups="groups")

    def _record(self, _api, _target, keep_prepare, dry_run):
        self.calls.append(("record", keep_prepare, dry_run))
        return {"step": "cutoverRecord", "action": "none", "phases": []}

    def _uncordon(self, _api, pool, unschedulable, dry_run):
        self.calls.append(("uncordon", pool, unschedulable, dry_run))
        changed, self.cordoned = self.cordoned, self.cordoned if dry_run else []
        return {"changed": changed}

    def _restore(self, _api, request, **_):
        self.calls.append(("restore", request.old, request.new, request.phase, request.dry_run))
        rows = [{"namespace": "ns", "kind": "Deployment", "name": n, "action": "wouldPatch" if request.dry_run
                 else "patched"} for n in self.patched]
        rows += [{"namespace": "ns", "kind": "Deployment", "name": "back", "action": "unchanged"}]
        if not request.dry_run:
            self.patched = []
        return rows

    def _wait(self, _api, keys, pool, timeout, **_):
        self.calls.append(("wait", sorted(keys), pool, timeout))
        self.on_new = []

    def _companions(self, _api, cluster_id, old_pool):
        self.calls.append(("companions", cluster_id, old_pool))
        return [{"kind": "Deployment", "metadata": {"namespace": "ns", "name": name}} for name in self.companions]

    def _delete_companion(self, _api, companion):
        self.calls.append(("DELETE companion", companion["metadata"]["name"]))
        self.companions.remove(companion["metadata"]["name"])
        return "deleted"

    def _pods(self, _api, pool):
        self.calls.append(("pods", pool))
        return self.on_new

    def _names(self, _client, resource_group, _cluster_id, old_pool):
        self.calls.append(("groups", resource_group, old_pool))
        return list(self.groups)

    def _delete_groups(self, _client, resource_group, names, **_):
        self.calls.append(("DELETE groups", resource_group, list(names)))
        self.groups = []
        return list(names)

    def begin_delete(self, _resource_group, _cluster, name, polling, **options):
        self.calls.append(("DELETE pool", name, options))
        return Done()

    def confirm(self, question):
        self.calls.append(("confirm", question))

    def rollback(self, request, the_target=None):
        return run.rollback(the_target or target(), self.clients, request, confirm=self.confirm)

    def steps(self):
        return [c[0] for c in self.calls]


def _actions(result):
    return {s["step"]: s["action"] for s in result["steps"]}


def test_the_whole_way_back_in_reverse_order_and_a_rerun_changes_nothing(monkeypatch):
    fakes = Fakes(monkeypatch, groups=["web-0"], companions=["web-wasimig-companion"])
    request = RollbackRequest(old="WASI", new="std", delete_new_pool=True, delete_aci="rg-aci")
    result = fakes.rollback(request)
    assert fakes.steps() == ["confirm", "record", "uncordon", "restore", "wait", "companions", "DELETE companion",
                             "pods", "DELETE pool", "groups", "DELETE groups"]
    assert fakes.calls[1] == ("record", False, False), "the new home deleted: the record runs prepare again"
    assert fakes.calls[2] == ("uncordon", "wasi", False, False), "Azure's spelling"
    assert fakes.calls[3] == ("restore", "wasi", "std", "rollback", False)
    assert fakes.calls[4] == ("wait", [("ns", "Deployment", "back"), ("ns", "Deployment", "web")], "wasi", 600)
    assert fakes.calls[5] == ("companions", target().cluster["id"], "wasi"), "this cluster's and old pool's only"
    assert fakes.calls[8] == ("DELETE pool", "std", {}) and fakes.calls[10] == ("DELETE groups", "rg-aci", ["web-0"])
    assert _actions(result) == {"cutoverRecord": "none", "uncordon": "uncordoned", "restore": "restored",
                                "waitAvailable": "available", "removeCompanions": "deleted", "deleteNewPool": "deleted",
                                "deleteAci": "deleted"}
    assert [s for s in result["steps"] if s["step"] == "removeCompanions"][0]["companions"] == [
        "ns/Deployment/web-wasimig-companion"]

    fakes.calls = []
    again = fakes.rollback(request, target(new_gone=True))
    assert _actions(again) == {"cutoverRecord": "none", "uncordon": "unchanged", "restore": "unchanged",
                               "waitAvailable": "available", "removeCompanions": "none", "deleteNewPool": "alreadyGone",
                               "deleteAci": "none"}
    assert not [c for c in fakes.calls if c[0].startswith("DELETE")]


def test_a_dry_run_asks_nothing_waits_for_nothing_and_deletes_nothing(monkeypatch):
    fakes = Fakes(monkeypatch, on_new=[pod("web-1", "ReplicaSet")], groups=["web-0"],
                  companions=["web-wasimig-companion"])
    result = fakes.rollback(RollbackRequest(old="wasi", new="std", delete_new_pool=True, delete_aci="rg",
                                            dry_run=True))
    assert fakes.steps() == ["record", "uncordon", "restore", "companions", "pods", "groups"]
    assert _actions(result) == {"cutoverRecord": "none", "uncordon": "wouldUncordon", "restore": "wouldRestore",
                                "removeCompanions": "wouldDelete", "deleteNewPool": "wouldDelete",
                                "deleteAci": "wouldDelete"}
    assert [s for s in result["steps"] if s["step"] == "deleteNewPool"][0]["podsInTheWay"][0]["pod"] == "ns/web-1"


def test_without_the_flags_nothing_is_deleted(monkeypatch):
    fakes = Fakes(monkeypatch, groups=["web-0"])
    result = fakes.rollback(RollbackRequest(old="wasi", new="std"))
    assert list(_actions(result)) == ["cutoverRecord", "uncordon", "restore", "waitAvailable", "removeCompanions"]
    assert ("record", True, False) in fakes.calls, "the new pool kept: prepare stays done"
    assert "DELETE" not in fakes.calls[0][1], "the question names no deletion"
    assert not [c for c in fakes.calls if c[0].startswith("DELETE") or c[0] in ("pods", "groups")]


def test_a_new_pool_still_busy_after_the_timeout_is_not_deleted(monkeypatch):
    fakes = Fakes(monkeypatch)
    monkeypatch.setattr(phase.cluster, "wait_rolled_out", lambda *_a, **_k: None)   # someone else's pods stay
    fakes.on_new = [pod("cache-1", "ReplicaSet")]
    with pytest.raises(phase.NewPoolStillBusy, match=r"(?s)still runs pods other than DaemonSet pods after 0 s.*"
                                                     r"ns/cache-1 on wasi-0"):
        fakes.rollback(RollbackRequest(old="wasi", new="std", delete_new_pool=True, timeout=0))
    assert not [c for c in fakes.calls if c[0].startswith("DELETE")]


@pytest.mark.parametrize("old, made_from, delete_new_pool, error, words", [
    ("gone", "wasi", False, pair.OldPoolGone, "nothing to roll back to"),
    ("hand", "wasi", False, pair.PoolNotDeletable, "will only roll back to the WASI pools"),
    ("wasi", "other", True, pair.NotMadeFromOld, "was not made from 'wasi' by wasimig"),
])
def test_every_refusal_comes_before_the_first_change(monkeypatch, old, made_from, delete_new_pool, error, words):
    fakes = Fakes(monkeypatch)
    with pytest.raises(error, match=words):
        fakes.rollback(RollbackRequest(old=old, new="std", delete_new_pool=delete_new_pool),
                       target(made_from=made_from))
    assert fakes.calls == []


def test_keeping_a_new_pool_made_from_another_pool_is_fine(monkeypatch):
    fakes = Fakes(monkeypatch)
    fakes.rollback(RollbackRequest(old="wasi", new="std"), target(made_from="other"))
    assert "restore" in fakes.steps()
