"""The emulator answers like the real REST examples (tests/fixtures/arm-examples): same keys and nesting, same status
codes, same LRO headers. Values may differ. Extra keys are allowed only when listed below with the reason."""
from __future__ import annotations

import base64
import copy
import re

import pytest

from tests.emulator import start_emulator
from tests.emulator.testing import Arm, example, structure_diff

SUB = "00000000-0000-0000-0000-000000000000"
CLUSTER = f"/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/clustername1"
POOLS = CLUSTER + "/agentPools"
ACI_SUB = "subid"
ACI_RG = f"/subscriptions/{ACI_SUB}/resourceGroups/demo"
GROUP = ACI_RG + "/providers/Microsoft.ContainerInstance/containerGroups/demo1"
ACI_API = "2024-05-01-preview"
# Fields only the service writes: seeding an estate with them would make the comparison vacuous.
POOL_SERVER_FIELDS = {"currentOrchestratorVersion", "eTag", "nodeImageVersion", "provisioningState"}

# ---- justified extras ------------------------------------------------------------------------------------------
POOL_EXTRAS = {
    "type": "AgentPoolsCreate_*.json responses carry the resource type; AgentPoolsGet/List merely omit it",
    "properties.mode": "AgentPoolsCreate_*.json carry mode; the RP always reports System|User",
    "properties.osDiskSizeGB": "AgentPoolsCreate_WasmWasi.json's response carries it (server default 128)",
    "properties.osSKU": "server default (Ubuntu) the live RP reports for Linux pools (SDK AgentPool.os_sku)",
    "properties.type": "pool type VirtualMachineScaleSets, reported by the live RP (SDK AgentPool.type_properties_type)",
    "properties.enableAutoScaling": "the live RP reports autoscaling explicitly (false by default)",
    "properties.powerState": "the brief requires it; live pools report {code: Running|Stopped}",
    "properties.upgradeSettings": "AgentPoolsGet.json carries upgradeSettings.maxSurge (server default)",
    "properties.nodeImageVersion": "AgentPoolsGet.json and AgentPoolsCreate_Update.json (200) carry it",
    "properties.eTag": "AgentPoolsGet.json/AgentPoolsList.json carry a per-pool eTag",
    "properties.maxPods": "server default 110, present in AgentPoolsCreate_Update.json responses",
}
CLUSTER_EXTRAS = {
    "eTag": "ManagedClustersGet.json and ManagedClustersList.json carry a cluster eTag",
    "properties.powerState": "the brief requires it; live clusters report {code: Running|Stopped}",
    "properties.disableLocalAccounts": "live RP reports it; the extension reads it to choose user credentials",
    "properties.azurePortalFQDN": "ManagedClustersGet.json carries it (computed by the RP)",
    "properties.networkProfile.loadBalancerSku": "ManagedClustersGet.json's networkProfile carries it",
    "properties.networkProfile.outboundType": "ManagedClustersGet.json's networkProfile carries it",
    "properties.networkProfile.loadBalancerProfile": "ManagedClustersGet.json's networkProfile carries it",
    "properties.networkProfile.podCidrs": "ManagedClustersGet.json's networkProfile carries it",
    "properties.networkProfile.serviceCidrs": "ManagedClustersGet.json's networkProfile carries it",
    "properties.networkProfile.ipFamilies": "ManagedClustersGet.json's networkProfile carries it",
    "properties.networkProfile.loadBalancerProfile.managedOutboundIPs":
        "default clusters use managed outbound IPs (SDK ManagedClusterLoadBalancerProfile.managed_outbound_i_ps)",
    **{f"properties.agentPoolProfiles[].{k.split('.', 1)[1]}": why
       for k, why in POOL_EXTRAS.items() if k.startswith("properties.")},
}
GROUP_EXTRAS = {
    "properties.instanceView": "group instanceView {events, state}: SDK ContainerGroupPropertiesInstanceView, "
                               "always sent by the live service",
    "properties.containers[].properties.instanceView": "ContainerGroupsList.json shows per-container instanceView",
    "identity": "the PUT body had an identity; the live service echoes it (the example response omits it)",
    "properties.subnetIds": "the request sent subnetIds (an unresolved template expression in the example); the "
                            "service echoes subnet ids (SDK ContainerGroup.subnet_ids)",
    "properties.diagnostics": "the 201 example drops it but the 200 body of the same example keeps it",
    "properties.dnsConfig.searchDomains": "the 201 example drops it but the 200 body of the same example keeps it",
    "properties.dnsConfig.options": "the 201 example drops it but the 200 body of the same example keeps it",
}


