"""`az aks wasi-migrate cutover --aci` end to end: the same resumable run with Azure Container Instances as the new
home. The real az with the wheel -> emulated ARM (container groups with real long-running operations) -> the real
kube-apiserver, the harness playing kubelets (tests/k8s/cutover_estate.py: a Spin Deployment ``web`` and a plain
one ``loose``, each with a PDB). A whole run; a SIGKILL in prepare, then a plain re-run (no group PUT twice); an ARM
429 on a group PUT; --dry-run; rollback after switch.
"""

import json
import random
import time

import pytest

from azext_wasimig.kube import rest
from tests.k8s.cutover_estate import APPS, CLUSTER, RG, SUB, Move, cutover_subscription  # noqa: F401
from tests.k8s.harness import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.k8s]

DONE = ["preflight", "prepare", "parallel", "switch", "drain", "verify", "decommission"]
REPLICAS_ANNOTATION = "wasimig.azure.com/original-replicas"


class AciMove(Move):
    """A cutover of the test's WASI pool to container groups (``--aci``) instead of a new node pool."""

    def args(self, *extra):
        return ["aks", "wasi-migrate", "cutover", "--subscription", SUB, "-g", RG,
                "-n", CLUSTER, "--nodepool-name", self.old, "--aci", "--final-soak", "0", "--interval", "1",
                "--grace-period", "1", *extra]

    def group_names(self):
        return sorted(f"{app}-{i}" for app in APPS for i in range(self.replicas))

    def groups(self):
        """The container groups in the cluster's resource group, by name."""
        return {g["name"]: g for g in self.arm.dump()["containerGroups"] if f"/resourceGroups/{RG}/" in g["id"]}

    def group_puts(self):
        """Per group, the PUTs ARM accepted (a PUT answered 429 and sent again by the SDK was not accepted)."""
        counts = {}
        for entry in self.arm.requests():
            if entry["method"] == "PUT" and "/containergroups/" in entry["path"].lower() \
                    and 200 <= int(entry.get("status") or 0) < 300:
                name = entry["path"].rsplit("/", 1)[-1]
                counts[name] = counts.get(name, 0) + 1
        return counts

    def workload(self, app):
        return rest.call(self.api, "GET", f"/apis/apps/v1/namespaces/{self.ns}/deployments/{app}")


@pytest.fixture(name="move")
def move_fixture(arm, az, k8s_api, kubelet, k8s_env, namespace, cutover_subscription):  # noqa: F811
    made = AciMove(arm, az, k8s_api, kubelet, namespace, k8s_env.kubeconfig)
    # The pods start before the test's nodes are schedulable at times (a FailedScheduling Warning): that is the
    # harness, not the move, and with --aci the parallel phase leaves those very pods in place for verify's events
    # gate to see. The move starts from a clean slate.
    rest.call(k8s_api, "DELETE", f"/api/v1/namespaces/{namespace}/events")
    arm.clear_requests()
    yield made
    arm.clear_faults()
    made.drop_record()


def done(document):
    return [name for name in DONE if document["phases"].get(name, {}).get("status") == "done"]


def assert_on_aci(move):
    """Every group of the move made once, Succeeded and tagged for this move; the in-cluster copies scaled to 0 with
    their replicas saved; nothing left on the old pool, which is cordoned."""
    groups = move.groups()
    assert sorted(groups) == move.group_names()
    for group in groups.values():
        assert group["properties"]["provisioningState"] == "Succeeded"
        assert group["tags"]["wasimig.nodepool"].lower() == move.old and group["tags"]["wasimig.cluster"].endswith(
            f"/managedClusters/{CLUSTER}")
    assert move.group_puts() == {name: 1 for name in move.group_names()}, "a container group was PUT twice"
    for app in APPS:
        workload = move.workload(app)
        assert workload["spec"]["replicas"] == 0
        saved = json.loads(workload["metadata"]["annotations"][REPLICAS_ANNOTATION])
        assert saved == {"from": move.old, "to": "aci", "replicas": move.replicas}
        wait_for(lambda a=app: not move.pods(a), 30, f"{app}'s in-cluster pods gone")
    assert set(move.unschedulable(move.old)) == {True}


