"""`az aks wasi-migrate create-pool` and `wait` through the real az against the emulated Azure.

The old pools are built from the real agent-pool REST examples (and autoscaling, spot, zoned and
custom-subnet variants); the PUT body the emulator receives is held against the old pool as the
emulator serves it, with an oracle written here from the issue's rules, not from the code.
"""

import copy
import json

import pytest

from tests.conftest import arm_calls, example_body, serving_estate
from tests.e2e.helpers import PROD
from tests.emulator.testing import Arm

pytestmark = pytest.mark.e2e

SUB, RG, CLUSTER = "66666666-6666-6666-6666-666666666666", "rg-pools", "aks-pools"
CONTROL_PLANE = "1.30.4"
SUBNET = "/subscriptions/%s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/" % SUB
SERVER_FILLED = {"eTag", "provisioningState", "powerState", "currentOrchestratorVersion", "nodeImageVersion",
                 "status", "virtualMachineNodesStatus", "creationData"}
PROVENANCE = "wasimig.migratedFrom"


def wasi(props, **extra):
    props = {k: v for k, v in copy.deepcopy(props).items() if k not in SERVER_FILLED}
    return {**props, "workloadRuntime": "WasmWasi", "mode": "User", **extra}


POOLS = {
    "fromget": wasi(example_body("AgentPoolsGet.json")["properties"]),
    "fromupdate": wasi(example_body("AgentPoolsCreate_Update.json")["properties"]),
    "fromwasi": wasi(example_body("AgentPoolsCreate_WasmWasi.json")["properties"]),
    "autoscale": wasi({"vmSize": "Standard_D4s_v5", "count": 3, "enableAutoScaling": True, "minCount": 2,
                       "maxCount": 6, "osType": "Linux", "osSKU": "AzureLinux", "osDiskSizeGB": 128,
                       "osDiskType": "Ephemeral", "maxPods": 60}),
    "spot": wasi({"vmSize": "Standard_D4s_v5", "count": 1, "scaleSetPriority": "Spot",
                  "scaleSetEvictionPolicy": "Delete", "spotMaxPrice": -1,
                  "nodeTaints": ["kubernetes.azure.com/scalesetpriority=spot:NoSchedule"]}),
    "zoned": wasi({"vmSize": "Standard_D4s_v5", "count": 3, "availabilityZones": ["1", "2", "3"],
                   "upgradeSettings": {"maxSurge": "33%", "drainTimeoutInMinutes": 45}}),
    "subnet": wasi({"vmSize": "Standard_D4s_v5", "count": 2, "vnetSubnetID": SUBNET + "nodes",
                    "podSubnetID": SUBNET + "pods", "enableNodePublicIP": False, "tags": {"cost": "wasm"}}),
    "wasilabels": wasi({"vmSize": "Standard_D2s_v5", "count": 1, "orchestratorVersion": "1.28.5",
                        "nodeLabels": {"team": "a", "kubernetes.azure.com/wasmtime-spin-v2": "true",
                                       "kubernetes.io/arch": "wasm32-wagi"},
                        "nodeTaints": ["kubernetes.io/arch=wasm32-wagi:NoExecute",
                                       "kubernetes.io/arch=wasm32-wagi:NoSchedule", "dedicated=wasm:NoSchedule"]}),
}

ESTATE = {
    "tenantId": "72f988bf-0000-0000-0000-000000000001",
    "subscriptions": [{
        "subscriptionId": SUB, "displayName": "Pools",
        "clusters": [{
            "name": CLUSTER, "resourceGroup": RG, "location": "westeurope", "kubernetesVersion": CONTROL_PLANE,
            "agentPools": [{"name": "sys", "mode": "System", "vmSize": "Standard_D2s_v5", "count": 1},
                           {"name": "taken", "mode": "User", "vmSize": "Standard_D2s_v5", "count": 1},
                           *({"name": name, **props} for name, props in POOLS.items())],
        }],
    }],
}


ESTATE_POOL_NAMES = {"sys", "taken", *POOLS}


def create_pool(az, pool, *args, expect=0):
    return az("aks", "wasi-migrate", "create-pool", "--subscription", SUB, "-g", RG, "-n", CLUSTER,
              "--nodepool-name", pool, *args, expect=expect)


def pool_as_served(arm, name):
    """The pool exactly as the REST API serves it (az's own view is flattened and filled with nulls)."""
    path = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.ContainerService/managedClusters/" \
           f"{CLUSTER}/agentPools/{name}"
    response = Arm(arm).get(path)
    assert response.status_code == 200, response.text
    return response.json()


def put_bodies(arm_log):
    return [(c["path"].rsplit("/", 1)[-1], c["body"]) for c in arm_calls(arm_log(), "PUT", "/agentPools/")]


def expected_properties(old, old_id):
    """The replacement's properties per the issue: everything carried but server-filled fields and WASI
    specifics; mode User, runtime OCIContainer, control-plane version when the pool lags, provenance tag."""
    expected = {k: v for k, v in old.items() if k not in SERVER_FILLED | {"workloadRuntime", "orchestratorVersion"}}
    labels = {k: v for k, v in (old.get("nodeLabels") or {}).items()
              if not k.startswith("kubernetes.azure.com/wasmtime-") and (k, v) != ("kubernetes.io/arch", "wasm32-wagi")}
    taints = [t for t in old.get("nodeTaints") or [] if not t.startswith("kubernetes.io/arch=wasm32-wagi")]
    for key, value in (("nodeLabels", labels), ("nodeTaints", taints)):
        if key in old:
            expected[key] = value
    expected.update(mode="User", workloadRuntime="OCIContainer", orchestratorVersion=CONTROL_PLANE,
                    tags={**(old.get("tags") or {}), PROVENANCE: old_id})
    return expected


