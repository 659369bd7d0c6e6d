"""Scan rules: what a finding says about one tied workload.

Which node labels and tolerations only WASI nodes call for, the kind of payload (spin, slight, wws,
wagi, container), and from it the blockers, warnings, alternatives and actions of the finding,
with their texts. Pure functions over plain dicts; ``scan`` ties workloads to pools and calls them.
"""

from azext_wasimig.vocabulary.wasi import AKS_RUNTIME_CLASS_PREFIX, ARCH_LABEL, KRUSTLET_ARCH, is_wasi_label

RUNNING_FIELD = "spec.nodeName"   # evidence that a pod runs on a pool node now (not a setting)


# --- which signals are WASI-specific ----------------------------------------------------------

def has_wasi_node_label(node):
    labels = (node.get("metadata") or {}).get("labels") or {}
    return any(is_wasi_label(key, value) for key, value in labels.items())


# --- payload, blockers, warnings, alternatives, actions ----------------------------------------

TARGETS = {"spin": "standard-pool-spinkube", "wagi": "standard-pool-spinkube", "container": "standard-pool",
           "slight": "none", "wws": "none"}
NO_SUCCESSOR = {
    "slight": "Slight (SpiderLightning) app: it has no supported successor (SpinKube runs Spin apps only and the "
              "Slight shim left the AKS node image in June 2025). Rewrite it as a Spin app or a container first.",
    "wws": "Wasm Workers Server (wws) app: it has no supported successor (SpinKube runs Spin apps only and the wws "
           "shim left the AKS node image in June 2025). Rewrite it as a Spin app or a container first.",
}
STATELESS_VOLUMES = {"configMap", "secret", "projected", "downwardAPI"}
CONTROLLED_REPLICAS = ("Deployment", "StatefulSet", "ReplicaSet")


def payload_of(runtime, wagi_annotations, evidence):
    """spin, slight or wws from the RuntimeClass name/handler; wagi for Krustlet; else container."""
    for needle in ("slight", "wws", "spin"):
        if needle in runtime:
            return needle
    if wagi_annotations or any(KRUSTLET_ARCH in e["value"] for e in evidence):
        return "wagi"
    return "container"


def blockers(payload, wagi_annotations, pdbs, replicas):
    found = [NO_SUCCESSOR[payload]] if payload in NO_SUCCESSOR else []
    if payload == "wagi":
        found.append(_wagi_blocker(wagi_annotations))
    for pdb in pdbs:
        why = _pdb_allows_no_disruption(pdb, replicas)
        if why:
            found.append(f"PodDisruptionBudget {pdb['name']} allows no disruption ({why}): evictions are refused, "
                         "so draining the WASI pool hangs. Relax it (e.g. maxUnavailable: 1) or add replicas first.")
    return found


def _wagi_blocker(annotations):
    what = (f"WAGI annotations {', '.join(annotations)}" if annotations
            else f"Krustlet-era module ({ARCH_LABEL}={KRUSTLET_ARCH})")
    return (f"Krustlet WAGI app ({what}): Krustlet is gone from AKS and nothing reads these settings. Repackage "
            "it as a Spin app with the WAGI executor (executor = { type = \"wagi\" } in spin.toml) and run it on "
            "SpinKube.")


def _pdb_allows_no_disruption(pdb, replicas):
    """Why the budget refuses every eviction, or None: by its spec first, then by its current status."""
    min_available, max_unavailable = pdb["minAvailable"], pdb["maxUnavailable"]
    if max_unavailable in (0, "0%"):
        return "maxUnavailable is 0"
    if min_available == "100%":
        return "minAvailable is 100%"
    if isinstance(min_available, int) and replicas is not None and min_available >= replicas:
        return f"minAvailable {min_available} with {replicas} replica(s)"
    if pdb["disruptionsAllowed"] == 0:
        return "status.disruptionsAllowed is 0 now: too few healthy pods"
    return None


SINGLE_REPLICA = ("One replica and no PodDisruptionBudget: the app is down from the eviction until its replacement "
                  "is Ready on the new pool. Scale to 2 or more (and add a PDB) first, or plan the downtime.")
BARE_POD = ("Bare Pod with no controller: draining deletes it and nothing re-creates it. Re-create it on the new "
            "pool yourself, or put it under a Deployment.")
