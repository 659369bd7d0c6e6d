"""EvictionLoop bookkeeping: the timer heap, budget gates (one probe at a time per PDB) and waiting by UID."""

from azext_wasimig.drain import filters
from azext_wasimig.drain.evict_state import PROBING, EvictionLoop, PodProgress
from azext_wasimig.drain.options import DrainOptions


def progress(name, pdbs=None, deleting=False):
    meta = {"name": name, "namespace": "apps", "uid": f"uid-{name}",
            "ownerReferences": [{"kind": "ReplicaSet", "name": "rs", "controller": True}]}
    if deleting:
        meta["deletionTimestamp"] = "2025-07-01T10:00:00Z"
    pod = PodProgress(filters.decide({"metadata": meta, "spec": {"nodeName": "wasi-0"}}, DrainOptions()))
    pod.pdbs = pdbs
    return pod


def loop_of(*pods):
    return EvictionLoop(list(pods))


def test_queued_pods_are_due_at_once_and_terminating_ones_are_waited_for():
    queued, terminating = progress("a"), progress("b", deleting=True)
    loop = loop_of(queued, terminating)
    assert loop.pop_startable(0.0) is queued and loop.pop_startable(0.0) is None
    assert loop.waiting == {"wasi-0": {"uid-b": terminating}}
    assert loop.settle("wasi-0", {"uid-x"}) == [terminating] and terminating.state == "gone"


def test_a_budget_is_probed_by_one_pod_at_a_time():
    first, second, other = progress("a", ["web-pdb"]), progress("b", ["web-pdb"]), progress("c", ["db-pdb"])
    loop = loop_of(first, second, other)
    assert loop.pop_startable(1.0) is first               # closes web-pdb while it is in flight
    assert loop.pop_startable(1.0) is other               # another budget is not held up
    assert loop.pop_startable(1.0) is None and loop.due[0][0] == PROBING and loop.due[0][2] is second
    loop.reopen(first, 3.0, refused=True)                 # 429 again: everyone of web-pdb waits until 3.0
    assert loop.due[0][0] == 3.0 and loop.failures(second) == 1
    assert loop.pop_startable(2.9) is None and loop.pop_startable(3.0) is second


def test_an_accepted_probe_lets_the_next_pod_go_at_once():
    first, second = progress("a", ["web-pdb"]), progress("b", ["web-pdb"])
    loop = loop_of(first, second)
    loop.pop_startable(0.0)
    loop.pop_startable(0.0)
    loop.reopen(first, 0.5, refused=False)
    assert loop.pop_startable(0.5) is second and loop.failures(second) == 0


def test_pods_whose_budgets_are_unknown_are_never_gated():
    loop = loop_of(progress("a"), progress("b"))
    assert loop.pop_startable(0.0) and loop.pop_startable(0.0)
