"""`az aks wasi-migrate delete-pool` (and `rollback`) end to end: the real az with the wheel -> emulated ARM (the
pools, their provenance tags, container groups, the DELETEs in its request log) -> the real kube-apiserver,
controllers and scheduler v1.20.2, with the harness playing kubelet.

Each test gets its own namespace and pools: a WASI pool (``w…``, nodes labelled as AKS labelled its Spin nodes) and
its replacement (``s…``, nodes labelled spin=true for SpinKube's RuntimeClass) whose ``wasimig.migratedFrom`` tag
names the WASI pool, as create-pool tags it. A label ``wasimig.test/ns`` on both keeps the test's pods on its own
nodes.
"""

import pytest

from azext_wasimig.kube import rest
from tests.conftest import arm_calls, serving_estate
from tests.k8s.harness import create_when_ready, embedded_kubeconfig, exists, pool_name, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.k8s]

SUB, RG, CLUSTER = "dddddddd-dddd-dddd-dddd-dddddddddddd", "rg-decom", "aks-decom"
CLUSTER_ID = f"/subscriptions/{SUB}/resourcegroups/{RG}/providers/Microsoft.ContainerService/managedClusters/{CLUSTER}"
OLD_CLASS, NEW_CLASS = "wasmtime-spin-v1", "wasimig-decom-spin"
WASI_LABEL, POOL_LABEL, TEST_LABEL, SPIN_LABEL = ("kubernetes.azure.com/wasmtime-spin-v1",
                                                  "kubernetes.azure.com/agentpool", "wasimig.test/ns", "spin")
DEPLOYMENTS = "/apis/apps/v1/namespaces/{ns}/deployments"
ORIGINAL = "wasimig.azure.com/original-placement"


def _pool(name, **props):
    return {"name": name, "mode": "User", "vmSize": "Standard_D2s_v5", "count": 2, **props}


def estate(old="wasi", new="std", groups=(), made_from=None, old_mode="User", system=True):
    """The cluster with a System pool, the WASI pool, its replacement (tagged as made from ``made_from``, by default
    the WASI pool) and a pool made by hand; ``groups``: container groups in the cluster's resource group."""
    made_from = made_from or old
    pools = [_pool("sys", mode="System", count=1)] if system else []
    pools += [_pool(old, workloadRuntime="WasmWasi", mode=old_mode),
              _pool(new, tags={"wasimig.migratedFrom": f"{CLUSTER_ID}/agentPools/{made_from}"}), _pool("byhand")]
    return {"tenantId": "72f988bf-0000-0000-0000-000000000001", "subscriptions": [{
        "subscriptionId": SUB, "displayName": "Decommission", "containerGroups": list(groups),
        "clusters": [{"name": CLUSTER, "resourceGroup": RG, "location": "westeurope", "kubernetesVersion": "1.30.4",
                      "agentPools": pools}]}]}


@pytest.fixture(scope="module")
def decom_subscription(arm, az, k8s_api):
    made = []
    for name, selector in ((OLD_CLASS, {WASI_LABEL: "true"}), (NEW_CLASS, {SPIN_LABEL: "true"})):
        if not exists(k8s_api, f"/apis/node.k8s.io/v1/runtimeclasses/{name}"):
            rest.call(k8s_api, "POST", "/apis/node.k8s.io/v1/runtimeclasses", body={
                "metadata": {"name": name}, "handler": "spin", "scheduling": {"nodeSelector": selector}})
            made.append(name)
    with serving_estate(arm, az, estate()):
        yield
    for name in made:
        rest.call(k8s_api, "DELETE", f"/apis/node.k8s.io/v1/runtimeclasses/{name}")


@pytest.fixture(name="serve")
def serve_fixture(arm, decom_subscription, k8s_env):
    """``serve(estate)``: the emulator serves it, with the control plane's kubeconfig for the cluster."""
    def use(state):
        arm.set_estate(state)
        arm.set_kubeconfig(SUB, RG, CLUSTER, embedded_kubeconfig(k8s_env.kubeconfig))
        arm.clear_requests()
    return use


@pytest.fixture(name="pools")
def pools_fixture(serve, namespace, kubelet):
    """(old, new): both pools in ARM and with 2 nodes each in the cluster."""
    old, new = pool_name(namespace, "w"), pool_name(namespace, "s")
    kubelet.add_pool(old, 2, labels={TEST_LABEL: namespace, WASI_LABEL: "true"})
    kubelet.add_pool(new, 2, labels={TEST_LABEL: namespace, SPIN_LABEL: "true"})
    serve(estate(old, new))
    return old, new


