"""A plain-dict cluster with one workload of each kind the migration meets, and what scan.assess makes of it.

``cluster_objects`` is also what tests/k8s/test_snapshot_live.py creates on a real API server, so the objects are
valid API objects, not just what the scan reads; tests/unit/evaluate/test_scan.py, test_report.py and the live
tests (tests/k8s/test_snapshot_live.py, test_e2e_scan.py) share them from here.
"""

import copy

from azext_wasimig.evaluate import scan
from azext_wasimig.kube.snapshot import ClusterSnapshot

NS = "apps"
SPIN_LABEL = "kubernetes.azure.com/wasmtime-spin-v2"
SLIGHT_LABEL = "kubernetes.azure.com/wasmtime-slight-v1"
AGENTPOOL = "kubernetes.azure.com/agentpool"
ARCH = "kubernetes.io/arch"


def node(name, pool, labels=None, taints=None):
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"agentpool": pool, AGENTPOOL: pool, **(labels or {})}},
            "spec": {"taints": taints} if taints else {}}


def runtime_class(name, handler, selector=None):
    rc = {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": {"name": name}, "handler": handler}
    if selector:
        rc["scheduling"] = {"nodeSelector": selector}
    return rc


def container(command=None, image="example.azurecr.io/app:1.0"):
    c = {"name": "app", "image": image}
    if command:
        c["command"] = command
    return c


def pod_template(app, annotations=None, **spec):
    spec.setdefault("containers", [container()])
    meta = {"labels": {"app": app}}
    if annotations:
        meta["annotations"] = annotations
    return {"metadata": meta, "spec": spec}


def workload(kind, name, template, replicas=None, api_version="apps/v1", **extra):
    spec = {"selector": {"matchLabels": template["metadata"]["labels"]}, "template": template, **extra}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "namespace": NS}, "spec": spec}


def cronjob(name, template):
    template = copy.deepcopy(template)
    template["spec"]["restartPolicy"] = "OnFailure"
    return {"apiVersion": "batch/v1beta1", "kind": "CronJob", "metadata": {"name": name, "namespace": NS},
            "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": template}}}}


def pdb(name, app=None, api_version="policy/v1beta1", allowed=None, **spec):
    spec["selector"] = {"matchLabels": {"app": app}} if app else {}
    obj = {"apiVersion": api_version, "kind": "PodDisruptionBudget", "metadata": {"name": name, "namespace": NS},
           "spec": spec}
    if allowed is not None:
        obj["status"] = {"disruptionsAllowed": allowed}
    return obj


def pod(name, node_name, owner=None, phase="Running", **spec):
    spec.setdefault("containers", [container()])
    meta = {"name": name, "namespace": NS, "labels": {}}
    if owner:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1],
                                    "uid": "00000000-0000-0000-0000-000000000000", "controller": True}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": {"nodeName": node_name, **spec},
            "status": {"phase": phase}}


def owned(obj, kind, name):
    obj["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": kind, "name": name,
                                           "uid": "00000000-0000-0000-0000-000000000000", "controller": True}]
    return obj


def krustlet_tolerations():
    return [{"key": ARCH, "operator": "Equal", "value": "wasm32-wagi", "effect": effect}
            for effect in ("NoExecute", "NoSchedule")]


def cluster_objects(pool="wasipool", krustlet="krustlet", std="stdpool", rc_suffix=""):
    """Nodes, RuntimeClasses, workloads and PDBs of the scenario (pods: see running_pods)."""
    spin_rc, slight_rc = f"wasmtime-spin-v2{rc_suffix}", f"wasmtime-slight-v1{rc_suffix}"
    wws_rc, spinkube_rc = f"wasmtime-wws-v0-8-0{rc_suffix}", f"spin-v2{rc_suffix}"
    krustlet_taints = [{"key": ARCH, "value": "wasm32-wagi", "effect": e} for e in ("NoExecute", "NoSchedule")]
    wagi_annotations = {"alpha.wagi.krustlet.dev/default-host": "0.0.0.0:3001",
                        "alpha.wagi.krustlet.dev/modules": '{"hello": {"route": "/"}}'}
    pool_affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "agentpool", "operator": "In", "values": [pool]}]}]}}}
    preferred_affinity = {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 50, "preference": {"matchExpressions": [{"key": AGENTPOOL, "operator": "In", "values": [pool]}]}}]}}
    return {
        "nodes": [node(f"aks-{pool}-0", pool, {SPIN_LABEL: "true", SLIGHT_LABEL: "true"}),
                  node(f"aks-{pool}-1", pool, {SPIN_LABEL: "true", SLIGHT_LABEL: "true"}),
                  node(f"aks-{krustlet}-0", krustlet, {ARCH: "wasm32-wagi"}, krustlet_taints),
                  node(f"aks-{std}-0", std, {"spin": "true"})],
        "runtime_classes": [runtime_class(spin_rc, "spin", {SPIN_LABEL: "true"}),
                            runtime_class(slight_rc, "slight", {SLIGHT_LABEL: "true"}),
                            runtime_class(wws_rc, "wws-v0-8-0"),
                            runtime_class(spinkube_rc, "spin-v2", {"spin": "true"})],
        "workloads": [
            workload("Deployment", "spin-hello", pod_template(
                "spin-hello", runtimeClassName=spin_rc, containers=[container(["/"])]), replicas=2),
            workload("Deployment", "slight-kv", pod_template("slight-kv", runtimeClassName=slight_rc), replicas=1),
            workload("Deployment", "wws-api", pod_template(
                "wws-api", runtimeClassName=wws_rc, nodeSelector={AGENTPOOL: pool}), replicas=1),
            workload("Deployment", "wagi-legacy", pod_template(
                "wagi-legacy", wagi_annotations, nodeSelector={ARCH: "wasm32-wagi"},
                tolerations=krustlet_tolerations(), hostNetwork=True), replicas=1),
            workload("Deployment", "web", pod_template("web", affinity=pool_affinity), replicas=3),
            workload("Deployment", "metrics", pod_template(
                "metrics", nodeSelector={"kubernetes.io/hostname": f"aks-{pool}-1"}), replicas=1),
            workload("Deployment", "elsewhere", pod_template("elsewhere", nodeSelector={AGENTPOOL: std}),
                     replicas=1),
            workload("Deployment", "spinkube-app", pod_template("spinkube-app", runtimeClassName=spinkube_rc),
                     replicas=2),
            workload("DaemonSet", "log-agent", pod_template("log-agent", nodeSelector={AGENTPOOL: pool})),
            workload("StatefulSet", "cache", pod_template(
                "cache", nodeSelector={"agentpool": pool}, volumes=[{"name": "scratch", "emptyDir": {}}]),
                replicas=1, serviceName="cache"),
            workload("ReplicaSet", "legacy-rs", pod_template("legacy-rs", affinity=preferred_affinity), replicas=2),
            cronjob("nightly-spin", pod_template("nightly-spin", runtimeClassName=spin_rc)),
        ],
        "pdbs": [pdb("spin-hello-pdb", "spin-hello", allowed=0, minAvailable=2),
                 pdb("web-pdb", "web", allowed=1, maxUnavailable=1),
                 pdb("empty-v1beta1")],
    }