HOST_NETWORK = ("hostNetwork: true: the pod takes host ports on whichever node it lands; check they are free on the "
                "new pool. Krustlet needed it for WAGI; on SpinKube expose the app through a Service instead.")
LOCAL_VOLUMES = {
    "emptyDir": "their data is lost when the pod is evicted. Make sure the app can rebuild it, or move it to a "
                "persistent volume first.",
    "hostPath": "the data stays on the old node and goes with the WASI pool. Copy it to a persistent volume first.",
}


def warnings(kind, spec, replicas, pdbs, runtime_classes, *, controller=None):
    """``controller``: (namespace, kind, name) of an owner the scan could not read, for a Pod."""
    found = [SINGLE_REPLICA] if kind in CONTROLLED_REPLICAS and replicas == 1 and not pdbs else []
    if kind == "Pod":
        found.append(_unread_owner_warning(controller) if controller else BARE_POD)
    found += [HOST_NETWORK] if spec.get("hostNetwork") else []
    found += _local_volume_warnings(spec)
    found += [w for w in (_placeholder_command_warning(spec), _aks_runtime_class_warning(spec, runtime_classes)) if w]
    return found


def _unread_owner_warning(controller):
    return (f"Owned by {controller[1]} {controller[2]}, which the scan does not read: check that it re-creates "
            "the pod on the new pool once the WASI pool is drained.")


def _local_volume_warnings(spec):
    found = []
    for source, consequence in LOCAL_VOLUMES.items():
        names = [v.get("name") for v in spec.get("volumes") or [] if source in v]
        if names:
            found.append(f"{source} volume(s) {', '.join(names)}: {consequence}")
    return found


def _placeholder_command_warning(spec):
    names = [c.get("name") for c in spec.get("containers") or [] if c.get("command") == ["/"]]
    if names:
        return (f"Container(s) {', '.join(names)}: the Wasm placeholder command [\"/\"] only starts under a Wasm "
                "shim. Keep runtimeClassName pointing at SpinKube's RuntimeClass on the new pool; a plain container "
                "runtime (or ACI) cannot run it as is.")
    return None


def _aks_runtime_class_warning(spec, runtime_classes):
    name = spec.get("runtimeClassName") or ""
    selector = ((runtime_classes.get(name) or {}).get("scheduling") or {}).get("nodeSelector") or {}
    pins = [f"{k}={v}" for k, v in sorted(selector.items()) if is_wasi_label(k, v)]
    if name.startswith(AKS_RUNTIME_CLASS_PREFIX) and pins:
        return (f"RuntimeClass {name} is the one AKS made: its scheduling.nodeSelector ({', '.join(pins)}) keeps new "
                "pods on WASI nodes, and SpinKube wants that name with another handler (handler is immutable). "
                "Replace it only after the old pool is drained, or install SpinKube's under another name and "
                "change runtimeClassName.")
    return None


def alternatives(kind, payload, spec):
    """ACI for a stateless single-container Spin app (run by the Spin CLI in a Linux container)."""
    stateless = all(set(v) - {"name"} <= STATELESS_VOLUMES for v in spec.get("volumes") or [])
    if payload != "spin" or kind not in ("Deployment", "ReplicaSet", "Pod") or not stateless \
            or len(spec.get("containers") or []) != 1:
        return []
    return [{"target": "aci", "reason": "Stateless single-container Spin app: Azure Container Instances can run it "
                                        "in a Linux container with the Spin CLI (spin up -f <app image>); ACI has "
                                        "no Wasm runtime of its own."}]


FIRST_STEP = {
    "standard-pool-spinkube": "Install SpinKube on a standard pool (cert-manager, runtime-class-manager with a spin "
                              "Shim, spin-operator) and wait until the Shim reports its nodes ready.",
    "standard-pool": "Make sure a standard pool has room for it: the scheduler places it there once nothing pins it "
                     "to the WASI pool.",
    "none": "Rewrite the app as a Spin app or a container before the WASI pool is deleted: it cannot move as is.",
}


def actions(target, evidence):
    """What to do, in order, for this workload."""
    steps = [FIRST_STEP[target]]
    pins = sorted({e["field"] for e in evidence if e["field"] != RUNNING_FIELD})
    if pins:
        steps.append(f"Rewrite what ties it to the WASI pool: {', '.join(pins)}.")
    if target != "none":
        steps.append("Then cordon and drain the WASI pool so its pods are re-created on the new pool.")
    return steps