def wasi_migrate(az, verb, old, *args, expect=0):
    return az("aks", "wasi-migrate", verb, "--subscription", SUB, "-g", RG, "-n", CLUSTER, "--nodepool-name", old,
              *args, expect=expect)


def _deployment(name, pod_spec, annotations=None):
    return {"metadata": {"name": name},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}, "annotations": annotations or {}},
                                  "spec": {"terminationGracePeriodSeconds": 1,
                                           "containers": [{"name": "app", "image": "example.azurecr.io/app:1"}],
                                           **pod_spec}}}}


def _get(api, ns, name):
    return rest.call(api, "GET", f"{DEPLOYMENTS.format(ns=ns)}/{name}")


def _pods(api, ns):
    return [p for p in rest.call(api, "GET", f"/api/v1/namespaces/{ns}/pods")["items"]
            if not p["metadata"].get("deletionTimestamp")]


def _ready(pod):
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def _all_on(api, ns, pool, count=4):
    pods = _pods(api, ns)
    return len(pods) == count and all(_ready(p) and p["spec"]["nodeName"].startswith(pool + "-") for p in pods)


def workloads(api, ns, old):
    """A Deployment pinned to the old pool with Krustlet leftovers, and a Spin one with the WASI-era class."""
    pinned = _deployment("pinned", {
        "nodeSelector": {POOL_LABEL: old, TEST_LABEL: ns},
        "tolerations": [{"key": "kubernetes.io/arch", "operator": "Equal", "value": "wasm32-wagi",
                         "effect": "NoSchedule"}]},
        annotations={"alpha.wagi.krustlet.dev/modules": "{}", "team": "edge"})
    spin = _deployment("spin", {"runtimeClassName": OLD_CLASS, "nodeSelector": {TEST_LABEL: ns}})
    for body in (pinned, spin):
        create_when_ready(api, DEPLOYMENTS.format(ns=ns), body)
    wait_for(lambda: _all_on(api, ns, old), 30, "4 ready pods on the old pool")
    return {name: _get(api, ns, name) for name in ("pinned", "spin")}


def _unschedulable(api, pool):
    nodes = rest.call(api, "GET", "/api/v1/nodes", query={"labelSelector": f"{POOL_LABEL}={pool}"})["items"]
    return [bool(n["spec"].get("unschedulable")) for n in nodes]


def move(az, api, ns, old, new, stage):
    """Take the migration as far as ``stage``: parallel, cutover, or cutover and drain."""
    phase = "parallel" if stage == "parallel" else "cutover"
    wasi_migrate(az, "retarget", old, "--new-nodepool-name", new, "--phase", phase, "--runtime-class", NEW_CLASS,
                 "--yes")
    if stage != "parallel":
        wait_for(lambda: _all_on(api, ns, new), 60, "the pods to move to the new pool")
    if stage == "drain":
        wasi_migrate(az, "drain", old, "--yes")
        assert all(_unschedulable(api, old))


def group(name, workload, cluster=CLUSTER_ID, pool=None):
    tags = {"wasimig.migratedFrom": workload, "wasimig.replica": "0", **({"wasimig.nodepool": pool} if pool else {}),
            **({"wasimig.cluster": cluster} if cluster else {})}
    return {"name": name, "resourceGroup": RG, "location": "westeurope", "tags": tags if workload else {},
            "properties": {"osType": "Linux", "containers": [{"name": "app", "properties": {
                "image": "ghcr.io/fermyon/spin:v2.7.0", "resources": {"requests": {"cpu": 1, "memoryInGB": 1.5}}}}]}}


# --- rollback ---------------------------------------------------------------------------------------------------

def _steps(result):
    return {step["step"]: step for step in result.json["steps"]}