@pytest.fixture(scope="module")
def pools_estate(arm, az):
    with serving_estate(arm, az, copy.deepcopy(ESTATE)):
        yield


@pytest.mark.parametrize("pool", sorted(POOLS))
def test_put_body_carries_every_setting_and_drops_only_wasi_specifics(az, arm, pools_estate, arm_log, pool):
    old = pool_as_served(arm, pool)
    result = create_pool(az, pool).json
    assert result["action"] == "created" and result["nodepoolName"] not in ESTATE_POOL_NAMES
    ((name, body),) = put_bodies(arm_log)
    assert name == result["nodepoolName"]
    assert body["properties"] == expected_properties(old["properties"], old["id"])
    assert pool_as_served(arm, name)["properties"]["provisioningState"] == "Succeeded"


def test_rerun_is_a_no_op(az, arm, pools_estate, arm_log):
    first = create_pool(az, "autoscale", "--new-nodepool-name", "autoscale9").json
    assert first["action"] == "created"
    arm.clear_requests()
    again = create_pool(az, "autoscale", "--new-nodepool-name", "autoscale9").json
    assert again["action"] == "unchanged" and again["nodepoolName"] == "autoscale9"
    assert put_bodies(arm_log) == []


def test_dry_run_prints_the_body_and_sends_nothing(az, pools_estate, arm_log):
    result = create_pool(az, "wasilabels", "--new-nodepool-name", "labelsdry", "--spin-shim", "--labels",
                         "tier=web", "--dry-run").json
    assert result["action"] == "wouldCreate"
    labels = result["agentPool"]["properties"]["nodeLabels"]
    assert labels == {"team": "a", "tier": "web", "spin": "true"}
    assert any("1.28.5" in note and CONTROL_PLANE in note for note in result["notes"])
    assert put_bodies(arm_log) == []


def test_overrides_are_applied(az, pools_estate, arm_log):
    create_pool(az, "zoned", "--new-nodepool-name", "zoned7", "--vm-size", "Standard_D8s_v5", "--node-count", "5",
                "--zones", "1", "2")
    ((_, body),) = put_bodies(arm_log)
    props = body["properties"]
    assert (props["vmSize"], props["count"], props["availabilityZones"]) == ("Standard_D8s_v5", 5, ["1", "2"])


@pytest.mark.parametrize("args, words", [
    (["--new-nodepool-name", "Bad_Name"], "Bad_Name"),
    (["--new-nodepool-name", "waytoolongpoolname"], "waytoolongpoolname"),
    (["--min-count", "5", "--max-count", "2"], "--min-count"),
    (["--vm-size", "D4s"], "--vm-size"),
    (["--zones", "one"], "--zones"),
    (["--labels", "novalue"], "key=value"),
])
def test_bad_input_is_refused_before_any_call(az, pools_estate, arm_log, args, words):
    result = create_pool(az, "fromget", *args, expect=None)
    assert result.rc != 0 and words in result.err and "Traceback" not in result.err
    assert arm_calls(arm_log()) == []


def test_a_different_pool_under_the_name_is_a_clash(az, pools_estate, arm_log):
    result = create_pool(az, "fromget", "--new-nodepool-name", "taken", expect=1)
    assert "taken" in result.err
    assert put_bodies(arm_log) == []


def test_a_pool_that_is_not_wasi_is_refused(az, pools_estate, arm_log):
    result = create_pool(az, "taken", expect=1)
    assert "not a WASI node pool" in result.err
    assert put_bodies(arm_log) == []


def test_failed_operation_says_what_exists(az, arm, pools_estate):
    arm.add_faults([{"method": "PUT", "path": "/agentPools/failing$", "lroFail": True, "times": 1}])
    result = create_pool(az, "spot", "--new-nodepool-name", "failing", expect=1)
    assert "Creating node pool 'failing' failed" in result.err
    assert "now exists in provisioning state Failed" in result.err and "az aks nodepool delete" in result.err


def test_no_wait_then_wait(az, arm, pools_estate):
    result = create_pool(az, "subnet", "--new-nodepool-name", "subnetnew", "--no-wait")
    assert result.out.strip() == ""
    az("aks", "wasi-migrate", "wait", "--subscription", SUB, "-g", RG, "-n", CLUSTER, "--nodepool-name",
       "subnetnew", "--created", "--interval", "1", "--timeout", "60")
    assert pool_as_served(arm, "subnetnew")["properties"]["provisioningState"] == "Succeeded"


def test_unknown_cluster_or_pool_exits_3(az, pools_estate):
    assert "nosuch" in create_pool(az, "nosuch", expect=3).err
    result = az("aks", "wasi-migrate", "create-pool", "--subscription", PROD, "-g", "rg-apps", "-n", "nosuch",
                "--nodepool-name", "wasi", expect=3)
    assert "nosuch" in result.err


def test_results_are_json_with_stable_keys(az, pools_estate):
    result = create_pool(az, "fromwasi", "--dry-run").json
    assert set(result) == {"action", "nodepoolName", "sourceNodepoolId", "notes", "agentPool"}
    json.dumps(result)
