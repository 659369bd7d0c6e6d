"""`az aks wasi-migrate verify` end to end: the real az with the wheel -> emulated ARM (the pools, their states, the
container groups and their instance views) -> the real kube-apiserver, controllers and scheduler v1.20.2, with the
harness playing kubelet (pod states, restarts and the Events a kubelet would write).

Each test gets its own namespace and pools: ``pool_name(ns, "w")`` the WASI pool, ``pool_name(ns, "s")`` the new
one, two nodes each, labelled ``wasimig.test/ns`` so the test's pods stay on its own nodes. The workload ``web`` is
what retarget's cutover leaves: pinned to the new pool, the Spin RuntimeClass ``wasimig-verify-spin`` (it selects
the nodes labelled spin=true, which only the new pool's nodes are), the move saved in its annotation.
"""

import json
import threading
import uuid

import pytest

from azext_wasimig.kube import rest
from tests.conftest import arm_calls, serving_estate
from tests.emulator.resources import cluster_id
from tests.k8s.gitops_estate import create_owner, gitops_crds, kustomization_labels, patch_owner  # noqa: F401
from tests.k8s.harness import create_when_ready, embedded_kubeconfig, exists, pool_name, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.k8s]

SUB, RG, CLUSTER, ACI_RG = "77777777-7777-4777-8777-777777777777", "rg-verify", "aks-verify", "rg-verify-aci"
TEST_LABEL, POOL_LABEL = "wasimig.test/ns", "kubernetes.azure.com/agentpool"
WASI_LABEL, SPIN_LABEL = "kubernetes.azure.com/wasmtime-spin-v1", "spin"
OLD_CLASS, SPIN_CLASS = "wasmtime-spin-v1", "wasimig-verify-spin"
ORIGINAL = "wasimig.azure.com/original-placement"
CLUSTER_ID = cluster_id({"resourceGroup": RG, "name": CLUSTER}, SUB)


def estate(old="wasi", new="std", new_pool=None, groups=()):
    pools = [{"name": "sys", "mode": "System", "vmSize": "Standard_D2s_v5", "count": 1},
             {"name": old, "mode": "User", "vmSize": "Standard_D2s_v5", "count": 2, "workloadRuntime": "WasmWasi"},
             {"name": new, "mode": "User", "vmSize": "Standard_D2s_v5", "count": 2, **(new_pool or {})}]
    return {"tenantId": "72f988bf-0000-0000-0000-000000000001", "subscriptions": [{
        "subscriptionId": SUB, "displayName": "Verify", "resourceGroups": [ACI_RG],
        "containerGroups": list(groups),
        "clusters": [{"name": CLUSTER, "resourceGroup": RG, "location": "westeurope", "kubernetesVersion": "1.30.4",
                      "agentPools": pools}]}]}


@pytest.fixture(scope="module")
def verify_subscription(arm, az, k8s_api):
    made = []
    for name, selector in ((OLD_CLASS, {WASI_LABEL: "true"}), (SPIN_CLASS, {SPIN_LABEL: "true"})):
        if not exists(k8s_api, f"/apis/node.k8s.io/v1/runtimeclasses/{name}"):
            rest.call(k8s_api, "POST", "/apis/node.k8s.io/v1/runtimeclasses", body={
                "metadata": {"name": name}, "handler": "spin", "scheduling": {"nodeSelector": selector}})
            made.append(name)
    with serving_estate(arm, az, estate()):
        yield
    for name in made:
        rest.call(k8s_api, "DELETE", f"/apis/node.k8s.io/v1/runtimeclasses/{name}")