@pytest.mark.parametrize("stage", ["parallel", "cutover", "drain"])
def test_rollback_returns_every_workload_to_the_old_pool_exactly_and_a_rerun_changes_nothing(az, arm, k8s_api,
                                                                                           namespace, pools, stage):
    old, new = pools
    original = workloads(k8s_api, namespace, old)
    move(az, k8s_api, namespace, old, new, stage)
    arm.clear_requests()

    assert "--yes" in wasi_migrate(az, "rollback", old, "--new-nodepool-name", new, expect=1).err, "it asks first"
    moved = _get(k8s_api, namespace, "pinned")
    assert moved["spec"]["template"] != original["pinned"]["spec"]["template"], "nothing changed without an answer"

    steps = _steps(wasi_migrate(az, "rollback", old, "--new-nodepool-name", new, "--yes"))
    assert steps["uncordon"]["action"] == ("uncordoned" if stage == "drain" else "unchanged")
    assert {w["name"]: w["action"] for w in steps["restore"]["workloads"] if w["namespace"] == namespace} == \
        {"pinned": "patched", "spin": "patched"}
    assert steps["waitAvailable"]["action"] == "available"
    assert _all_on(k8s_api, namespace, old), "every pod is back on the old pool, ready, when rollback returns"
    assert not any(_unschedulable(k8s_api, old))
    for name, before in original.items():
        after = _get(k8s_api, namespace, name)
        assert after["spec"]["template"] == before["spec"]["template"], name   # byte for byte
        assert ORIGINAL not in (after["metadata"].get("annotations") or {})
    assert arm_calls(arm.requests(), "DELETE") == [] and arm_calls(arm.requests(), "PUT") == []

    generations = {n: _get(k8s_api, namespace, n)["metadata"]["generation"] for n in original}
    again = wasi_migrate(az, "rollback", old, "--new-nodepool-name", new, "--yes", "-o", "table").out
    assert again.split()[:3] == ["Step", "Action", "Objects"]
    assert "uncordoned" not in again and "restored" not in again and "unchanged" in again
    assert {n: _get(k8s_api, namespace, n)["metadata"]["generation"] for n in original} == generations


def test_rollback_deletes_the_new_pool_and_only_the_container_groups_wasimig_made(az, arm, serve, k8s_api,
                                                                                   namespace, pools):
    old, new = pools
    original = workloads(k8s_api, namespace, old)
    ours, other_cluster, other_pool, untagged = (
        group("spin-0", f"{namespace}/Deployment/spin", pool=old),
        group("spin-x", f"{namespace}/Deployment/spin", cluster=CLUSTER_ID + "x", pool=old),
        group("spin-p", f"{namespace}/Deployment/spin", pool=old + "other"),   # another move of this cluster
        group("spin-1", None))
    serve(estate(old, new, groups=[ours, other_cluster, other_pool, untagged]))
    move(az, k8s_api, namespace, old, new, "cutover")
    arm.clear_requests()

    dry = _steps(wasi_migrate(az, "rollback", old, "--new-nodepool-name", new, "--delete-new-pool", "--delete-aci",
                              "--dry-run"))
    assert dry["deleteNewPool"]["action"] == "wouldDelete" and dry["deleteAci"]["containerGroups"] == ["spin-0"]
    assert arm_calls(arm.requests(), "DELETE") == [] and _all_on(k8s_api, namespace, new), "a dry run changes nothing"

    steps = _steps(wasi_migrate(az, "rollback", old, "--new-nodepool-name", new, "--delete-new-pool", "--delete-aci",
                                "--yes"))
    assert steps["deleteNewPool"]["action"] == "deleted" and steps["deleteAci"]["containerGroups"] == ["spin-0"]
    deletes = [e["path"].rsplit("/", 1)[-1] for e in arm_calls(arm.requests(), "DELETE")]
    assert sorted(deletes) == sorted([new, "spin-0"]), "the new pool and our group, nothing else"
    left = {g["name"] for g in arm.dump()["containerGroups"]}
    assert left >= {"spin-x", "spin-p", "spin-1"} and "spin-0" not in left
    assert new not in {p["name"] for p in arm.dump()["agentPools"]}
    assert _get(k8s_api, namespace, "spin")["spec"]["template"] == original["spin"]["spec"]["template"]

    arm.clear_requests()
    again = _steps(wasi_migrate(az, "rollback", old, "--new-nodepool-name", new, "--delete-new-pool", "--delete-aci",
                                "--yes"))
    assert again["deleteNewPool"]["action"] == "alreadyGone" and again["deleteAci"]["action"] == "none"
    assert arm_calls(arm.requests(), "DELETE") == []