def assert_shape(expected, actual, allowed: dict) -> None:
    missing, extra, mismatch = structure_diff(expected, actual)
    assert not missing, f"keys of the example missing from the emulator's answer: {missing}"
    assert not mismatch, f"nesting differs at: {mismatch}"
    unjustified = [e for e in extra if e not in allowed]
    assert not unjustified, f"extra keys without a justification: {unjustified}"


def assert_lro_headers(resp, location: bool) -> None:
    op_url = r"^https://127\.0\.0\.1:\d+/subscriptions/[^/]+(/resourceGroups/[^/]+)?/providers/Microsoft\.Container" \
             r"(Service|Instance)/locations/[^/]+/{}/[0-9a-f-]+\?api-version=[\w-]+$"
    assert re.match(op_url.format("operations"), resp.headers["Azure-AsyncOperation"])
    assert resp.headers["Retry-After-Ms"] == "50"
    assert "Retry-After" not in resp.headers  # a fractional one crashes the AKS SDK; none is needed
    if location:
        assert re.match(op_url.format("operationresults"), resp.headers["Location"])


# ---- estates built from the examples ------------------------------------------------------------------------------
def seed_pool(example_name: str) -> dict:
    body = example(example_name)["responses"]["200"]["body"]
    body = body["value"][0] if "value" in body else body
    props = {k: v for k, v in body["properties"].items() if k not in POOL_SERVER_FIELDS}
    return {"name": body["name"], **props}


def estate(pools=None, cluster_props=None, container_groups=()) -> dict:
    cluster = {"name": "clustername1", "resourceGroup": "rg1", "location": "location1", "kubernetesVersion": "1.9.6",
               "tags": {"archv2": "", "tier": "production"}, "properties": cluster_props or {},
               "agentPools": pools if pools is not None else [{"name": "sys", "mode": "System", "count": 1}]}
    return {"tenantId": "72f988bf-0000-0000-0000-000000000001",
            "subscriptions": [{"subscriptionId": SUB, "clusters": [cluster]},
                              {"subscriptionId": ACI_SUB, "resourceGroups": ["demo"],
                               "containerGroups": list(container_groups)}]}


def seed_group(example_name: str) -> dict:
    body = example(example_name)["responses"]["200"]["body"]
    body = copy.deepcopy(body["value"][0] if "value" in body else body)
    for key in ("id", "type"):
        body.pop(key)
    body["properties"].pop("provisioningState")
    for container in body["properties"]["containers"]:
        container["properties"].pop("instanceView", None)
    return {**body, "resourceGroup": "demo"}


@pytest.fixture(scope="module")
def emu(tmp_path_factory):
    handle = start_emulator(estate(), tmp_path_factory.mktemp("emu-shapes"))
    yield handle
    handle.stop()


@pytest.fixture
def arm(emu):
    emu.set_estate(estate())
    emu.settings(lroPolls=1, pageSize=50)
    return Arm(emu)


# ---- agent pools ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["AgentPoolsGet", "AgentPoolsList"])
def test_pool_get_and_list_shape(emu, arm, name):
    emu.set_estate(estate(pools=[seed_pool(name)]))
    resp = arm.get(POOLS + ("/agentpool1" if name == "AgentPoolsGet" else ""))
    assert resp.status_code == 200
    expected = example(name)["responses"]["200"]["body"]
    if name == "AgentPoolsList":
        assert set(resp.json()) == {"value"}  # no nextLink on a single page
        expected, actual = expected["value"][0], resp.json()["value"][0]
    else:
        actual = resp.json()
    assert_shape(expected, actual, POOL_EXTRAS)


