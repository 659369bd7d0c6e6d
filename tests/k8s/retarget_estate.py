"""The cluster the retarget e2e tests share (test_e2e_retarget*.py): its ARM estate, the RuntimeClasses it needs
(the fixture ``retarget_subscription`` serves both), and the retarget command line. Not a test module itself."""

import pytest

from azext_wasimig.kube import rest
from tests.conftest import serving_estate
from tests.k8s.harness import exists

SUB, RG, CLUSTER = "99999999-9999-9999-9999-999999999999", "rg-retarget", "aks-retarget"
OLD_CLASS, NEW_CLASS = "wasmtime-spin-v1", "wasimig-test-spin"
WASI_LABEL = "kubernetes.azure.com/wasmtime-spin-v1"
POOL_LABEL = "kubernetes.azure.com/agentpool"
ORIGINAL = "wasimig.azure.com/original-placement"
DEPLOYMENTS = "/apis/apps/v1/namespaces/{ns}/deployments"


def estate(old="wasi", new="std"):
    pools = [{"name": "sys", "mode": "System", "vmSize": "Standard_D2s_v5", "count": 1},
             {"name": old, "mode": "User", "vmSize": "Standard_D2s_v5", "count": 2, "workloadRuntime": "WasmWasi"},
             {"name": new, "mode": "User", "vmSize": "Standard_D2s_v5", "count": 2},
             {"name": "otherwasi", "mode": "User", "vmSize": "Standard_D2s_v5", "count": 1,
              "workloadRuntime": "WasmWasi"}]
    return {"tenantId": "72f988bf-0000-0000-0000-000000000001", "subscriptions": [{
        "subscriptionId": SUB, "displayName": "Retarget",
        "clusters": [{"name": CLUSTER, "resourceGroup": RG, "location": "westeurope", "kubernetesVersion": "1.30.4",
                      "agentPools": pools}]}]}


@pytest.fixture(scope="module")
def retarget_subscription(arm, az, k8s_api):
    made = []
    for name, scheduling in ((OLD_CLASS, {"nodeSelector": {WASI_LABEL: "true"}}), (NEW_CLASS, None)):
        if not exists(k8s_api, f"/apis/node.k8s.io/v1/runtimeclasses/{name}"):
            body = {"metadata": {"name": name}, "handler": "spin", **({"scheduling": scheduling} if scheduling else {})}
            rest.call(k8s_api, "POST", "/apis/node.k8s.io/v1/runtimeclasses", body=body)
            made.append(name)
    with serving_estate(arm, az, estate()):
        yield
    for name in made:
        rest.call(k8s_api, "DELETE", f"/apis/node.k8s.io/v1/runtimeclasses/{name}")


def retarget(az, old, new, phase, *args, expect=0):
    return az("aks", "wasi-migrate", "retarget", "--subscription", SUB, "-g", RG, "-n", CLUSTER, "--nodepool-name",
              old, "--new-nodepool-name", new, "--phase", phase, *args, expect=expect)


def _deployment(name, pod_spec, annotations=None, replicas=2):
    return {"metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}, "annotations": annotations or {}},
                                  "spec": {"terminationGracePeriodSeconds": 1,
                                           "containers": [{"name": "app", "image": "example.azurecr.io/app:1"}],
                                           **pod_spec}}}}


def _get(api, ns, name):
    return rest.call(api, "GET", f"{DEPLOYMENTS.format(ns=ns)}/{name}")
