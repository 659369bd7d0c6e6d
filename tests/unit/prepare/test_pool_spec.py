"""The replacement-pool core on the real ARM agent-pool examples and on pools shaped like them."""

import copy
import json
import pathlib

import pytest

from azext_wasimig.prepare import pool_spec
from azext_wasimig.prepare.pool_spec import DROPPED_FIELDS
from azext_wasimig.vocabulary.wasi import PROVENANCE_TAG

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "arm-examples"
CLUSTER_ID = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/"
              "Microsoft.ContainerService/managedClusters/clustername1")
SUBNET = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.Network/"
          "virtualNetworks/vnet1/subnets/{}")


def example(name, part="200"):
    data = json.loads((EXAMPLES / name).read_text())
    if part == "request":
        return {"name": data["parameters"]["agentPoolName"], **data["parameters"]["parameters"]}
    return data["responses"][part]["body"]


def cluster(version="1.9.6"):
    return {"id": CLUSTER_ID, "name": "clustername1",
            "properties": {"kubernetesVersion": version, "currentKubernetesVersion": version}}


def wasi_pool(name="wasipool", **props):
    base = {"count": 3, "vmSize": "Standard_DS2_v2", "osType": "Linux", "mode": "User", "maxPods": 110,
            "orchestratorVersion": "1.9.6", "currentOrchestratorVersion": "1.9.6", "provisioningState": "Succeeded",
            "powerState": {"code": "Running"}, "nodeImageVersion": "AKSUbuntu-2204gen2containerd-202506.16.0",
            "eTag": "abc", "workloadRuntime": "WasmWasi"}
    return {"name": name, "id": f"{CLUSTER_ID}/agentPools/{name}", "properties": {**base, **props}}


def parsed(**flags):
    return pool_spec.PoolOverrides.parse(**flags)


AUTOSCALING = {"enableAutoScaling": True, "minCount": 1, "maxCount": 5, "scaleDownMode": "Deallocate"}
SPOT = {"scaleSetPriority": "Spot", "scaleSetEvictionPolicy": "Delete", "spotMaxPrice": -1,
        "nodeTaints": ["kubernetes.azure.com/scalesetpriority=spot:NoSchedule"]}
ZONED = {"availabilityZones": ["1", "2", "3"], "proximityPlacementGroupID": "/subscriptions/s/ppg/p1"}
CUSTOM_SUBNET = {"vnetSubnetID": SUBNET.format("nodes"), "podSubnetID": SUBNET.format("pods"),
                 "enableNodePublicIP": False, "kubeletDiskType": "OS", "osDiskType": "Ephemeral",
                 "osDiskSizeGB": 128, "osSKU": "AzureLinux", "enableEncryptionAtHost": True, "enableFIPS": True,
                 "kubeletConfig": {"cpuManagerPolicy": "static", "podMaxPids": 100},
                 "linuxOSConfig": {"swapFileSizeMB": 1500, "sysctls": {"netCoreSomaxconn": 4096}},
                 "upgradeSettings": {"maxSurge": "33%", "drainTimeoutInMinutes": 30},
                 "networkProfile": {"allowedHostPorts": [{"portStart": 80, "portEnd": 80, "protocol": "TCP"}]},
                 "securityProfile": {"enableSecureBoot": True}, "gpuInstanceProfile": "MIG1g",
                 "tags": {"team": "edge"}, "nodeLabels": {"tier": "web"}, "messageOfTheDay": "aGk="}

POOLS = {
    "AgentPoolsGet": lambda: example("AgentPoolsGet.json"),
    "AgentPoolsCreate_Update": lambda: example("AgentPoolsCreate_Update.json"),
    "AgentPoolsCreate_Update request": lambda: example("AgentPoolsCreate_Update.json", "request"),
    "AgentPoolsCreate_WasmWasi": lambda: example("AgentPoolsCreate_WasmWasi.json"),
    "AgentPoolsCreate_WasmWasi request": lambda: example("AgentPoolsCreate_WasmWasi.json", "request"),
    "autoscaling": lambda: wasi_pool(**AUTOSCALING),
    "spot": lambda: wasi_pool(**SPOT),
    "zoned": lambda: wasi_pool(**ZONED),
    "custom subnet": lambda: wasi_pool(**CUSTOM_SUBNET),
}


def props_of(pool):
    return pool.get("properties") or {k: v for k, v in pool.items() if k != "name"}


@pytest.mark.parametrize("label", list(POOLS))
def test_every_setting_is_carried_and_only_read_only_and_wasi_fields_dropped(label):
    old = POOLS[label]()
    body, _ = pool_spec.replacement(old, cluster())
    new, before = body["properties"], props_of(old)
    assert set(body) == {"properties"}
    for key, value in before.items():
        if key in DROPPED_FIELDS or key in ("mode", "orchestratorVersion", "tags"):
            continue
        assert new[key] == value, key
    assert not (DROPPED_FIELDS - {"workloadRuntime"}) & new.keys()
    assert new["mode"] == "User" and new["workloadRuntime"] == "OCIContainer"
    assert new["tags"] == {**before.get("tags", {}), PROVENANCE_TAG: pool_spec.source_pool_id(old, cluster())}


