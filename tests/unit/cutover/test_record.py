"""The cutover record and its lease, on an in-memory store that answers like the API server (resourceVersions, 409
on a stale write or a second create)."""

import copy
import json

import pytest

from azext_wasimig.cutover import record as rec
from azext_wasimig.cutover.record import CutoverBusy, CutoverRecord, LeaseLost, RecordConflict

CLUSTER = "/subscriptions/s/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/aks"


class MemoryStore:
    """One ConfigMap, resourceVersion-checked like the API server; ``before_write`` runs before each write."""

    def __init__(self):
        self.body, self.version, self.writes, self.before_write = None, 0, [], None

    def get(self):
        return copy.deepcopy(self.body)

    def create(self, body):
        self._hook()
        if self.body is not None:
            raise RecordConflict("AlreadyExists")
        return self._store(body)

    def replace(self, body):
        self._hook()
        if self.body is None or body["metadata"].get("resourceVersion") != self.body["metadata"]["resourceVersion"]:
            raise RecordConflict("Conflict")
        return self._store(body)

    def _hook(self):
        hook, self.before_write = self.before_write, None
        if hook:
            hook()

    def _store(self, body):
        self.version += 1
        self.body = copy.deepcopy(body)
        self.body["metadata"]["resourceVersion"] = str(self.version)
        self.writes.append(self.body)
        return copy.deepcopy(self.body)

    def doc(self):
        return rec.read_config_map(self.body)[0]

    def lease(self):
        return rec.read_config_map(self.body)[1]