class Move:
    """The test's cluster: its pools in ARM and as nodes, and ways to run verify and break things."""

    def __init__(self, arm, az, api, kubelet, namespace, kubeconfig):
        self.arm, self.az, self.api, self.kubelet, self.ns = arm, az, api, kubelet, namespace
        self.old, self.new = pool_name(namespace, "w"), pool_name(namespace, "s")
        self.kubeconfig = embedded_kubeconfig(kubeconfig)
        self.set_estate()
        kubelet.add_pool(self.old, 2, labels={TEST_LABEL: namespace, WASI_LABEL: "true"})
        kubelet.add_pool(self.new, 2, labels={TEST_LABEL: namespace, SPIN_LABEL: "true"})

    def set_estate(self, new_pool=None, groups=()):
        self.arm.set_estate(estate(self.old, self.new, new_pool, groups))
        self.arm.set_kubeconfig(SUB, RG, CLUSTER, self.kubeconfig)

    def verify(self, *args, expect=0, home=None):
        where = list(home) if home is not None else ["--new-nodepool-name", self.new]
        return self.az("aks", "wasi-migrate", "verify", "--subscription", SUB, "-g", RG, "-n", CLUSTER,
                       "--nodepool-name", self.old, *where, *args, expect=expect)

    def deployment(self, name="web", pool=None, runtime_class=SPIN_CLASS, moved=True, replicas=2):
        """A Deployment pinned to ``pool`` (default: the new one), with retarget's saved placement when ``moved``."""
        pool = pool or self.new
        spec = {"nodeSelector": {POOL_LABEL: pool, TEST_LABEL: self.ns}, "terminationGracePeriodSeconds": 1,
                "containers": [{"name": "app", "image": "example.azurecr.io/spin-web:1"}]}
        if runtime_class:
            spec["runtimeClassName"] = runtime_class
        saved = {"from": self.old, "to": self.new, "placement": {
            "nodeSelector": {POOL_LABEL: self.old, TEST_LABEL: self.ns}, "runtimeClassName": OLD_CLASS}}
        body = {"metadata": {"name": name, "annotations": {ORIGINAL: json.dumps(saved)} if moved else {}},
                "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                         "template": {"metadata": {"labels": {"app": name}}, "spec": spec}}}
        create_when_ready(self.api, f"/apis/apps/v1/namespaces/{self.ns}/deployments", body)
        wait_for(lambda: self.rolled_out(name, replicas), 60, f"{name}'s {replicas} pods available")

    def rolled_out(self, name, replicas):
        status = rest.call(self.api, "GET", f"/apis/apps/v1/namespaces/{self.ns}/deployments/{name}").get(
            "status") or {}
        return status.get("availableReplicas") == replicas == status.get("updatedReplicas") == status.get(
            "replicas")

    def pods(self, app="web"):
        return rest.call(self.api, "GET", f"/api/v1/namespaces/{self.ns}/pods",
                         query={"labelSelector": f"app={app}"})["items"]

    def patch_node(self, index, body, status=False):
        path = f"/api/v1/nodes/{self.new}-{index}" + ("/status" if status else "")
        rest.call(self.api, "PATCH", path, body=body, content_type="application/merge-patch+json")

    def pod_event(self, pod, reason, message):
        """A Warning Event about ``pod``, as a kubelet writes one."""
        meta = pod["metadata"]
        now = "2026-12-01T12:00:00Z"
        rest.call(self.api, "POST", f"/api/v1/namespaces/{self.ns}/events", body={
            "metadata": {"name": f"{meta['name']}.{uuid.uuid4().hex[:8]}"}, "type": "Warning", "reason": reason,
            "message": message, "count": 4, "firstTimestamp": now, "lastTimestamp": now,
            "source": {"component": "kubelet", "host": pod["spec"]["nodeName"]},
            "involvedObject": {"kind": "Pod", "namespace": self.ns, "name": meta["name"], "uid": meta["uid"],
                               "apiVersion": "v1"}})


@pytest.fixture(name="move")
def move_fixture(arm, az, k8s_api, kubelet, k8s_env, namespace, verify_subscription):
    return Move(arm, az, k8s_api, kubelet, namespace, k8s_env.kubeconfig)


def failed_gates(result):
    """{gate: [failure lines]} from verify's error: the gates it names, each with its objects."""
    gates, current = {}, None
    for line in result.err.splitlines():
        if line.startswith("  ") and not line.startswith("    ") and line.strip().endswith(":"):
            current = gates.setdefault(line.strip()[:-1], [])
        elif line.startswith("    ") and current is not None:
            current.append(line.strip())
    return gates


# --- passing ---------------------------------------------------------------------------------------------------

def test_a_clean_migration_passes_every_gate(move, tmp_path):
    """The whole way: a Spin app on the WASI pool, cut over by retarget, then verified (JSON, table, report)."""
    move.deployment(pool=move.old, runtime_class=OLD_CLASS, moved=False)
    move.az("aks", "wasi-migrate", "retarget", "--subscription", SUB, "-g", RG, "-n", CLUSTER, "--nodepool-name",
            move.old, "--new-nodepool-name", move.new, "--phase", "cutover", "--runtime-class", SPIN_CLASS, "--yes")
    wait_for(lambda: move.rolled_out("web", 2) and all(p["spec"].get("nodeName", "").startswith(move.new)
                                                       for p in move.pods()), 60, "web's pods on the new pool")
    report = tmp_path / "verify.md"
    summary = move.verify("--report", str(report)).json
    assert summary["passed"] and summary["checks"] == 1 and summary["newPool"] == move.new
    gates = {g["name"]: g for g in summary["gates"]}
    assert list(gates) == ["new-pool", "rollouts", "off-old-pool", "on-new-pool", "containers", "restarts", "events",
                           "runtime-classes", "managed-sources"]
    assert all(g["passed"] and not g["failures"] for g in gates.values())
    assert gates["new-pool"]["evidence"] == {"provisioningState": "Succeeded", "powerState": "Running",
                                             "nodesWanted": 2, "nodes": 2, "nodesUsable": 2}
    assert gates["rollouts"]["evidence"] == {"workloads": [f"{move.ns}/Deployment/web"], "rolledOut": 1}
    assert gates["on-new-pool"]["evidence"] == {"newNodes": 2, "podsOnNewPool": 2}
    assert gates["runtime-classes"]["evidence"] == {"runtimeClasses": [SPIN_CLASS]}
    text = report.read_text()
    assert "PASSED" in text and "| on-new-pool | pass |" in text and oct(report.stat().st_mode)[-3:] == "600"
    table = move.verify("-o", "table").out.splitlines()
    assert table[0].split()[:3] == ["Gate", "Passed", "Failures"] and len(table) == 2 + 9


# --- each gate, broken ---------------------------------------------------------------------------------------------

def test_new_pool_not_succeeded(move):
    move.deployment()
    move.set_estate(new_pool={"provisioningState": "Updating"})
    gates = failed_gates(move.verify(expect=1))
    assert gates == {"new-pool": [f"AgentPool/{move.new}: provisioning state is Updating, not Succeeded"]}


@pytest.mark.parametrize("fault, body, status, says", [
    ("not-ready", {"status": {"conditions": [{"type": "Ready", "status": "False", "reason": "KubeletNotReady"}]}},
     True, "not Ready"),
    ("cordoned", {"spec": {"unschedulable": True}}, False, "cordoned (unschedulable)"),
])
def test_a_new_node_not_ready_or_cordoned(move, fault, body, status, says):
    move.deployment()
    move.patch_node(1, body, status=status)
    gates = failed_gates(move.verify(expect=1))
    assert gates["new-pool"] == [f"Node/{move.new}-1: {says}",
                                 f"AgentPool/{move.new}: 1 usable node(s) carry its label, it should have 2"], fault


def test_a_deployment_mid_rollout(move):
    """Paused in the middle of a template change: the controller has seen it, no new replica is up."""
    move.deployment()
    path = f"/apis/apps/v1/namespaces/{move.ns}/deployments/web"
    rest.call(move.api, "PATCH", path, content_type="application/merge-patch+json", body={"spec": {
        "paused": True, "template": {"metadata": {"annotations": {"change": "2"}}}}})
    wait_for(lambda: rest.call(move.api, "GET", path)["status"].get("observedGeneration") == 2, 30, "observed")
    gates = failed_gates(move.verify(expect=1))
    assert gates == {"rollouts": [f"{move.ns}/Deployment/web: rollout not done: 0 out of 2 new replicas have been "
                                  "updated"]}


def test_a_pod_still_on_the_old_pool(move):
    move.deployment()
    move.deployment("legacy", pool=move.old, runtime_class=None, moved=False, replicas=1)
    (pod,) = move.pods("legacy")
    gates = failed_gates(move.verify(expect=1))
    assert f"{move.ns}/Pod/{pod['metadata']['name']}: of {move.ns}/Deployment/legacy still runs on {move.old}'s " \
           f"node {pod['spec']['nodeName']}" in gates["off-old-pool"]
    assert any(line.startswith(f"{move.ns}/Pod/{pod['metadata']['name']}: ") for line in gates["on-new-pool"])


def test_a_crash_looping_pod(move):
    move.deployment()
    pod = move.pods()[0]
    rest.call(move.api, "PATCH", f"/api/v1/namespaces/{move.ns}/pods/{pod['metadata']['name']}/status",
              content_type="application/strategic-merge-patch+json", body={"status": {"containerStatuses": [{
                  "name": "app", "image": "example.azurecr.io/spin-web:1", "imageID": "", "ready": False,
                  "restartCount": 5, "state": {"waiting": {"reason": "CrashLoopBackOff",
                                                           "message": "back-off 2m40s restarting failed container"}},
                  "lastState": {"terminated": {"reason": "Error", "exitCode": 1}}}]}})
    gates = failed_gates(move.verify("--max-restarts", "3", expect=1))
    name = f"{move.ns}/Pod/{pod['metadata']['name']}"
    assert gates["containers"] == [f"{name}: container app is waiting in CrashLoopBackOff: back-off 2m40s "
                                   "restarting failed container"]
    assert gates["restarts"] == [f"{name}: restarted 5 time(s) (--max-restarts 3)"]


def test_a_failed_create_pod_sandbox_event(move):
    """What a node without the Spin shim says about a Spin pod."""
    move.deployment()
    pod = move.pods()[0]
    message = 'Failed to create pod sandbox: rpc error: code = Unknown desc = RuntimeHandler "spin" not supported'
    move.pod_event(pod, "FailedCreatePodSandBox", message)
    gates = failed_gates(move.verify(expect=1))
    assert gates == {"events": [f"{move.ns}/Pod/{pod['metadata']['name']}: Warning FailedCreatePodSandBox (x4): "
                                f"{message}"]}


def test_a_runtime_class_that_still_selects_the_old_nodes(move, k8s_api):
    name = f"verify-both-{move.ns[-5:]}"
    rest.call(k8s_api, "POST", "/apis/node.k8s.io/v1/runtimeclasses", body={
        "metadata": {"name": name}, "handler": "spin", "scheduling": {"nodeSelector": {TEST_LABEL: move.ns}}})
    try:
        move.deployment(runtime_class=name)
        gates = failed_gates(move.verify(expect=1))
    finally:
        rest.call(k8s_api, "DELETE", f"/apis/node.k8s.io/v1/runtimeclasses/{name}")
    assert gates == {"runtime-classes": [f"RuntimeClass/{name}: its scheduling.nodeSelector still selects "
                                         f"{move.old}'s nodes (used by {move.ns}/Deployment/web)"]}


def test_a_new_pool_made_from_another_pool_is_refused(move):
    move.set_estate(new_pool={"tags": {"wasimig.migratedFrom": f"{CLUSTER_ID}/agentPools/otherwasi"}})
    result = move.verify(expect=1)
    assert f"Node pool '{move.new}' was made by create-pool from {CLUSTER_ID}/agentPools/otherwasi, not from " \
           f"'{move.old}'" in result.err


# --- ACI -----------------------------------------------------------------------------------------------------------

def aci_group(namespace, view=None, name="web-0", source=None, pool=None):
    group = {"name": name, "resourceGroup": ACI_RG, "location": "westeurope",
             "tags": {"wasimig.migratedFrom": source or f"{namespace}/Deployment/web", "wasimig.replica": "0",
                      "wasimig.cluster": CLUSTER_ID, **({"wasimig.nodepool": pool} if pool else {})},
             "properties": {"osType": "Linux", "containers": [{"name": "app", "properties": {
                 "image": "ghcr.io/fermyon/spin:v2.7.0", "resources": {"requests": {"cpu": 0.5, "memoryInGB": 0.5}}}}]}}
    if view:
        group["instanceView"] = view
    return group


@pytest.mark.parametrize("view, says", [
    (None, None),
    ({"provisioningState": "Failed", "state": "Pending",
      "containers": {"app": {"state": "Waiting", "detailStatus": "ImagePullBackOff"}}},
     ["provisioning state is Failed, not Succeeded", "group state is Pending, not Running",
      "container app is Waiting (ImagePullBackOff)"]),
    ({"containers": {"app": {"restartCount": 3, "events": [{
        "count": 3, "firstTimestamp": "2026-12-01T12:00:00Z", "lastTimestamp": "2026-12-01T12:05:00Z",
        "name": "BackOff", "message": "Back-off restarting failed container", "type": "Warning"}]}}},
     ["container app restarted 3 time(s)", "container app event BackOff: Back-off restarting failed container"]),
], ids=["running", "failed", "restarting"])
def test_aci_groups(move, view, says):
    move.deployment(replicas=1)
    other_cluster = {**aci_group(move.ns, name="elsewhere-0", source=f"{move.ns}/Deployment/elsewhere"),
                     "tags": {"wasimig.migratedFrom": f"{move.ns}/Deployment/elsewhere",
                              "wasimig.cluster": "/subscriptions/x/resourcegroups/y/providers/"
                                                 "Microsoft.ContainerService/managedClusters/other"}}
    other_pool = aci_group(move.ns, name="otherpool-0", source=f"{move.ns}/Deployment/elsewhere", pool="otherwasi")
    move.set_estate(groups=[aci_group(move.ns, view, pool=move.old), other_cluster, other_pool])
    result = move.verify("--aci-resource-group", ACI_RG, home=["--aci"], expect=1 if says else 0)
    if says is None:
        gates = {g["name"]: g for g in result.json["gates"]}
        assert result.json["aci"] and gates["aci-groups"]["evidence"] == {"groups": ["web-0"]}   # not elsewhere-0, otherpool-0
        return
    assert failed_gates(result) == {"aci-groups": [f"ContainerGroup/{ACI_RG}/web-0: {s}" for s in says]}


def test_aci_without_a_group_for_the_move(move):
    result = move.verify("--aci-resource-group", ACI_RG, home=["--aci"], expect=3)
    assert f"No container group made by this tool was found for the workloads of pool '{move.old}' in resource " \
           f"group '{ACI_RG}'" in result.err


# --- the soak ------------------------------------------------------------------------------------------------------

def test_a_gate_broken_during_the_soak_ends_it(move):
    """--soak 1 --interval 5: a new node is cordoned once the first check has read the pool from ARM (a check
    reads Azure last), so the first check passes and a later one fails, naming the gate and the check."""
    move.deployment()
    move.arm.clear_requests()
    broken = threading.Event()

    def break_after_first_check():
        wait_for(lambda: arm_calls(move.arm.requests(), "GET", f"/agentPools/{move.new}"), 60, "the first check")
        move.patch_node(0, {"spec": {"unschedulable": True}})
        broken.set()
    breaker = threading.Thread(target=break_after_first_check, daemon=True)
    breaker.start()
    result = move.verify("--soak", "1", "--interval", "5", expect=1)
    breaker.join(timeout=5)
    assert broken.is_set()
    assert "Check 1: 9 of 9 gates pass; soak 0 of 60 s" in result.err
    assert "at check " in result.err and "at check 1 " not in result.err
    assert failed_gates(result) == {"new-pool": [f"Node/{move.new}-0: cordoned (unschedulable)",
                                                 f"AgentPool/{move.new}: 1 usable node(s) carry its label, it should "
                                                 "have 2"]}


def test_a_live_patch_under_a_suspended_flux_kustomization_fails_until_it_reconciles_again(move, k8s_api,
                                                                                          gitops_crds):
    """retarget patched web live (its saved placement is this move's) while its Kustomization was suspended: the
    source may still pin the old pool, and resuming would put it back, so the old pool must not go yet."""
    create_owner(k8s_api, "Kustomization", move.ns, "apps", {"interval": "10m", "suspend": True})
    move.deployment()
    rest.call(k8s_api, "PATCH", f"/apis/apps/v1/namespaces/{move.ns}/deployments/web",
              body={"metadata": {"labels": kustomization_labels(move.ns)}}, content_type="application/merge-patch+json")
    gates = failed_gates(move.verify(expect=1))
    assert gates == {"managed-sources": [
        f"{move.ns}/Deployment/web: managed by Flux Kustomization {move.ns}/apps: suspended (spec.suspend: true); "
        f"retarget patched it live, so its source may still pin {move.old}, and resuming the controller would put it "
        f"back: change the source (az aks wasi-migrate rewrite), commit it, then flux resume kustomization apps -n "
        f"{move.ns}"]}
    patch_owner(k8s_api, "Kustomization", move.ns, "apps", {"suspend": False})   # resumed; web stays on NEW
    gate = {g["name"]: g for g in move.verify().json["gates"]}["managed-sources"]
    assert gate["passed"] and gate["evidence"] == {"managed": [f"{move.ns}/Deployment/web"], "pendingRevert": 0}