@pytest.mark.parametrize("label", list(POOLS))
def test_body_round_trips_through_the_sdk_model(label):
    from azure.mgmt.containerservice.models import AgentPool
    body, _ = pool_spec.replacement(POOLS[label](), cluster(), parsed(min_count=1, max_count=4),
                                    spin_shim=True)
    assert AgentPool(copy.deepcopy(body)).as_dict() == body


def test_every_settable_sdk_field_is_carried_unless_denied():
    """Allow-list check: all fields of the SDK's profile model, set on an old pool, survive."""
    from azure.mgmt.containerservice.models import ManagedClusterAgentPoolProfileProperties as Props
    fields = {f._rest_name for f in type(Props())._attr_to_rest_field.values()}  # pylint: disable=protected-access
    old = wasi_pool(**{name: f"value-of-{name}" for name in fields - {"count", "powerState"}},
                    someFutureSetting={"on": True})
    old["properties"].update(enableAutoScaling=False, nodeLabels={"a": "b"}, nodeTaints=["k=v:NoSchedule"],
                             tags={"t": "1"}, orchestratorVersion="1.9.6", currentOrchestratorVersion="1.9.6")
    body, _ = pool_spec.replacement(old, cluster())
    carried = set(body["properties"])
    assert fields - carried == DROPPED_FIELDS - {"name", "workloadRuntime"}
    assert body["properties"]["someFutureSetting"] == {"on": True}


def test_wasi_labels_and_krustlet_taints_are_dropped_others_kept():
    old = wasi_pool(nodeLabels={"kubernetes.azure.com/wasmtime-spin-v2": "true", "kubernetes.io/arch": "wasm32-wagi",
                                "tier": "web"},
                    nodeTaints=["kubernetes.io/arch=wasm32-wagi:NoExecute", "kubernetes.io/arch=wasm32-wagi:NoSchedule",
                                "dedicated=edge:NoSchedule"])
    body, notes = pool_spec.replacement(old, cluster())
    assert body["properties"]["nodeLabels"] == {"tier": "web"}
    assert body["properties"]["nodeTaints"] == ["dedicated=edge:NoSchedule"]
    assert any("4 WASI-specific" in n for n in notes)


def test_spin_shim_label_and_label_override_merge():
    body, _ = pool_spec.replacement(wasi_pool(nodeLabels={"tier": "web"}), cluster(),
                                    parsed(labels=["env=prod"]), spin_shim=True)
    assert body["properties"]["nodeLabels"] == {"tier": "web", "env": "prod", "spin": "true"}


def test_lagging_pool_gets_the_control_plane_version_with_a_note():
    body, notes = pool_spec.replacement(wasi_pool(), cluster("1.30.4"))
    assert body["properties"]["orchestratorVersion"] == "1.30.4"
    assert any("behind the control plane" in n for n in notes)
    current = wasi_pool(orchestratorVersion="1.30", currentOrchestratorVersion="1.30.4")
    body, notes = pool_spec.replacement(current, cluster("1.30.4"))
    assert body["properties"]["orchestratorVersion"] == "1.30" and notes == []


def test_old_image_fields_and_stopped_state_are_not_carried():
    old = wasi_pool(creationData={"sourceResourceId": "/snap"}, powerState={"code": "Stopped"})
    body, notes = pool_spec.replacement(old, cluster())
    assert "creationData" not in body["properties"] and "nodeImageVersion" not in body["properties"]
    assert any("stopped" in n for n in notes)


def test_overrides():
    body, _ = pool_spec.replacement(wasi_pool(), cluster(),
                                    parsed(vm_size="Standard_D4s_v5", node_count="2", zones="1 2"))
    props = body["properties"]
    assert (props["vmSize"], props["count"], props["availabilityZones"]) == ("Standard_D4s_v5", 2, ["1", "2"])
    body, _ = pool_spec.replacement(wasi_pool(), cluster(), parsed(min_count=2, max_count=6))
    assert body["properties"]["enableAutoScaling"] is True and body["properties"]["count"] == 3


def test_carried_count_outside_a_new_range_is_clamped_with_a_note():
    body, notes = pool_spec.replacement(wasi_pool(**AUTOSCALING, count=9), cluster(), parsed(max_count=4))
    assert body["properties"]["count"] == 4 and any("starts with 4" in n for n in notes)


