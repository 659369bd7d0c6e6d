"""A small migrated cluster as plain dicts (pods, nodes, workloads as the API server returns them) for the verify
unit tests: pool ``wasi`` (old) and ``std`` (new), a Deployment ``demo/web`` moved by retarget's cutover."""

import copy
import json

from azext_wasimig.kube.snapshot import ClusterSnapshot

OLD, NEW = "wasi", "std"
POOL_LABEL = "kubernetes.azure.com/agentpool"
ORIGINAL = "wasimig.azure.com/original-placement"


def node(name, pool, ready=True, unschedulable=False, labels=None):
    return {"kind": "Node", "metadata": {"name": name, "labels": {POOL_LABEL: pool, "agentpool": pool,
                                                                  **(labels or {})}},
            "spec": {"unschedulable": True} if unschedulable else {},
            "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}}


def deployment(name="web", runtime_class=None, moved=True):
    spec = {"nodeSelector": {POOL_LABEL: NEW}, "containers": [{"name": "app", "image": "app:1"}]}
    if runtime_class:
        spec["runtimeClassName"] = runtime_class
    annotations = {ORIGINAL: json.dumps({"from": OLD, "to": NEW, "placement": {}})} if moved else {}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "demo", "generation": 2, "uid": f"uid-{name}",
                         "annotations": annotations},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": spec}},
            "status": {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2,
                       "readyReplicas": 2}}


def replicaset(owner="web"):
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": f"{owner}-rs", "namespace": "demo", "uid": f"uid-{owner}-rs",
                         "ownerReferences": [{"kind": "Deployment", "name": owner, "controller": True}]},
            "spec": {"replicas": 2}, "status": {"observedGeneration": 1, "availableReplicas": 2}}


def pod(name, node_name, owner="web", restarts=0, waiting=None, last_terminated=None, scheduled_at=None):
    state = {"waiting": {"reason": waiting, "message": "back-off 5m0s"}} if waiting else {"running": {}}
    status = {"name": "app", "restartCount": restarts, "ready": not waiting, "state": state}
    if last_terminated:
        status["lastState"] = {"terminated": {"reason": last_terminated, "exitCode": 137}}
    conditions = [{"type": "PodScheduled", "status": "True" if node_name else "False",
                   "lastTransitionTime": scheduled_at or "2026-12-01T10:00:00Z",
                   **({} if node_name else {"reason": "Unschedulable",
                                            "message": "0/4 nodes are available: 4 node(s) didn't match node "
                                                       "selector."})}]
    return {"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": "demo", "uid": f"uid-{name}",
                         "ownerReferences": [{"kind": "ReplicaSet", "name": f"{owner}-rs", "controller": True}]},
            "spec": {"nodeName": node_name} if node_name else {},
            "status": {"phase": "Running" if node_name else "Pending", "conditions": conditions,
                       "containerStatuses": [status] if node_name else []}}


def cluster(pods=None, nodes=None, workloads=None, runtime_classes=None):
    """A migrated cluster: two nodes per pool, web's two pods on the new pool."""
    snapshot = ClusterSnapshot()
    snapshot.nodes = nodes if nodes is not None else [node("wasi-0", OLD), node("wasi-1", OLD),
                                                      node("std-0", NEW), node("std-1", NEW)]
    snapshot.workloads = workloads if workloads is not None else [deployment(), replicaset()]
    snapshot.pods = pods if pods is not None else [pod("web-a", "std-0"), pod("web-b", "std-1")]
    snapshot.runtime_classes = runtime_classes or []
    return snapshot


def agent_pool(state="Succeeded", power="Running", count=2, autoscale_min=None):
    props = {"provisioningState": state, "powerState": {"code": power}, "count": count, "mode": "User"}
    if autoscale_min is not None:
        props.update(enableAutoScaling=True, minCount=autoscale_min, maxCount=5)
    return {"name": NEW, "properties": props}


def warning(reason, pod_name, last="2026-12-01T10:05:00Z", uid=True):
    involved = {"kind": "Pod", "namespace": "demo", "name": pod_name}
    if uid:
        involved["uid"] = f"uid-{pod_name}"
    return {"kind": "Event", "type": "Warning", "reason": reason, "count": 3, "involvedObject": involved,
            "message": f"{reason} happened", "firstTimestamp": "2026-12-01T10:01:00Z", "lastTimestamp": last}


def group(name="web-0", state="Succeeded", view_state="Running", container_state="Running", restarts=0,
          events=None, source="demo/Deployment/web"):
    return {"name": name, "tags": {"wasimig.migratedFrom": source, "wasimig.replica": "0"},
            "properties": {"provisioningState": state, "instanceView": {"state": view_state, "events": []},
                           "containers": [{"name": "app", "properties": {"instanceView": {
                               "restartCount": restarts, "currentState": {"state": container_state},
                               "events": copy.deepcopy(events or [])}}}]}}
