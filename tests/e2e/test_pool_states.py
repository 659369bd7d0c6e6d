"""The new pool's provisioning state, through the real az against the emulated Azure: create-pool never calls a
pool `unchanged` unless AKS says it is Succeeded, re-sends one it made that Failed, waits for one still being made
(also after Ctrl-C), creates with `If-None-Match: *`; `wait` fails when its timeout passes; retarget refuses a
target pool that is a System pool or not Succeeded. Nothing here needs a Kubernetes cluster: every refusal comes
before the cluster is reached.
"""

import queue
import signal
import subprocess
import threading

import pytest

from tests.conftest import arm_calls, serving_estate

pytestmark = pytest.mark.e2e

SUB, RG, CLUSTER = "77777777-7777-7777-7777-777777777777", "rg-states", "aks-states"
PROVENANCE = "wasimig.migratedFrom"
WASI_ID = (f"/subscriptions/{SUB}/resourcegroups/{RG}/providers/Microsoft.ContainerService/managedClusters/{CLUSTER}"
           "/agentPools/wasi")


def _pool(name, **props):
    return {"name": name, "mode": "User", "vmSize": "Standard_D2s_v5", "count": 1, **props}


ESTATE = {
    "tenantId": "72f988bf-0000-0000-0000-000000000001",
    "subscriptions": [{"subscriptionId": SUB, "displayName": "States", "clusters": [{
        "name": CLUSTER, "resourceGroup": RG, "location": "westeurope", "kubernetesVersion": "1.30.4",
        "agentPools": [
            _pool("sys", mode="System"),
            _pool("wasi", workloadRuntime="WasmWasi"),
            _pool("std"),
            # made by an earlier create-pool whose operation AKS left in these states (no operation runs now)
            _pool("stuck", provisioningState="Creating", tags={PROVENANCE: WASI_ID}),
            _pool("broken", provisioningState="Failed", tags={PROVENANCE: WASI_ID}),
        ]}]}],
}


@pytest.fixture(scope="module")
def states_estate(arm, az):
    with serving_estate(arm, az, ESTATE):
        yield


@pytest.fixture
def fresh(arm, az, states_estate):
    """The estate as declared, for a test that changes pools."""
    arm.set_estate(ESTATE)
    arm.clear_requests()
    arm.clear_faults()
    yield
    arm.clear_faults()


def wasi_migrate(az, verb, *args, expect=0):
    return az("aks", "wasi-migrate", verb, "--subscription", SUB, "-g", RG, "-n", CLUSTER, *args, expect=expect)


def create_pool(az, new, *args, expect=0):
    return wasi_migrate(az, "create-pool", "--nodepool-name", "wasi", "--new-nodepool-name", new, *args,
                        expect=expect)


def pool_puts(arm, name):
    return arm_calls(arm.requests(), "PUT", f"/agentPools/{name}")


def state_of(arm, name):
    """The pool's state from the emulator's dump (a GET would be a polling step of its operation)."""
    (found,) = [p for p in arm.dump()["agentPools"] if p["id"].endswith(f"/{CLUSTER}/agentPools/{name}")]
    return found["properties"]["provisioningState"]


def test_the_first_put_carries_if_none_match(az, arm, fresh):
    assert create_pool(az, "fresh1").json["action"] == "created"
    (put,) = pool_puts(arm, "fresh1")
    assert put["headers"].get("If-None-Match") == "*"


def test_a_failed_pool_it_made_is_sent_again_never_unchanged(az, arm, fresh):
    arm.add_faults([{"method": "PUT", "path": "/agentPools/again$", "lroFail": True, "times": 1}])
    failed = create_pool(az, "again", expect=1)
    assert "Failed" in failed.err and "this command again as is" in failed.err
    arm.clear_requests()
    again = create_pool(az, "again").json
    assert again["action"] == "created" and any("Failed" in note for note in again["notes"])
    (put,) = pool_puts(arm, "again")
    assert "If-None-Match" not in put["headers"] and put["headers"].get("If-Match"), "re-sent over that very pool"
    assert state_of(arm, "again") == "Succeeded"


def test_dry_run_on_a_failed_pool_says_it_would_send_it_again(az, arm, fresh):
    result = create_pool(az, "broken", "--dry-run").json
    assert result["action"] == "wouldCreate" and any("Failed" in note for note in result["notes"])
    assert pool_puts(arm, "broken") == []


def test_a_pool_still_being_made_is_not_unchanged(az, arm, fresh):
    result = create_pool(az, "stuck", "--no-wait")
    assert result.out.strip() == "" and "still being created" in result.err and "--created" in result.err
    assert create_pool(az, "stuck", "--dry-run").json["action"] == "wouldWait"
    assert pool_puts(arm, "stuck") == []


