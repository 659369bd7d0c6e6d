"""The cutover's fault matrix through the real az: ARM faults from the emulator (429 with Retry-After, 500, a failed
long-running operation), Kubernetes faults from the fault proxy in front of the API server (429, 500, 409: the
cluster's credentials from ARM point at the proxy), SIGINT and SIGTERM, each on the calls of one phase.

After each: a plain re-run completes the cutover; Ready replicas never fell below the PDB (sampled every 200 ms); no
pod lost (every replica Ready on the new pool); the new pool's PUT accepted once (twice after a failed LRO: AKS's
advice is to send it again; a PUT answered 429 was not accepted); and a fault that stopped the run is in the record, naming its phase. A fault the transport or the
SDK retries away (a single 429 or 500) leaves the first run to complete by itself: the log shows it was served.
SIGKILL is in test_e2e_cutover.py. The old pool is deleted exactly once, after the final verify (twice after a failed
DELETE: sent again once checked, as AKS advises).
"""

import signal
from dataclasses import dataclass

import pytest

from tests.k8s.cutover_estate import CLUSTER, ReadySampler, a_move, cutover_subscription, moved  # noqa: F401
from tests.k8s.faultproxy import status
from tests.k8s.harness import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.k8s]

DONE = ["preflight", "prepare", "parallel", "switch", "drain", "verify", "decommission"]
SLOW_DELETE = {"lroPolls": 15, "retryAfterMs": 200}   # the old pool's DELETE polled for about 3 s


@dataclass(frozen=True)
class Fault:
    """``arm``: an emulator fault rule (its path is formatted with old/new); ``kube``: (method, path regex, status,
    times[, query regex]) for the fault proxy; ``signal``: sent once ``phase`` runs (once the old pool's DELETE is accepted, in
    decommission); ``stops``: the first run exits 1; ``puts``/``deletes``: the new pool's PUTs and the old pool's
    DELETEs ARM accepted in all; ``after``: the phases up to this one run first, without the fault (a fault on
    calls that earlier phases make too); ``settings``: the emulator's, for the faulted run."""
    phase: str
    arm: dict = None
    kube: tuple = None
    signal: int = None
    stops: bool = True
    puts: int = 1
    deletes: int = 1
    after: str = None
    settings: dict = None


CASES = {
    "arm-429-retry-after-on-the-new-pool-put": Fault("prepare", arm={
        "method": "PUT", "path": "/agentPools/{new}$", "status": 429, "retryAfter": 1}, stops=False),
    "arm-500-on-the-cluster-read": Fault("preflight", arm={
        "method": "GET", "path": "/managedClusters/" + CLUSTER + "$", "status": 500, "times": 2}, stops=False),
    "arm-failed-lro-of-the-new-pool": Fault("prepare", arm={
        "method": "PUT", "path": "/agentPools/{new}$", "lroFail": True}, puts=2),
    "kube-500-on-every-deployment-patch": Fault("switch", kube=("PATCH", r"/deployments/web$", 500, -1)),
    "kube-500-on-the-companion-create": Fault("parallel", kube=("POST", r"/namespaces/[^/]+/deployments$", 500, -1)),
    "kube-409-on-the-cutover-patch": Fault("switch", kube=("PATCH", r"/deployments/web$", 409, 1), stops=False),
    "kube-429-on-the-scan": Fault("preflight", kube=("GET", r"^/apis/apps/v1/deployments$", 429, 2), stops=False),
    "kube-500-on-every-eviction": Fault("drain", kube=("POST", r"/eviction$", 500, -1)),
    "kube-500-on-every-event-list": Fault("parallel", kube=("GET", r"^/api/v1/events$", 500, -1)),
    "kube-409-on-the-record": Fault("switch", kube=("PUT", r"/configmaps/cutover-", 409, 1), stops=False),
    "sigint-in-the-parallel-rollout": Fault("parallel", signal=signal.SIGINT),
    "sigterm-in-the-drain": Fault("drain", signal=signal.SIGTERM),
    "arm-429-retry-after-on-the-old-pool-delete": Fault("decommission", arm={
        "method": "DELETE", "path": "/agentPools/{old}$", "status": 429, "retryAfter": 1}, stops=False),
    "arm-500-on-every-old-pool-delete": Fault("decommission", arm={
        "method": "DELETE", "path": "/agentPools/{old}$", "status": 500, "times": -1}),
    "arm-failed-lro-of-the-old-pool-delete": Fault("decommission", arm={
        "method": "DELETE", "path": "/agentPools/{old}$", "lroFail": True}, deletes=2),
    "kube-500-on-every-pod-list-of-the-old-pools-nodes": Fault("decommission", kube=(
        "GET", r"^/api/v1/pods$", 500, -1, "fieldSelector=spec.nodeName"), after="verify"),
    "kube-429-on-the-pod-lists-of-the-old-pools-nodes": Fault("decommission", kube=(
        "GET", r"^/api/v1/pods$", 429, 2, "fieldSelector=spec.nodeName"), after="verify", stops=False),
    "sigint-in-the-old-pool-delete-poll": Fault("decommission", signal=signal.SIGINT, settings=SLOW_DELETE),
}


