"""The inventory core on plain dicts shaped like (and taken from) the real ARM REST examples."""

import copy
import threading

import pytest

from azext_wasimig.evaluate import inventory
from azext_wasimig.vocabulary import wasi
from tests.conftest import example_body



def cluster_with(*profiles, name="c1", rg="rg1", sub="00000000-0000-0000-0000-000000000000", **props):
    return {
        "id": f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{name}",
        "name": name, "location": "westeurope",
        "properties": {"kubernetesVersion": "1.30.4", "currentKubernetesVersion": "1.30.4",
                       "agentPoolProfiles": list(profiles), **props},
    }


def test_real_cluster_list_example_has_no_wasi_pool_until_one_is_marked():
    clusters = example_body("ManagedClustersList.json")["value"]
    assert inventory.wasi_records(clusters) == []
    marked = copy.deepcopy(clusters)
    marked[0]["properties"]["agentPoolProfiles"][0]["workloadRuntime"] = "WasmWasi"
    (record,) = inventory.wasi_records(marked)
    assert record["clusterName"] == "clustername1"
    assert record["resourceGroup"] == "rg1"
    assert record["subscriptionId"] == "00000000-0000-0000-0000-000000000000"
    assert record["name"] == "nodepool1"
    assert record["vmSize"] == "Standard_DS1_v2"
    assert record["count"] == 3
    assert record["maxPods"] == 110
    assert record["orchestratorVersion"] == "1.9.6"
    assert record["id"].endswith("/managedClusters/clustername1/agentPools/nodepool1")


def test_record_has_every_documented_field_in_order():
    (record,) = inventory.wasi_records([cluster_with({"name": "w", "workloadRuntime": "WasmWasi"})])
    assert tuple(record) == inventory.RECORD_FIELDS


def test_record_from_the_wasi_agent_pool_resource_example():
    pool = example_body("AgentPoolsCreate_WasmWasi.json")
    cluster = example_body("ManagedClustersGet.json")
    record = inventory.to_record(cluster, pool)
    assert record["name"] == "agentpool1"
    assert record["mode"] == "User"
    assert record["osType"] == "Linux"
    assert record["vmSize"] == "Standard_DS2_v2"
    assert record["workloadRuntime"] == "WasmWasi"
    assert record["clusterName"] == cluster["name"]
    assert wasi.is_wasi_pool(pool)


def test_all_pool_settings_are_carried_into_the_record():
    pool = {"name": "wasi", "workloadRuntime": "WasmWasi", "mode": "User", "vmSize": "Standard_D4s_v5",
            "count": 3, "enableAutoScaling": True, "minCount": 1, "maxCount": 5, "availabilityZones": ["1", "2"],
            "osType": "Linux", "osSKU": "AzureLinux", "orchestratorVersion": "1.29.2",
            "currentOrchestratorVersion": "1.29.9", "maxPods": 50,
            "vnetSubnetID": "/subscriptions/s/resourceGroups/n/providers/Microsoft.Network/virtualNetworks/v/subnets/a",
            "nodeLabels": {"team": "a"}, "nodeTaints": ["k=v:NoSchedule"], "provisioningState": "Failed",
            "powerState": {"code": "Stopped"}}
    (record,) = inventory.wasi_records([cluster_with(pool)])
    assert record["osSku"] == "AzureLinux"
    assert record["orchestratorVersion"] == "1.29.9"  # what runs, not what was asked for
    assert record["vnetSubnetId"].endswith("/subnets/a")
    assert record["powerState"] == "Stopped"
    assert record["provisioningState"] == "Failed"
    assert (record["minCount"], record["maxCount"], record["enableAutoScaling"]) == (1, 5, True)
    assert record["availabilityZones"] == ["1", "2"]
    assert record["nodeTaints"] == ["k=v:NoSchedule"]


def test_pool_power_state_falls_back_to_the_cluster():
    cluster = cluster_with({"name": "w", "workloadRuntime": "WasmWasi"}, powerState={"code": "Stopped"})
    assert inventory.wasi_records([cluster])[0]["powerState"] == "Stopped"


