"""The cutover's runbook contract under signals, after a SIGKILL and without a terminal, through the real az.

SIGINT/SIGTERM: the request in flight completes, the run stops at its next safe point between API calls, writes the
record (interrupted, with the fault), prints the runbook JSON on stdout and exits 1 naming the resume command. The
fault proxy holds one write of the drain phase (the cordon of an old node) while the signal comes: a run that
dropped that request mid-flight would leave the node schedulable (the proxy never forwards a request whose client
hung up). A second SIGINT stops the run at once, saying so (as kubectl and az do). --only-show-errors with stdin not a
terminal: the JSON is still on stdout, the exit codes as documented, nothing else on stderr.

SIGKILL inside an eviction call: the API server has written the budget (the pod in ``status.disruptedPods``) but not
deleted the pod; every other eviction under that budget is refused until the disruption controller gives up on it
two minutes later. The resume finishes that granted eviction instead (drain/granted.py); the test writes the budget
as eviction.go does (a SIGKILL does not hit that window on demand) and gives the drain one minute.
"""

import signal
import time
from datetime import datetime, timezone

import pytest

from azext_wasimig.kube import rest
from tests.k8s.cutover_estate import ReadySampler, a_move, cutover_subscription, moved  # noqa: F401
from tests.k8s.faultproxy import delay
from tests.k8s.harness import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.k8s]

DONE = ["preflight", "prepare", "parallel", "switch", "drain", "verify", "decommission"]
HOLD = 4          # seconds the proxy holds the cordon: the signal comes while it is held
LONG_HOLD = 120   # a hold the run must not wait out when told twice


@pytest.fixture(name="move")
def move_fixture(arm, az, k8s_api, kubelet, k8s_env, namespace, cutover_subscription,  # noqa: F811
                 fault_proxy):
    with a_move(arm, az, k8s_api, kubelet, k8s_env, namespace, via=fault_proxy.kubeconfig()) as made:
        yield made


def _done(document):
    """The phases done, in the run's order."""
    return [name for name in DONE if document["phases"].get(name, {}).get("status") == "done"]


def _cordons(proxy, move):
    return proxy.requests("PATCH", rf"^/api/v1/nodes/{move.old}-")


def _held(proxy, move):
    wait_for(lambda: any(r.get("held") for r in _cordons(proxy, move)), 180, "the cordon held by the proxy", 0.1)


def _record_says_interrupted(move, phase):
    doc, lease = move.record()
    faults = [f for f in doc["faults"] if f["kind"] == "interrupt"]
    return doc["phases"][phase]["status"] == "interrupted" and [f["phase"] for f in faults] == [phase] and not lease


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_a_signal_lets_the_write_in_flight_complete_then_stops_and_a_rerun_completes(move, fault_proxy, sig):
    fault_proxy.add_rule("PATCH", rf"^/api/v1/nodes/{move.old}-", delay(HOLD))
    proc = move.start("--batch-soak", "0.05", "--only-show-errors")
    _held(fault_proxy, move)
    move.kill(proc, sig)
    first = move.finish(proc)
    cordon = _cordons(fault_proxy, move)[0]
    assert first.rc == 1, first.err
    assert not cordon.get("abandoned") and cordon["status"] == 200, cordon
    node = cordon["path"].rsplit("/", 1)[-1]
    assert node in _cordoned(move), f"the cordon of {node} held at the signal was not applied"
    assert first.json["stoppedBy"] == "interrupt" and first.json["nextPhase"] == "drain", first.out
    assert "To resume, run: az aks wasi-migrate cutover" in first.err, first.err
    assert _record_says_interrupted(move, "drain"), move.record()
    second = move.cutover("--batch-soak", "0.05")
    assert _done(second.json) == DONE, second.err
    assert moved(move), "a pod was lost, or the old pool is not cordoned"


def test_a_second_sigint_stops_at_once_and_says_so(move, fault_proxy):
    fault_proxy.add_rule("PATCH", rf"^/api/v1/nodes/{move.old}-", delay(LONG_HOLD))
    proc = move.start("--batch-soak", "0.05")
    _held(fault_proxy, move)
    move.kill(proc, signal.SIGINT)
    time.sleep(1.0)                 # pacing, not a measure: two presses of Ctrl-C, a second apart
    if proc.poll() is None:
        move.kill(proc, signal.SIGINT)
    first = move.finish(proc, timeout=60)
    assert first.rc == 1, first.err
    assert _cordons(fault_proxy, move)[0].get("abandoned"), "the run waited for the held request"
    assert "stopping at the next safe point" in first.err and "stopping now" in first.err, first.err
    assert "To resume, run: az aks wasi-migrate cutover" in first.err and first.json["stoppedBy"] == "interrupt"
    assert _record_says_interrupted(move, "drain"), move.record()


def test_only_show_errors_without_a_terminal_prints_the_json_and_exits_as_documented(move):
    until = move.cutover("--until", "parallel", "--only-show-errors")
    assert until.json["phase"] == "parallel" and until.json["nextPhase"] == "switch", until.out
    assert until.json["stoppedBy"] == "until" and until.err == "", until.err
    remaining = move.cutover("--only-show-errors")
    assert _done(remaining.json) == DONE and remaining.json["nextPhase"] is None, remaining.out
    assert set(remaining.json) >= {"phase", "completed", "nextPhase", "gates", "created", "durationSeconds"}
    assert remaining.err == "", remaining.err
    assert moved(move)


def test_a_resume_finishes_the_eviction_a_killed_run_was_granted_instead_of_waiting_two_minutes(move):
    move.cutover("--until", "switch", "--drain-timeout", "1")
    with ReadySampler(move) as ready:
        first = sorted(move.on_pool(move.old, "loose"), key=lambda p: p["spec"]["nodeName"])[0]   # in batch 1, as
        pod = first["metadata"]["name"]                     # a killed run's pods are in the batch a resume starts at
        _granted_but_not_deleted(move, "loose", pod)
        rest_of_it = move.cutover("--drain-timeout", "1")
    assert _done(rest_of_it.json) == DONE, rest_of_it.err
    assert f"{move.ns}/{pod} had an eviction granted earlier that never deleted it" in rest_of_it.err
    assert moved(move), "a pod was lost, or the old pool is not cordoned"
    assert ready.minimum >= move.replicas - 1, f"the PDB (maxUnavailable 1) was violated: {ready.minimum}"


def _granted_but_not_deleted(move, budget, pod):
    """The budget as eviction.go's checkAndDecrement leaves it when the pod's deletion never came."""
    path = f"/apis/policy/v1beta1/namespaces/{move.ns}/poddisruptionbudgets/{budget}"
    wait_for(lambda: (rest.call(move.api, "GET", path).get("status") or {}).get("disruptionsAllowed") == 1, 30,
             "the budget settled")
    pdb = rest.call(move.api, "GET", path)
    pdb["status"]["disruptionsAllowed"] -= 1
    pdb["status"]["disruptedPods"] = {pod: datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    rest.call(move.api, "PUT", f"{path}/status", body=pdb)


def _cordoned(move):
    nodes = rest.call(move.api, "GET", "/api/v1/nodes", query={"labelSelector": f"agentpool={move.old}"})["items"]
    return {n["metadata"]["name"] for n in nodes if n["spec"].get("unschedulable")}