def test_rollback_never_deletes_a_new_pool_wasimig_did_not_make_from_the_old_one(az, arm, serve, k8s_api,
                                                                                 namespace, pools):
    old, new = pools
    workloads(k8s_api, namespace, old)
    serve(estate(old, new, made_from="otherwasi"))
    result = wasi_migrate(az, "rollback", old, "--new-nodepool-name", new, "--delete-new-pool", "--yes", expect=1)
    assert f"Node pool '{new}'" in result.err and f"was not made from '{old}'" in result.err
    assert "otherwasi" in result.err and "Nothing was changed" in result.err
    assert arm_calls(arm.requests(), "DELETE") == [] and not arm_calls(arm.requests(), "POST",
                                                                       "listClusterUserCredential")


# --- delete-pool ------------------------------------------------------------------------------------------------

def _deletes(arm):
    return arm_calls(arm.requests(), "DELETE")


def _moved(az, k8s_api, namespace, pools, stage="drain"):
    old, new = pools
    workloads(k8s_api, namespace, old)
    move(az, k8s_api, namespace, old, new, stage)


def delete_pool(az, old, new, *args, expect=0):
    return wasi_migrate(az, "delete-pool", old, "--new-nodepool-name", new, *args, expect=expect)


def test_delete_pool_sends_one_delete_of_the_old_pool_only_after_the_gates_pass_and_it_was_asked(az, arm, k8s_api,
                                                                                                 namespace, pools):
    old, new = pools
    _moved(az, k8s_api, namespace, pools)
    arm.clear_requests()

    dry = delete_pool(az, old, new, "--dry-run").json
    assert dry["action"] == "wouldDelete" and dry["verification"]["passed"], dry["verification"]
    assert {g["name"] for g in dry["verification"]["gates"]} >= {"new-pool", "rollouts", "off-old-pool"}
    assert _deletes(arm) == [], "a dry run deletes nothing"
    table = delete_pool(az, old, new, "--dry-run", "-o", "table").out.splitlines()
    assert table[0].split() == ["Step", "Name", "Result"] and table[-1].split() == ["delete", old, "wouldDelete"]
    assert "--yes" in delete_pool(az, old, new, expect=1).err and _deletes(arm) == [], "no terminal, no --yes"

    record = delete_pool(az, old, new, "--yes").json
    (sent,) = _deletes(arm)
    assert sent["path"].lower().endswith(f"/managedclusters/{CLUSTER}/agentpools/{old}".lower())
    assert "ignore-pod-disruption-budget" not in sent["query"], "PodDisruptionBudgets are honoured"
    assert record["action"] == "deleted" and record["nodepool"]["name"] == old
    assert record["nodepool"]["workloadRuntime"] == "WasmWasi" and record["replacement"]["nodepoolName"] == new
    assert record["verification"]["passed"] and record["startedAt"] <= record["finishedAt"]
    assert old not in {p["name"] for p in arm.dump()["agentPools"]}

    arm.clear_requests()
    gone = delete_pool(az, old, new, "--yes", expect=3)
    assert f"has no node pool '{old}': nothing to delete" in gone.err and f"{new} were made from it" in gone.err
    assert _deletes(arm) == []
    after = wasi_migrate(az, "rollback", old, "--new-nodepool-name", new, "--yes", expect=3)
    assert "nothing to roll back to" in after.err and "cannot be created again" in after.err and "verify" in after.err
    assert _deletes(arm) == [] and arm_calls(arm.requests(), "PATCH") == []


def test_delete_pool_ignore_pdb_sends_the_query_and_no_wait_returns_the_record(az, arm, k8s_api, namespace, pools):
    old, new = pools
    _moved(az, k8s_api, namespace, pools)
    arm.settings(lroPolls=5)
    arm.clear_requests()
    try:
        record = delete_pool(az, old, new, "--ignore-pdb", "--no-wait", "--yes").json
    finally:
        arm.settings(lroPolls=2)
    (sent,) = _deletes(arm)
    assert sent["query"]["ignore-pod-disruption-budget"] == "true"
    assert record["action"] == "deleting" and record["ignorePodDisruptionBudget"] is True
    assert f"--nodepool-name {old} --deleted" in record["followWith"]
    wasi_migrate(az, "wait", old, "--deleted", "--interval", "1")
    assert old not in {p["name"] for p in arm.dump()["agentPools"]}