def test_a_whole_cutover_to_aci_makes_the_groups_once_and_scales_the_cluster_copies_to_zero(move):
    result = move.cutover()
    summary = result.json
    assert done(summary) == DONE and summary["phase"] == "decommission" and summary["stoppedBy"] is None
    assert summary["completed"] is True and len(move.pool_deletes(move.old)) == 1
    assert summary["plan"]["options"]["aci"] is True and summary["plan"]["options"]["aciResourceGroup"] == RG
    assert summary["plan"]["options"]["newPool"] is None
    assert sorted(n for names in summary["plan"]["aciGroups"].values() for n in names) == move.group_names()
    created = [c for c in summary["created"] if c["kind"] == "containerGroup"]
    assert sorted(c["id"].rsplit("/", 1)[-1] for c in created) == move.group_names()
    assert {c["phase"] for c in created} == {"prepare"}
    aci_gate = [g for g in summary["gates"]["verify"] if g["name"] == "aci-groups"]
    assert aci_gate and aci_gate[0]["passed"] and all(g["passed"] for g in summary["gates"]["verify"])
    parallel = move.record()[0]["phases"]["parallel"]["evidence"]["verify"]
    assert any(g["name"] == "aci-groups" and g["passed"] for g in parallel["gates"])
    assert_on_aci(move)
    assert "s] prepare: " in result.err and "s] switch: " in result.err
    assert not [p for p in move.pool_puts(move.old)] and not [
        e for e in move.arm.requests() if e["method"] == "PUT" and "/agentpools/" in e["path"].lower()]


def test_dry_run_names_the_groups_it_would_make_and_changes_nothing(move):
    plan = move.cutover("--dry-run", yes=False).json
    assert plan["dryRun"] and plan["nextPhase"] == "preflight" and plan["phases"] == {}
    assert plan["plan"]["aciGroups"] == {f"{move.ns}/Deployment/{app}": [f"{app}-0", f"{app}-1"] for app in APPS}
    assert plan["plan"]["aciResourceGroup"] == RG and "newPoolBody" not in plan["plan"]
    assert move.record() == (None, None) and move.group_puts() == {} and move.groups() == {}


def test_a_sigkill_in_prepare_then_a_plain_rerun_makes_no_group_twice(move, arm):
    # every group PUT slowed down, so that the kill lands between the PUTs and the groups' waits
    arm.add_faults([{"method": "PUT", "path": "/containerGroups/", "delayMs": 400, "times": -1}])
    proc = move.start()
    try:
        wait_for(lambda: move.group_puts(), 120, "a container group PUT accepted", 0.1)
        time.sleep(random.uniform(0, 0.6))
    finally:
        move.kill(proc)
    killed = move.finish(proc)
    doc, lease = move.record()
    assert killed.rc != 0 and lease.get("holder") and doc["phases"]["prepare"]["status"] == "running"
    arm.clear_faults()
    result = move.cutover()
    assert done(result.json) == DONE, result.err
    assert result.json["phases"]["prepare"]["attempts"] == 2
    assert any(f["kind"] == "takeover" for f in result.json["faults"])
    assert_on_aci(move)


def test_an_arm_429_on_a_group_put_is_retried_and_the_run_completes(move, arm):
    arm.add_faults([{"method": "PUT", "path": "/containerGroups/web-0$", "status": 429, "retryAfter": 1}])
    result = move.cutover()
    assert done(result.json) == DONE, result.err
    assert any(e["status"] == 429 and e["method"] == "PUT" for e in arm.requests()), "the 429 was never served"
    assert_on_aci(move)


def test_rollback_after_switch_brings_the_cluster_copies_back_and_deletes_the_groups(move, az):
    first = move.cutover("--until", "switch").json
    assert done(first) == DONE[:4] and first["nextPhase"] == "drain"
    assert all(move.workload(app)["spec"]["replicas"] == 0 for app in APPS)
    back = az("aks", "wasi-migrate", "rollback", "--subscription", SUB, "-g", RG,
              "-n", CLUSTER, "--nodepool-name", move.old, "--aci", "--delete-aci", "--yes").json
    steps = {s["step"]: s for s in back["steps"]}
    assert steps["restoreReplicas"]["action"] == "restored"
    assert sorted(steps["deleteAci"]["containerGroups"]) == move.group_names()
    for app in APPS:
        workload = move.workload(app)
        assert workload["spec"]["replicas"] == move.replicas
        assert REPLICAS_ANNOTATION not in (workload["metadata"].get("annotations") or {})
        wait_for(lambda a=app: move.ready(a) == move.replicas and len(move.on_pool(move.old, a)) == move.replicas,
                 60, f"{app} back on the old pool")
    assert move.groups() == {}
    again = az("aks", "wasi-migrate", "rollback", "--subscription", SUB, "-g", RG,
               "-n", CLUSTER, "--nodepool-name", move.old, "--aci", "--delete-aci", "--yes").json
    assert {s["step"]: s["action"] for s in again["steps"]}["restoreReplicas"] == "unchanged"