@pytest.fixture(name="move")
def move_fixture(arm, az, k8s_api, kubelet, k8s_env, namespace, cutover_subscription,  # noqa: F811
                 fault_proxy):
    with a_move(arm, az, k8s_api, kubelet, k8s_env, namespace, via=fault_proxy.kubeconfig()) as made:
        yield made


def done(document):
    return [name for name in DONE if document["phases"].get(name, {}).get("status") == "done"]


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_after_a_fault_a_plain_rerun_completes_the_cutover(move, fault_proxy, arm, case):
    fault = CASES[case]
    with ReadySampler(move) as ready:
        if fault.after:
            move.cutover("--batch-soak", "0.05", "--until", fault.after)
        arm.settings(**(fault.settings or {}))
        try:
            first = _faulted_run(move, fault_proxy, arm, fault)
        finally:
            arm.settings(lroPolls=2, retryAfterMs=50)
        served = _served(fault_proxy, arm, fault)
        fault_proxy.clear()
        arm.clear_faults()
        second = move.cutover("--batch-soak", "0.05")
    assert first.rc == (1 if fault.stops else 0), f"{first.rc}\n{first.err}"
    assert done(second.json) == DONE, second.err
    assert moved(move), "a pod was lost, or the old pool is not cordoned"
    assert ready.minimum >= move.replicas - 1, f"the PDB (maxUnavailable 1) was violated: {ready.minimum}"
    assert len(move.pool_puts(move.new)) == fault.puts
    assert move.old_pool_deleted_after_the_final_verify(), "the old pool: deleted, and only after the final verify"
    assert len(move.pool_deletes(move.old)) == fault.deletes, move.pool_deletes(move.old)
    faults = [f for f in second.json["faults"] if f["kind"] != "takeover"]
    if fault.stops:
        assert [f["phase"] for f in faults] == [fault.phase], faults
        assert faults[0]["kind"] == ("interrupt" if fault.signal else "error"), faults
        assert second.json["phases"][fault.phase]["attempts"] == 2
    else:
        assert faults == [] and served, "the fault was never served"


def _faulted_run(move, proxy, arm, fault):
    if fault.arm:
        arm.add_faults([{**fault.arm, "path": fault.arm["path"].format(old=move.old, new=move.new)}])
    if fault.kube:
        method, path, code, times, query = (*fault.kube, None)[:5]
        proxy.add_rule(method, path, status(code, retry_after=1 if code == 429 else None), times=times, query=query)
    if not fault.signal:
        return move.cutover("--batch-soak", "0.05", expect=None)
    proc = move.start("--batch-soak", "0.05")
    move.wait_for_phase(fault.phase)
    if fault.phase == "decommission":   # inside the DELETE's long-running operation
        wait_for(lambda: move.pool_deletes(move.old), 60, "the old pool's DELETE", 0.05)
    move.kill(proc, fault.signal)
    result = move.finish(proc)
    assert "To resume, run: az aks wasi-migrate cutover" in result.err and result.json["stoppedBy"] == "interrupt"
    return result


def _served(proxy, arm, fault):
    if fault.signal:
        return True
    if fault.arm:
        return any(e["status"] == fault.arm.get("status") for e in arm.requests()
                   if e["method"] == fault.arm["method"])
    method, path, code = fault.kube[:3]
    return any(r["status"] == code and r["method"] == method for r in proxy.requests())