@pytest.mark.parametrize("overrides, message", [
    ({"node_count": 1001}, "0 to 1000"),
    ({"node_count": -1}, "0 to 1000"),
    ({"node_count": "three"}, "whole number"),
    ({"min_count": 3}, "both --min-count and --max-count"),
    ({"min_count": 5, "max_count": 2}, "--min-count 5 is above --max-count 2: swap them"),
    ({"min_count": 1, "max_count": 2, "node_count": 5}, "outside the autoscaling range"),
    ({"vm_size": "DS2_v2"}, "Standard_D4s_v5"),
    ({"vm_size": "Standard D2"}, "az vm list-sizes"),
    ({"zones": ["east"]}, "--zones"),
    ({"zones": ["7"]}, "AKS zones are 1, 2 and 3"),
    ({"zones": "0 1"}, "AKS zones are 1, 2 and 3"),
])
def test_mistyped_overrides_are_rejected_before_any_call(overrides, message):
    with pytest.raises(pool_spec.InvalidOverride, match=message):
        pool_spec.replacement(wasi_pool(), cluster(), pool_spec.PoolOverrides.parse(**overrides))


@pytest.mark.parametrize("name", ["", "1pool", "Pool", "pool-1", "averyveryverylong", "pool_1"])
def test_invalid_pool_names(name):
    with pytest.raises(pool_spec.InvalidPoolName, match="1-12 characters"):
        pool_spec.validate_pool_name(name)


@pytest.mark.parametrize("old", ["wasi", "WASI"])   # ARM finds pools in any case
def test_new_name_equal_to_the_old_one_is_refused(old):
    with pytest.raises(pool_spec.InvalidPoolName, match="old pool's own name"):
        pool_spec.validate_pool_name("wasi", old)


@pytest.mark.parametrize("old, existing, expected", [
    ("wasi", [], "wasi2"), ("wasipool1", [], "wasipool2"), ("wasi", ["wasi2", "WASI3"], "wasi4"),
    ("abcdefghijkl", [], "abcdefghijk2"), ("abcdefghijk9", [], "abcdefghij10"),
    ("agentpool1", ["agentpool1"], "agentpool2"),
])
def test_derived_names_are_valid_and_free(old, existing, expected):
    name = pool_spec.derive_pool_name(old, existing)
    assert name == expected
    pool_spec.validate_pool_name(name, old)


def test_derive_finds_the_pool_a_previous_run_made():
    old = wasi_pool("wasi")
    body, _ = pool_spec.replacement(old, cluster())
    existing = [{"name": "wasi", **old}, {"name": "wasi2", **body}]
    assert pool_spec.derive_pool_name("wasi", existing, old["id"]) == "wasi2"


@pytest.mark.parametrize("state, action", [
    ("Succeeded", pool_spec.UNCHANGED), ("Failed", pool_spec.RESEND), ("Canceled", pool_spec.RESEND),
    ("Creating", pool_spec.WAIT), ("Updating", pool_spec.WAIT), ("Scaling", pool_spec.WAIT), (None, pool_spec.WAIT),
])
def test_rerun_acts_on_what_aks_says_of_the_pool_it_made(state, action):
    old = wasi_pool("wasi")
    body, _ = pool_spec.replacement(old, cluster())
    made = {"name": "newpool", "properties": {**body["properties"], "provisioningState": state}}
    assert pool_spec.compare_existing(made, old["id"].upper()) == "same"
    assert pool_spec.existing_action(made, old["id"], "newpool") == action
    assert pool_spec.is_settled(made) == (action != pool_spec.WAIT)


def test_no_pool_is_created_and_a_stranger_clashes():
    old = wasi_pool("wasi")
    assert pool_spec.existing_action(None, old["id"], "newpool") == pool_spec.CREATE
    stranger = example("AgentPoolsGet.json")
    assert pool_spec.compare_existing(stranger, old["id"]) == "different"
    with pytest.raises(pool_spec.PoolNameClash, match="already exists"):
        pool_spec.existing_action(stranger, old["id"], "newpool")


def test_flat_cluster_profile_is_accepted_and_gets_an_id_from_the_cluster():
    profile = json.loads((EXAMPLES / "ManagedClustersGet.json").read_text())["responses"]["200"]["body"]
    flat = profile["properties"]["agentPoolProfiles"][0]
    body, _ = pool_spec.replacement(flat, cluster())
    assert body["properties"]["tags"][PROVENANCE_TAG] == f"{CLUSTER_ID}/agentPools/nodepool1"
    assert body["properties"]["availabilityZones"] == ["1", "2", "3"]


@pytest.mark.parametrize("key, value", [("team", "payments"), ("example.com/tier", "web"), ("a.b-c_d", ""),
                                        ("x" * 63, "y" * 63), ("k8s.io/x", "A-1.b_2")])
def test_kubernetes_labels_pass(key, value):
    assert pool_spec.label_problem(key, value) == ""


@pytest.mark.parametrize("key, value, why", [
    ("bad key!", "v", "is not a label name"), ("-team", "v", "is not a label name"), ("x" * 64, "v", "label name"),
    ("team", "a b", "is not a label value"), ("team", "v-", "label value"), ("team", "y" * 64, "label value"),
    ("a/b/c", "v", "DNS subdomain"), ("Example.com/x", "v", "DNS subdomain"), ("/x", "v", "DNS subdomain"),
])
def test_what_kubernetes_refuses_as_a_label_is_named(key, value, why):
    assert why in pool_spec.label_problem(key, value)