def running_pods(pool="wasipool", std="stdpool"):
    """Pods as the controllers made them, for the unit test (the live test gets them from the server)."""
    return [
        pod("spin-hello-6d4-abcde", f"aks-{pool}-0", ("ReplicaSet", "spin-hello-6d4")),
        pod("metrics-7c9-xyz12", f"aks-{pool}-1", ("ReplicaSet", "metrics-7c9")),
        pod("nightly-spin-28000000-q7x", f"aks-{pool}-0", ("Job", "nightly-spin-28000000")),
        pod("elsewhere-5f5-k2j4l", f"aks-{std}-0", ("ReplicaSet", "elsewhere-5f5")),
        pod("debug-shell", f"aks-{pool}-1"),
        pod("old-task", f"aks-{pool}-0", phase="Succeeded"),
    ]


def owned_children():
    """The ReplicaSets and the Job the controllers made: they lead pods back to their owners."""
    job = owned({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "nightly-spin-28000000",
                                                                       "namespace": NS}, "spec": {}},
                "CronJob", "nightly-spin")
    return [owned(workload("ReplicaSet", f"{app}-{h}", pod_template(app), replicas=1), "Deployment", app)
            for app, h in (("spin-hello", "6d4"), ("metrics", "7c9"), ("elsewhere", "5f5"))] + [job]


def unit_snapshot():
    objects = cluster_objects()
    return ClusterSnapshot(nodes=objects["nodes"], pods=running_pods(),
                           workloads=objects["workloads"] + owned_children(), pdbs=objects["pdbs"],
                           runtime_classes=objects["runtime_classes"])


# What both this test and the live one expect: (kind, name) -> (payload, target, pools, setting evidence fields)
T = "spec.template.spec"
EXPECTED = {
    ("CronJob", "nightly-spin"): ("spin", "standard-pool-spinkube", ["wasipool"],
                                  ["spec.jobTemplate.spec.template.spec.runtimeClassName"]),
    ("DaemonSet", "log-agent"): ("container", "standard-pool", ["wasipool"], [f"{T}.nodeSelector"]),
    ("Deployment", "metrics"): ("container", "standard-pool", ["wasipool"], []),
    ("Deployment", "slight-kv"): ("slight", "none", ["wasipool"], [f"{T}.runtimeClassName"]),
    ("Deployment", "spin-hello"): ("spin", "standard-pool-spinkube", ["wasipool"], [f"{T}.runtimeClassName"]),
    ("Deployment", "wagi-legacy"): ("wagi", "standard-pool-spinkube", ["krustlet"], [
        "spec.template.metadata.annotations", "spec.template.metadata.annotations", f"{T}.nodeSelector",
        f"{T}.tolerations[0]", f"{T}.tolerations[1]"]),
    ("Deployment", "web"): ("container", "standard-pool", ["wasipool"], [
        f"{T}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
        ".matchExpressions[0]"]),
    ("Deployment", "wws-api"): ("wws", "none", ["wasipool"], [f"{T}.nodeSelector"]),
    ("Pod", "debug-shell"): ("container", "standard-pool", ["wasipool"], []),
    ("ReplicaSet", "legacy-rs"): ("container", "standard-pool", ["wasipool"], [
        f"{T}.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference"
        ".matchExpressions[0]"]),
    ("StatefulSet", "cache"): ("container", "standard-pool", ["wasipool"], [f"{T}.nodeSelector"]),
}


def setting_fields(finding):
    return sorted(e["field"] for e in finding["evidence"] if e["field"] != scan.RUNNING_FIELD)


def classification(findings, rename_pools=None):
    rename_pools = rename_pools or {}
    return {(f["kind"], f["name"]): (f["payload"], f["recommendedTarget"],
                                     [rename_pools.get(p, p) for p in f["pools"]], setting_fields(f))
            for f in findings}