class Clock:
    def __init__(self, now=1_800_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


def holder(name, host="here", pid=100):
    return {"id": name, "host": host, "pid": pid}


def record(store, name="a", clock=None, alive=lambda pid: True, host="here", pid=100):
    return CutoverRecord(store, CLUSTER, "wasi", me=holder(name, host, pid), clock=clock or Clock(), alive=alive)


def test_the_first_run_creates_the_record_and_holds_the_lease():
    store = MemoryStore()
    doc = record(store).acquire()
    assert doc["runs"] == 1 and doc["oldPool"] == "wasi" and doc["cluster"] == CLUSTER
    assert store.lease()["holder"]["id"] == "a"
    meta = store.body["metadata"]
    assert meta["namespace"] == "wasimig-system" and meta["labels"]["app.kubernetes.io/managed-by"] == "wasimig"


def test_the_name_is_the_same_from_any_machine_and_a_valid_configmap_name():
    name = rec.record_name(CLUSTER.upper(), "WASI")
    assert name == rec.record_name(CLUSTER, "wasi") and name.startswith("cutover-wasi-") and len(name) < 63


def test_a_second_live_run_is_refused_naming_the_first():
    store = MemoryStore()
    clock = Clock()
    record(store, "a", clock).acquire()
    clock.now += 10
    with pytest.raises(CutoverBusy, match="process 100 on host here"):
        record(store, "b", clock, pid=200).acquire()
    assert store.lease()["holder"]["id"] == "a"


def test_a_stale_lease_is_taken_over_and_the_takeover_noted():
    store = MemoryStore()
    clock = Clock()
    record(store, "a", clock, host="other").acquire()
    clock.now += rec.LEASE_SECONDS + 1
    doc = record(store, "b", clock).acquire()
    assert store.lease()["holder"]["id"] == "b" and doc["runs"] == 2
    assert doc["faults"][-1]["kind"] == "takeover" and "stale" in doc["faults"][-1]["message"]


def test_a_killed_run_on_this_host_is_taken_over_at_once():
    store = MemoryStore()
    clock = Clock()
    record(store, "a", clock, pid=100).acquire()
    record(store, "b", clock, pid=200, alive=lambda pid: pid != 100).acquire()
    assert store.lease()["holder"]["id"] == "b" and "dead" in store.doc()["faults"][-1]["message"]


def test_a_live_holder_on_another_host_is_not_judged_by_our_process_table():
    assert rec.lease_state({"holder": holder("a", "there", 1), "renewedAt": rec.now_stamp(Clock()),
                            "durationSeconds": 60}, holder("b"), Clock()(), alive=lambda pid: False) == rec.HELD


def test_an_update_that_meets_a_409_reads_again_and_keeps_what_the_other_writer_wrote():
    store = MemoryStore()
    mine = record(store)
    mine.acquire()
    store.before_write = lambda: rec.request_abort(store, "operator")   # an --abort lands between read and write
    doc = mine.update(lambda d: d["phases"].setdefault("preflight", {}).update(status="done"))
    assert doc["abort"]["by"] == "operator" and doc["phases"]["preflight"]["status"] == "done"
    assert store.doc() == doc


def test_an_update_after_someone_took_the_lease_stops_with_lease_lost():
    store = MemoryStore()
    clock = Clock()
    mine = record(store, "a", clock)
    mine.acquire()
    clock.now += rec.LEASE_SECONDS + 5
    record(store, "b", clock).acquire()
    with pytest.raises(LeaseLost, match="Another run took over"):
        mine.update(lambda d: d.update(plan={"x": 1}))
    assert store.lease()["holder"]["id"] == "b" and store.doc()["plan"] is None


def test_a_create_race_is_decided_on_what_the_winner_wrote():
    store = MemoryStore()
    clock = Clock()
    store.before_write = lambda: record(store, "winner", clock, pid=300).acquire()
    with pytest.raises(CutoverBusy, match="process 300"):
        record(store, "loser", clock).acquire()


def test_release_gives_the_lease_up_and_keeps_the_history():
    store = MemoryStore()
    mine = record(store)
    mine.acquire()
    mine.update(lambda d: d.update(plan={"x": 1}))
    mine.release()
    assert store.lease() == {} and store.doc()["plan"] == {"x": 1}
    assert record(store, "b").acquire()["runs"] == 2


def test_abort_without_a_record_says_so():
    assert rec.request_abort(MemoryStore(), "me") is None


def test_faults_are_capped_and_messages_cut():
    doc = rec.empty_document(CLUSTER, "wasi")
    for index in range(rec.MAX_FAULTS + 5):
        rec.add_fault(doc, "drain", "error", "x" * 1000 + str(index))
    assert len(doc["faults"]) == rec.MAX_FAULTS and doc["faults"][-1]["message"] == "x" * rec.MESSAGE_LIMIT
    assert doc["faults"][0]["message"].startswith("x")


def test_created_ids_are_kept_once():
    doc = rec.empty_document(CLUSTER, "wasi")
    rec.add_created(doc, "agentPool", "/pool/1", "prepare")
    rec.add_created(doc, "agentPool", "/pool/1", "prepare")
    assert doc["created"] == [{"kind": "agentPool", "id": "/pool/1", "phase": "prepare"}]


def test_a_record_that_is_not_json_reads_as_empty():
    assert rec.read_config_map({"data": {"record": "{not json", "lease": "[]"}, "metadata": {}}) == ({}, {}, None)


def test_the_configmap_holds_only_the_document_and_the_lease():
    body = rec.config_map("n", CLUSTER, {"plan": 1}, {"holder": holder("a")}, "7")
    assert set(body["data"]) == {"record", "lease"} and json.loads(body["data"]["record"]) == {"plan": 1}
    assert body["metadata"]["resourceVersion"] == "7"


def test_a_rollback_sends_the_phases_it_undid_back_to_be_run_again():
    doc = rec.empty_document("/c", "wasi")
    doc["phases"] = {name: {"status": "done"} for name in ("preflight", "prepare", "parallel", "switch")}
    assert rec.roll_back(doc) == ["parallel", "switch"]
    assert list(doc["phases"]) == ["preflight", "prepare"] and doc["faults"][-1]["kind"] == "rollback"
    assert rec.roll_back(doc, keep_prepare=False) == ["prepare"] and list(doc["phases"]) == ["preflight"]
    assert rec.roll_back(doc) == [] and len(doc["faults"]) == 2, "nothing undone: nothing noted"