@pytest.mark.parametrize("name", ["AgentPoolsCreate_Update", "AgentPoolsCreate_WasmWasi"])
def test_pool_create_then_update_shape(emu, arm, name):
    ex = example(name)
    body = copy.deepcopy(ex["parameters"]["parameters"])
    if name == "AgentPoolsCreate_WasmWasi":
        body["properties"]["workloadRuntime"] = "OCIContainer"  # new WASI pools are refused (see below)
    created = arm.put(POOLS + "/agentpool1", body)
    assert created.status_code == 201
    assert created.json()["properties"]["provisioningState"] == "Creating"
    assert_lro_headers(created, location=False)
    assert_shape(ex["responses"]["201"]["body"], created.json(),
                 {**POOL_EXTRAS, "properties.nodeImageVersion": "the 200 body of the same example carries it"})
    assert arm.poll(created)["status"] == "Succeeded"
    assert arm.get(POOLS + "/agentpool1").json()["properties"]["provisioningState"] == "Succeeded"

    updated = arm.put(POOLS + "/agentpool1", body)
    assert updated.status_code == 200
    assert updated.json()["properties"]["provisioningState"] == "Updating"
    assert_lro_headers(updated, location=False)
    assert_shape(ex["responses"]["200"]["body"], updated.json(), POOL_EXTRAS)


def test_wasi_example_put_is_refused_for_a_new_pool_but_updates_an_existing_one(emu, arm):
    ex = example("AgentPoolsCreate_WasmWasi")
    body = ex["parameters"]["parameters"]
    refused = arm.put(POOLS + "/agentpool1", body)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "InvalidParameter"
    assert "retired" in refused.json()["error"]["message"]

    existing = {"name": "agentpool1", "mode": "User", "vmSize": "Standard_DS2_v2", "workloadRuntime": "WasmWasi"}
    emu.set_estate(estate(pools=[{"name": "sys", "mode": "System"}, existing]))
    updated = arm.put(POOLS + "/agentpool1", body)
    assert updated.status_code == 200
    assert_shape(ex["responses"]["200"]["body"], updated.json(), POOL_EXTRAS)


@pytest.mark.parametrize("name", ["AgentPoolsDelete", "AgentPoolsDelete_IgnorePodDisruptionBudget"])
def test_pool_delete_statuses_and_headers(emu, arm, name):
    ex = example(name)
    emu.set_estate(estate(pools=[{"name": "sys", "mode": "System"}, {"name": "agentpool1", "vmSize": "x"}]))
    params = {"ignore-pod-disruption-budget": "true"} if "ignore-pod-disruption-budget" in ex["parameters"] else {}
    resp = arm.delete(POOLS + "/agentpool1", params=params)
    assert str(resp.status_code) in ex["responses"] and resp.status_code == 202
    assert resp.content == b""
    assert {h.lower() for h in ex["responses"]["202"]["headers"]} <= {h.lower() for h in resp.headers}
    assert_lro_headers(resp, location=True)
    assert arm.poll(resp)["status"] == "Succeeded"
    assert arm.get(POOLS + "/agentpool1").status_code == 404
    assert arm.delete(POOLS + "/agentpool1").status_code == 204
    recorded = emu.dump()["poolDeletes"][-1]
    assert recorded["ignorePodDisruptionBudget"] is (True if params else None)


def test_pool_abort_statuses_and_headers(emu, arm):
    ex = example("AgentPoolsAbortOperation")
    created = arm.put(POOLS + "/agentpool1", {"properties": {"vmSize": "Standard_DS2_v2", "count": 1}})
    resp = arm.post(POOLS + "/agentpool1/abort")
    assert resp.status_code == 202
    assert {h.lower() for h in ex["responses"]["202"]["headers"]} <= {h.lower() for h in resp.headers}
    assert_lro_headers(resp, location=True)
    assert arm.poll(created)["status"] == "Canceled"
    assert arm.get(POOLS + "/agentpool1").json()["properties"]["provisioningState"] == "Canceling"
    assert arm.poll(resp)["status"] == "Succeeded"
    assert arm.get(POOLS + "/agentpool1").json()["properties"]["provisioningState"] == "Canceled"
    assert arm.post(POOLS + "/agentpool1/abort").status_code == 204  # nothing running any more


