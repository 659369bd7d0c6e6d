"""Workloads the retarget tests share (not a test module)."""

OLD, NEW = "wasipool", "wasipool2"


def krustlet_deployment():
    """A Krustlet-era WAGI workload: arch selector, Krustlet tolerations, WAGI annotations, old-pool pin."""
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "wagi", "namespace": "demo", "resourceVersion": "42", "uid": "u-1",
                     "creationTimestamp": "2022-01-01T00:00:00Z", "managedFields": [{"manager": "kubectl"}],
                     "labels": {"app": "wagi"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "wagi"}}, "template": {
            "metadata": {"labels": {"app": "wagi"},
                         "annotations": {"alpha.wagi.krustlet.dev/default-host": "0.0.0.0:3001",
                                         "alpha.wagi.krustlet.dev/modules": "{}", "team": "edge"}},
            "spec": {"nodeSelector": {"kubernetes.io/arch": "wasm32-wagi", "agentpool": OLD, "disk": "ssd"},
                     "tolerations": [{"key": "kubernetes.io/arch", "operator": "Equal", "value": "wasm32-wagi",
                                      "effect": "NoExecute"},
                                     {"key": "kubernetes.io/arch", "operator": "Equal", "value": "wasm32-wagi",
                                      "effect": "NoSchedule"},
                                     {"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}],
                     "containers": [{"name": "wagi", "image": "webassembly.azurecr.io/hello-wagi:v1"}]}}},
        "status": {"readyReplicas": 2},
    }


def spin_cronjob():
    """A shim-era Spin CronJob with the AKS runtime class and an affinity on the old pool."""
    affinity = {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.azure.com/agentpool", "operator": "In", "values": [OLD]},
            {"key": "kubernetes.azure.com/wasmtime-spin-v1", "operator": "Exists"},
            {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["1", "2"]}]}]},
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 10, "preference": {"matchExpressions": [
                {"key": "kubernetes.azure.com/wasmtime-spin-v1", "operator": "In", "values": ["true"]}]}}]}}
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick", "namespace": "demo"},
            "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
                "runtimeClassName": "wasmtime-spin-v1", "affinity": affinity, "restartPolicy": "Never",
                "containers": [{"name": "tick", "image": "ghcr.io/x/tick:1", "command": ["/"]}]}}}}}}


def finding(obj, pools=(OLD,), fields=("spec.template.spec.nodeSelector",)):
    meta = obj["metadata"]
    return {"namespace": meta.get("namespace", "default"), "kind": obj["kind"], "name": meta["name"],
            "pools": list(pools), "evidence": [{"field": field} for field in fields]}


def pod(name, owner=None):
    meta = {"name": name, "namespace": "demo"}
    if owner:
        meta["ownerReferences"] = [{"kind": owner[0], "name": owner[1], "controller": True}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"nodeSelector": {"agentpool": OLD}, "containers": [{"name": "c", "image": "i"}]}}