def test_a_pool_someone_else_made_meanwhile_is_a_clear_error(az, arm, fresh):
    arm.add_faults([{"method": "PUT", "path": "/agentPools/racy$", "status": 412, "times": 1,
                     "error": {"code": "PreconditionFailed", "message": "The resource already exists."}}])
    result = create_pool(az, "racy", expect=1)
    assert "appeared" in result.err and "Traceback" not in result.err


def _ctrl_c_as_in_a_terminal():
    """A shell starts background jobs with SIGINT ignored, and Python keeps an ignored SIGINT ignored: give az the
    default disposition a terminal's foreground process has, so Ctrl-C (SIGINT) interrupts it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _reader(stream, lines):
    for line in stream:
        lines.put(line)
    lines.put(None)


def test_ctrl_c_says_what_was_done_and_a_rerun_waits_for_the_pool(az, arm, fresh):
    before, proc = arm.settings(), None
    arm.settings(lroPolls=3, retryAfterMs=120000)   # az sleeps two minutes before its first poll: time for Ctrl-C
    try:
        proc = subprocess.Popen(
            [az.path, "aks", "wasi-migrate", "create-pool", "--subscription", SUB, "-g", RG, "-n", CLUSTER,
             "--nodepool-name", "wasi", "--new-nodepool-name", "inter", "--verbose"],
            env=az.env, cwd=az.cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, preexec_fn=_ctrl_c_as_in_a_terminal)
        lines, err = queue.Queue(), []
        threading.Thread(target=_reader, args=(proc.stderr, lines), daemon=True).start()
        while not any("Creating node pool 'inter':" in line for line in err):   # the wait has begun
            line = lines.get(timeout=120)
            assert line is not None, "".join(err)
            err.append(line)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 1
        out = proc.stdout.read()
        while (line := lines.get(timeout=60)) is not None:
            err.append(line)
    finally:
        arm.settings(lroPolls=before["lroPolls"], retryAfterMs=before["retryAfterMs"])
        if proc and proc.poll() is None:
            proc.kill()
    text = "".join(err)
    assert out == "" and "Traceback" not in text
    assert "is being created" in text
    assert f"az aks wasi-migrate wait --subscription {SUB} -g {RG} -n {CLUSTER} --nodepool-name inter --created" in text
    assert state_of(arm, "inter") == "Creating"

    arm.clear_requests()
    busy = create_pool(az, "inter", "--no-wait")
    assert "still being created" in busy.err and busy.out.strip() == ""
    done = create_pool(az, "inter").json
    assert done["action"] == "created" and done["agentPool"]["properties"]["provisioningState"] == "Succeeded"
    assert pool_puts(arm, "inter") == [], "the pool was waited for, not sent again"


def test_wait_fails_when_its_timeout_passes_and_never_sleeps_past_it(az, arm, fresh):
    result = wasi_migrate(az, "wait", "--nodepool-name", "stuck", "--created", "--timeout", "3", "--interval", "30",
                          expect=1)
    assert "stuck" in result.err and "Creating" in result.err and "--timeout" in result.err
    gets = arm_calls(arm.requests(), "GET", "/agentPools/stuck")
    assert len(gets) == 2, "one read at the start and one when the timeout is reached, not one per 30 s interval"


def test_wait_for_a_failed_pool_fails_at_once(az, arm, fresh):
    result = wasi_migrate(az, "wait", "--nodepool-name", "broken", "--created", "--interval", "1", expect=1)
    assert "broken" in result.err and "Failed" in result.err


def test_wait_needs_a_condition(az, arm, fresh):
    result = wasi_migrate(az, "wait", "--nodepool-name", "std", expect=None)
    assert result.rc != 0 and "--created" in result.err and "Traceback" not in result.err
    assert arm_calls(arm.requests()) == []


@pytest.mark.parametrize("new, words", [
    ("sys", "System pool"),
    ("SYS", "System pool"),
    ("stuck", "Creating"),
    ("broken", "Failed"),
])
def test_retarget_refuses_a_target_pool_that_cannot_take_the_workloads(az, arm, fresh, new, words):
    result = wasi_migrate(az, "retarget", "--nodepool-name", "wasi", "--new-nodepool-name", new, "--phase",
                          "parallel", expect=1)
    assert words in result.err and "Traceback" not in result.err
    assert not [e for e in arm.requests() if "listClusterUserCredential" in e["path"]], "the cluster was not reached"
    assert [e for e in arm_calls(arm.requests()) if e["method"] != "GET"] == []

