"""The demo's cluster: what a WASI pool of aks-prod typically runs, put on the loopback control plane.

- nodes of the WASI pool, labelled as AKS labelled them (kubernetes.azure.com/wasmtime-spin-v2=true);
- the RuntimeClass AKS made (wasmtime-spin-v2, scheduling onto those nodes);
- a Spin app (3 replicas, PodDisruptionBudget minAvailable 2), a plain container API pinned to the pool by
  its agentpool label, and a node-exporter DaemonSet.
"""

from azext_wasimig.kube import rest
from tests.k8s.harness import create_when_ready, wait_for

NAMESPACE = "shop"
WASM_LABEL = "kubernetes.azure.com/wasmtime-spin-v2"


def _deployment(name, replicas, spec):
    return {"metadata": {"name": name}, "spec": {
        "replicas": replicas, "selector": {"matchLabels": {"app": name}},
        "template": {"metadata": {"labels": {"app": name}},
                     "spec": {"terminationGracePeriodSeconds": 1, **spec}}}}


def _objects(pool):
    spin = _deployment("spin-shop", 3, {"runtimeClassName": "wasmtime-spin-v2", "containers": [
        {"name": "shop", "image": "contoso.azurecr.io/spin-shop:1.4", "command": ["/"],
         "ports": [{"containerPort": 80}]}]})
    api = _deployment("orders-api", 2, {"nodeSelector": {"kubernetes.azure.com/agentpool": pool}, "containers": [
        {"name": "api", "image": "contoso.azurecr.io/orders-api:2.1", "ports": [{"containerPort": 8080}]}]})
    exporter = {"metadata": {"name": "node-exporter"}, "spec": {
        "selector": {"matchLabels": {"app": "node-exporter"}},
        "template": {"metadata": {"labels": {"app": "node-exporter"}}, "spec": {
            "containers": [{"name": "exporter", "image": "quay.io/prometheus/node-exporter:v1.8.2"}]}}}}
    pdb = {"metadata": {"name": "spin-shop"}, "spec": {"minAvailable": 2,
                                                       "selector": {"matchLabels": {"app": "spin-shop"}}}}
    return [("/apis/apps/v1/namespaces/{ns}/deployments", spin), ("/apis/apps/v1/namespaces/{ns}/deployments", api),
            ("/apis/apps/v1/namespaces/{ns}/daemonsets", exporter),
            ("/apis/policy/v1beta1/namespaces/{ns}/poddisruptionbudgets", pdb)]


def _running(api):
    pods = rest.call(api, "GET", f"/api/v1/namespaces/{NAMESPACE}/pods")["items"]
    return sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Running")


def seed_cluster(api, kubelet, pool, nodes=3):
    kubelet.add_pool(pool, nodes, labels={WASM_LABEL: "true"})
    rest.call(api, "POST", "/apis/node.k8s.io/v1/runtimeclasses", body={
        "metadata": {"name": "wasmtime-spin-v2"}, "handler": "spin",
        "scheduling": {"nodeSelector": {WASM_LABEL: "true"}}})
    rest.call(api, "POST", "/api/v1/namespaces", body={"metadata": {"name": NAMESPACE}})
    for path, body in _objects(pool):
        create_when_ready(api, path.format(ns=NAMESPACE), body)
    expected = 3 + 2 + nodes
    wait_for(lambda: _running(api) >= expected, 60, "the demo's pods to start", 0.2)