# ---- managed clusters ----------------------------------------------------------------------------------------------
def cluster_seed(example_name: str, configured: tuple) -> tuple[dict, list]:
    """Estate for the example's cluster: user-configured properties are seeded, everything the RP computes
    (fqdn, versions, agentPoolProfiles' server fields, nodeResourceGroup, ...) is left to the emulator."""
    body = example(example_name)["responses"]["200"]["body"]
    body = body["value"][0] if "value" in body else body
    props = {k: copy.deepcopy(v) for k, v in body["properties"].items() if k in configured}
    if "networkProfile" in configured:  # only the customer-chosen outbound IPs; the rest is the default profile
        props["networkProfile"] = {"loadBalancerProfile": {
            "outboundIPs": body["properties"]["networkProfile"]["loadBalancerProfile"]["outboundIPs"]}}
    pools = [{"name": p["name"], **{k: v for k, v in p.items() if k != "name" and k not in POOL_SERVER_FIELDS}}
             for p in body["properties"]["agentPoolProfiles"]]
    return props, pools


@pytest.mark.parametrize("name, path", [
    ("ManagedClustersGet", CLUSTER),
    ("ManagedClustersList", f"/subscriptions/{SUB}/providers/Microsoft.ContainerService/managedClusters"),
    ("ManagedClustersListByResourceGroup",
     f"/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters"),
])
def test_cluster_shapes(emu, arm, name, path):
    configured = ("linuxProfile", "diskEncryptionSetID")
    if name == "ManagedClustersGet":
        configured += ("upgradeSettings", "networkProfile")
    props, pools = cluster_seed(name, configured)
    emu.set_estate(estate(pools=pools, cluster_props=props))
    resp = arm.get(path)
    assert resp.status_code == 200
    expected = example(name)["responses"]["200"]["body"]
    actual = resp.json()
    if "value" in expected:
        assert set(actual) == {"value"}
        expected, actual = expected["value"][0], actual["value"][0]
    assert_shape(expected, actual, CLUSTER_EXTRAS)
    # agentPoolProfiles[] and the agentPools API describe the same pools
    pools_api = arm.get(POOLS).json()["value"]
    assert [{"name": p["name"], **p["properties"]} for p in pools_api] == actual["properties"]["agentPoolProfiles"]


def test_user_credentials_shape(emu, arm):
    ex = example("ManagedClustersListClusterUserCredentials")
    resp = arm.post(CLUSTER + "/listClusterUserCredential")
    assert resp.status_code == 200
    assert_shape(ex["responses"]["200"]["body"], resp.json(), {})
    text = base64.b64decode(resp.json()["kubeconfigs"][0]["value"]).decode()
    assert "server: https://127.0.0.1:1" in text


# ---- container groups ----------------------------------------------------------------------------------------------
def test_container_group_create_shape_and_secrets(emu, arm):
    ex = example("ContainerGroupsCreateOrUpdate")
    body = {**copy.deepcopy(ex["parameters"]["containerGroup"]), "zones": ex["parameters"]["zones"]}
    created = arm.put(GROUP, body, api_version=ACI_API)
    assert created.status_code == 201
    assert_lro_headers(created, location=False)
    assert_shape(ex["responses"]["201"]["body"], created.json(), GROUP_EXTRAS)
    for secret in ("workspaceKey", "storageAccountKey", "SecretValue1InBase64", "accountKey"):
        assert secret not in created.text
    assert arm.poll(created)["status"] == "Succeeded"
    got = arm.get(GROUP, api_version=ACI_API)
    assert got.json()["properties"]["provisioningState"] == "Succeeded"
    assert_shape(ex["responses"]["200"]["body"], got.json(), GROUP_EXTRAS)
    assert arm.put(GROUP, body, api_version=ACI_API).status_code == 200


def test_container_group_get_shape(emu, arm):
    emu.set_estate(estate(container_groups=[seed_group("ContainerGroupsGet_Succeeded")]))
    resp = arm.get(GROUP, api_version=ACI_API)
    assert resp.status_code == 200
    assert_shape(example("ContainerGroupsGet_Succeeded")["responses"]["200"]["body"], resp.json(), GROUP_EXTRAS)