def test_a_failed_gate_or_pods_left_on_the_pool_send_no_delete(az, arm, k8s_api, namespace, pools):
    old, new = pools
    _moved(az, k8s_api, namespace, pools, stage="cutover")   # not drained: the nodes are not cordoned
    create_when_ready(k8s_api, DEPLOYMENTS.format(ns=namespace), _deployment("stray", {
        "nodeSelector": {TEST_LABEL: namespace, POOL_LABEL: old}}))
    wait_for(lambda: any(p["metadata"]["name"].startswith("stray-") and _ready(p) for p in _pods(k8s_api, namespace)),
             30, "the stray pods on the old pool")
    arm.clear_requests()
    left = delete_pool(az, old, new, "--yes", expect=1)
    assert "still run on node pool" in left.err and f"{namespace}/stray-" in left.err and "--drain" in left.err
    assert _deletes(arm) == []

    stuck = delete_pool(az, old, new, "--drain", "--drain-timeout", "1", "--yes", expect=1)
    assert "did not finish, so it was not deleted" in stuck.err and f"{namespace}/stray-" in stuck.err
    assert _deletes(arm) == [], "the stray pods are pinned to the old pool: the drain refuses, nothing is deleted"

    rest.call(k8s_api, "DELETE", f"{DEPLOYMENTS.format(ns=namespace)}/stray")
    rest.call(k8s_api, "PATCH", f"/api/v1/nodes/{new}-0", content_type="application/merge-patch+json",
              body={"spec": {"unschedulable": True}})
    try:
        wait_for(lambda: not any(p["metadata"]["name"].startswith("stray-") for p in _pods(k8s_api, namespace)), 30,
                 "the stray pods to go")
        for args in ((), ("--dry-run",)):
            failed = delete_pool(az, old, new, "--yes", *args, expect=1)
            assert "new-pool" in failed.err and f"Node/{new}-0" in failed.err and "was not deleted" in failed.err
        assert _deletes(arm) == []
    finally:
        rest.call(k8s_api, "PATCH", f"/api/v1/nodes/{new}-0", content_type="application/merge-patch+json",
                  body={"spec": {"unschedulable": None}})


def test_delete_pool_drain_drains_what_is_left_then_verifies_and_deletes(az, arm, k8s_api, namespace, pools):
    old, new = pools
    _moved(az, k8s_api, namespace, pools, stage="cutover")
    prefer_old = {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "preference": {
        "matchExpressions": [{"key": POOL_LABEL, "operator": "In", "values": [old]}]}}]}}
    create_when_ready(k8s_api, DEPLOYMENTS.format(ns=namespace), _deployment("loose", {
        "nodeSelector": {TEST_LABEL: namespace}, "affinity": prefer_old}))
    wait_for(lambda: len([p for p in _pods(k8s_api, namespace) if _ready(p)]) == 6, 30, "the loose pods")
    on_old = [p for p in _pods(k8s_api, namespace) if p["spec"]["nodeName"].startswith(old + "-")]
    assert on_old, "the loose pods prefer the old pool (and may run elsewhere: the drain moves them)"
    arm.clear_requests()
    record = delete_pool(az, old, new, "--drain", "--yes").json
    assert record["drain"]["complete"] and record["verification"]["passed"]
    assert [e["path"].rsplit("/", 1)[-1] for e in _deletes(arm)] == [old]
    assert not [p for p in _pods(k8s_api, namespace) if p["spec"].get("nodeName", "").startswith(old + "-")]


@pytest.mark.parametrize("setting, words", [
    ({"old_mode": "System", "system": False}, "is the last System pool"),
    ({"made_from": "otherwasi"}, "otherwasi"),
])
def test_delete_pool_refuses_the_last_system_pool_and_a_replacement_of_another_pool(az, arm, serve, k8s_api,
                                                                                  namespace, pools, setting, words):
    old, new = pools
    _moved(az, k8s_api, namespace, pools)
    serve(estate(old, new, **setting))
    result = delete_pool(az, old, new, "--yes", expect=1)
    assert words in result.err and "Nothing was" in result.err
    assert _deletes(arm) == [] and not arm_calls(arm.requests(), "POST", "listClusterUserCredential")


def test_delete_pool_aci_without_any_group_for_the_move_is_refused_before_the_cluster(az, arm, k8s_api, namespace,
                                                                                    pools):
    old, _ = pools
    workloads(k8s_api, namespace, old)
    arm.clear_requests()
    result = wasi_migrate(az, "delete-pool", old, "--aci", "--yes", expect=3)
    assert "No container group made by this tool was found" in result.err and _deletes(arm) == []
    assert not arm_calls(arm.requests(), "POST", "listClusterUserCredential")
