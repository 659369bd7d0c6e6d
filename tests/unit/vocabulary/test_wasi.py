"""vocabulary.wasi: which labels, taints, tolerations, RuntimeClasses and pools are WASI-specific."""

import pytest

from azext_wasimig.vocabulary import wasi

SHIM = "kubernetes.azure.com/wasmtime-spin-v2"
ARCH = "kubernetes.io/arch"


@pytest.mark.parametrize("runtime, expected", [
    ("WasmWasi", True), ("wasmwasi", True), ("WASMWASI", True),
    ("OCIContainer", False), ("KataVmIsolation", False), ("SomethingNew", False), (None, False), ("", False),
])
def test_is_wasi_pool_ignores_case_and_tolerates_unknown_values(runtime, expected):
    assert wasi.is_wasi_pool({"name": "p", "workloadRuntime": runtime}) is expected
    assert wasi.is_wasi_pool({"name": "p", "properties": {"workloadRuntime": runtime}}) is expected


def test_is_wasi_pool_on_an_sdk_enum_value_and_on_nothing():
    from azure.mgmt.containerservice.models import WorkloadRuntime
    assert wasi.is_wasi_pool({"workloadRuntime": WorkloadRuntime.WASM_WASI})
    assert not wasi.is_wasi_pool({"workloadRuntime": WorkloadRuntime.OCI_CONTAINER})
    assert not wasi.is_wasi_pool(None)
    assert not wasi.is_wasi_pool({"properties": None})


@pytest.mark.parametrize("key, value, expected", [
    (SHIM, "true", True), (ARCH, "wasm32-wagi", True), (ARCH, "amd64", False), ("agentpool", "wasi", False),
    ("spin", "true", False), (None, "x", False),
])
def test_is_wasi_label(key, value, expected):
    assert wasi.is_wasi_label(key, value) is expected


@pytest.mark.parametrize("key, operator, values, strict, any_operator", [
    (SHIM, "In", ["true"], True, True), (SHIM, "Exists", [], True, True), (SHIM, "NotIn", ["true"], False, True),
    (SHIM, "DoesNotExist", [], False, True), (ARCH, "In", ["amd64", "wasm32-wagi"], True, True),
    (ARCH, "NotIn", ["wasm32-wagi"], False, False), (ARCH, "In", ["amd64"], False, False),
    ("agentpool", "In", ["wasi"], False, False),
])
def test_is_wasi_requirement_and_the_retargets_wider_reading(key, operator, values, strict, any_operator):
    assert wasi.is_wasi_requirement(key, operator, values) is strict
    assert wasi.is_wasi_requirement(key, operator, values, any_operator=True) is any_operator


@pytest.mark.parametrize("taint, expected", [
    ("kubernetes.io/arch=wasm32-wagi:NoSchedule", True), ("kubernetes.io/arch=wasm32-wagi:NoExecute", True),
    (f"{SHIM}=true:NoSchedule", True), ("kubernetes.io/arch=amd64:NoSchedule", False),
    ("team=a:NoSchedule", False), ("", False),
])
def test_is_wasi_taint_on_the_arm_string_form(taint, expected):
    assert wasi.is_wasi_taint(taint) is expected


@pytest.mark.parametrize("toleration, krustlet, wasi_specific", [
    ({"key": ARCH, "operator": "Equal", "value": "wasm32-wagi", "effect": "NoSchedule"}, True, True),
    ({"key": ARCH, "operator": "Exists"}, True, True),
    ({"key": ARCH, "operator": "Equal", "value": "amd64"}, False, False),
    ({"key": SHIM, "operator": "Exists"}, False, True),
    ({"operator": "Exists"}, False, False),
])
def test_tolerations(toleration, krustlet, wasi_specific):
    assert wasi.tolerates_krustlet(toleration) is krustlet
    assert wasi.is_wasi_toleration(toleration) is wasi_specific


@pytest.mark.parametrize("name, expected", [
    ("wasmtime-spin-v1", True), ("wasmtime-spin-v2", True), ("wasmtime-spin-v0-5-1", True),
    ("wasmtime-slight-v1", False), ("wasmtime-spin-v3", False), ("runc", False), ("", False), (None, False),
])
def test_is_wasi_runtime_class(name, expected):
    assert wasi.is_wasi_runtime_class(name) is expected


def test_shim_label_of_a_runtime_class_aks_named():
    assert wasi.shim_label_of("wasmtime-slight-v1") == "kubernetes.azure.com/wasmtime-slight-v1"
    assert wasi.shim_label_of("spin") is None
    assert wasi.shim_label_of(None) is None


def test_wagi_annotations_and_the_provenance_marks():
    assert wasi.is_wagi_annotation("alpha.wagi.krustlet.dev/default-host")
    assert not wasi.is_wagi_annotation("app.kubernetes.io/name")
    assert (wasi.PROVENANCE_TAG, wasi.CLUSTER_TAG, wasi.REPLICA_TAG, wasi.POOL_TAG) == (
        "wasimig.migratedFrom", "wasimig.cluster", "wasimig.replica", "wasimig.nodepool")
    assert wasi.ORIGINAL_PLACEMENT == "wasimig.azure.com/original-placement"


CLUSTER_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks"


def test_the_groups_of_one_move_are_found_by_their_tags_alone():
    tags = {"wasimig.migratedFrom": "demo/Deployment/web", "wasimig.cluster": CLUSTER_ID, "wasimig.replica": "0",
            "wasimig.nodepool": "wasi,wasi2"}
    assert wasi.made_for(tags, CLUSTER_ID.upper()) and wasi.made_for(tags, CLUSTER_ID, "WASI2")
    assert not wasi.made_for(tags, CLUSTER_ID, "wasi3")                      # another pool's move
    assert not wasi.made_for(tags, CLUSTER_ID.replace("/aks", "/aks-b"))    # another cluster's
    assert not wasi.made_for({**tags, "wasimig.migratedFrom": ""}, CLUSTER_ID)   # not made by wasimig
    assert not wasi.made_for({k: v for k, v in tags.items() if k != "wasimig.nodepool"}, CLUSTER_ID, "wasi")
    assert not wasi.made_for(None, CLUSTER_ID)