def failed_view(body) -> dict:
    """The instance view of a group as an example shows it, as the emulator's view (aci.check_view) takes it."""
    props = body["properties"]
    return {"provisioningState": props["provisioningState"], "state": props["instanceView"]["state"],
            "events": props["instanceView"]["events"],
            "containers": {c["name"]: {"state": c["properties"]["instanceView"]["currentState"]["state"],
                                       "restartCount": c["properties"]["instanceView"]["restartCount"],
                                       "events": c["properties"]["instanceView"]["events"]}
                           for c in props["containers"]}}


def test_container_group_failed_view_shape_and_values(emu, arm):
    """A group the service reports Failed (ContainerGroups_Get_Failed): set through the admin API, served with the
    example's keys and its states, restart count and events."""
    expected = example("ContainerGroupsGet_Failed")["responses"]["200"]["body"]
    emu.set_estate(estate(container_groups=[seed_group("ContainerGroupsGet_Failed")]))
    emu.set_group_view(ACI_SUB, "demo", "demo1", failed_view(expected))
    got = arm.get(GROUP, api_version=ACI_API).json()
    assert_shape(expected, got, GROUP_EXTRAS)
    props, want = got["properties"], expected["properties"]
    assert props["provisioningState"] == "Failed"
    assert props["instanceView"] == want["instanceView"]
    view, want_view = props["containers"][0]["properties"]["instanceView"], \
        want["containers"][0]["properties"]["instanceView"]
    assert (view["currentState"]["state"], view["restartCount"], view["events"]) == \
        (want_view["currentState"]["state"], want_view["restartCount"], want_view["events"])


def test_container_group_view_in_the_estate_and_restarts(emu, arm):
    seeded = {**seed_group("ContainerGroupsGet_Succeeded"),
              "instanceView": {"containers": {"demo1": {"restartCount": 4, "state": "Running"}}}}
    emu.set_estate(estate(container_groups=[seeded]))
    view = arm.get(GROUP, api_version=ACI_API).json()["properties"]["containers"][0]["properties"]["instanceView"]
    assert view["restartCount"] == 4 and view["previousState"]["state"] == "Terminated"


def test_container_group_view_refuses_unknown_keys(emu):
    emu.set_estate(estate(container_groups=[seed_group("ContainerGroupsGet_Succeeded")]))
    with pytest.raises(ValueError):
        emu.set_group_view(ACI_SUB, "demo", "demo1", {"containers": {"demo1": {"exitCode": 1}}})


@pytest.mark.parametrize("name, path", [
    ("ContainerGroupsList", f"/subscriptions/{ACI_SUB}/providers/Microsoft.ContainerInstance/containerGroups"),
    ("ContainerGroupsListByResourceGroup", ACI_RG + "/providers/Microsoft.ContainerInstance/containerGroups"),
])
def test_container_group_list_shapes(emu, arm, name, path):
    emu.set_estate(estate(container_groups=[seed_group(name)]))
    resp = arm.get(path, api_version=ACI_API)
    assert resp.status_code == 200
    expected = example(name)["responses"]["200"]["body"]
    assert set(resp.json()) == set(expected)
    assert_shape(expected["value"][0], resp.json()["value"][0], GROUP_EXTRAS)


def test_container_group_delete_statuses_and_headers(emu, arm):
    ex = example("ContainerGroupsDelete")
    emu.set_estate(estate(container_groups=[seed_group("ContainerGroupsGet_Succeeded")]))
    resp = arm.delete(GROUP, api_version=ACI_API)
    assert resp.status_code == 202
    assert {h.lower() for h in ex["responses"]["202"]["headers"]} <= {h.lower() for h in resp.headers}
    assert_lro_headers(resp, location=True)
    assert arm.poll(resp)["status"] == "Succeeded"
    assert arm.get(GROUP, api_version=ACI_API).status_code == 404
    assert arm.delete(GROUP, api_version=ACI_API).status_code == 204