@pytest.mark.parametrize("cluster", [
    {"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.ContainerService/managedClusters/x", "name": "x"},
    {"name": "x", "properties": None},
    {"name": "x", "properties": {"agentPoolProfiles": None}},
    {"name": "x", "properties": {"agentPoolProfiles": [None, {}]}},
    {},
])
def test_clusters_without_profiles_or_with_nulls_are_not_a_crash(cluster):
    assert inventory.wasi_records([cluster]) == []


def test_only_wasi_pools_are_listed_among_mixed_runtimes():
    cluster = cluster_with({"name": "sys", "mode": "System"}, {"name": "oci", "workloadRuntime": "OCIContainer"},
                           {"name": "kata", "workloadRuntime": "KataVmIsolation"},
                           {"name": "odd", "workloadRuntime": "wasmwasi"}, {"name": "new", "workloadRuntime": "X"},
                           {"name": "wasi", "workloadRuntime": "WasmWasi"})
    assert [r["name"] for r in inventory.wasi_records([cluster])] == ["odd", "wasi"]


def test_resource_group_parsing_is_case_insensitive():
    assert inventory.resource_group_of("/subscriptions/s/resourcegroups/MyRG/providers/x") == "MyRG"
    assert inventory.subscription_of("/SUBSCRIPTIONS/abc/resourceGroups/r") == "abc"
    assert inventory.resource_group_of(None) is None


def test_sort_is_stable_and_case_insensitive():
    records = [{"subscriptionId": "b", "resourceGroup": "a", "clusterName": "c", "name": "p"},
               {"subscriptionId": "a", "resourceGroup": "Z", "clusterName": "c", "name": "p"},
               {"subscriptionId": "a", "resourceGroup": "b", "clusterName": "c", "name": "p"}]
    assert [(r["subscriptionId"], r["resourceGroup"]) for r in inventory.sort_records(records)] == \
        [("a", "b"), ("a", "Z"), ("b", "a")]


def test_find_in_subscriptions_reports_failures_and_keeps_the_rest():
    clusters = {"s1": [cluster_with({"name": "w1", "workloadRuntime": "WasmWasi"}, sub="s1")],
                "s3": [cluster_with({"name": "w3", "workloadRuntime": "wasmwasi"}, sub="s3")]}
    done = []

    def list_clusters(sub):
        if sub == "s2":
            raise PermissionError("403 AuthorizationFailed")
        return clusters[sub]

    records, failures = inventory.find_in_subscriptions(["s1", "s2", "s3"], list_clusters, (PermissionError,),
                                                        on_done=lambda s, e: done.append((s, e is None)))
    assert [r["name"] for r in records] == ["w1", "w3"]
    assert list(failures) == ["s2"] and isinstance(failures["s2"], PermissionError)
    assert sorted(done) == [("s1", True), ("s2", False), ("s3", True)]


def test_find_in_subscriptions_runs_concurrently_but_bounded():
    running, peak, lock = [0], [0], threading.Lock()
    release = threading.Event()

    def list_clusters(_):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            if running[0] >= 3:
                release.set()
        release.wait(2)
        with lock:
            running[0] -= 1
        return []

    inventory.find_in_subscriptions([f"s{i}" for i in range(10)], list_clusters, (), max_workers=3)
    assert peak[0] == 3


def test_a_bug_in_one_subscription_is_not_reported_as_a_failed_subscription():
    def list_clusters(sub):
        if sub == "s2":
            raise PermissionError("403 AuthorizationFailed")
        return [{"name": "c", "properties": {"agentPoolProfiles": "not a list"}}]   # -> AttributeError below

    with pytest.raises(AttributeError):
        inventory.find_in_subscriptions(["s1", "s2"], list_clusters, (PermissionError,))


def test_find_in_no_subscription_is_empty():
    assert inventory.find_in_subscriptions([], lambda s: [], ()) == ([], {})
