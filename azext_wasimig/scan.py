"""Scan: which workloads are tied to a WASI pool, what they run, and what stands in the way of moving them.

Pure: a ClusterSnapshot (from the cluster or from manifests) in, one finding dict per workload out.
A workload is tied when a pod of it runs on a pool node now, or when its pod template would put
it there: a nodeSelector / node affinity on the pool's labels, a RuntimeClass whose
scheduling.nodeSelector does so, a toleration of the Krustlet taints, or Krustlet WAGI
annotations. With no pool names (manifests) only the WASI-specific signals tie, and the pool is
reported as unknown (an empty ``pools`` list).
"""

from collections import Counter
from dataclasses import dataclass, field

POOL_LABELS = ("kubernetes.azure.com/agentpool", "agentpool")
ARCH_LABEL, KRUSTLET_ARCH = "kubernetes.io/arch", "wasm32-wagi"
WAGI_ANNOTATION_PREFIX = "alpha.wagi.krustlet.dev/"
RUNNING_FIELD = "spec.nodeName"   # evidence that a pod runs on a pool node now (not a setting)
WASMTIME_LABEL_PREFIX = "kubernetes.azure.com/wasmtime-"
AKS_RUNTIME_CLASS_PREFIX = "wasmtime-"
TEMPLATE_PATHS = {
    "Deployment": ("spec", "template"), "StatefulSet": ("spec", "template"), "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"), "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}
FINISHED_PHASES = ("Succeeded", "Failed")
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"


@dataclass
class _Cluster:
    """The snapshot indexed once, so each workload costs dictionary look-ups, not scans."""
    pools: frozenset          # WASI pools in scope; empty = not known (manifests)
    nodes: list
    node_pool: dict           # node name -> pool, for the nodes of pools in scope
    runtime_classes: dict     # name -> RuntimeClass
    pdbs: dict                # namespace -> [PodDisruptionBudget]
    objects: dict             # (namespace, kind, name) -> workload or pod
    sources: dict
    carrying: dict = field(default_factory=dict)   # memo for _pools_carrying


def assess(snapshot, wasi_pools, only_pool=None):
    """One finding per tied workload, ordered by (namespace, kind, name)."""
    cluster = _index(snapshot, wasi_pools, only_pool)
    running = _pods_on_pool_by_owner(snapshot.pods, cluster)
    candidates = [w for w in snapshot.workloads if _is_top_level(w, cluster)]
    candidates += [p for p in snapshot.pods if _top_level_key(p, cluster) == _key(p) and not _is_mirror(p)]
    findings = [f for f in (_assess_one(obj, running.get(_key(obj), []), cluster) for obj in candidates) if f]
    return sorted(findings, key=lambda f: (f["namespace"], f["kind"], f["name"]))


def summarize(findings):
    """Counts for a table footer or the report: by payload, by target, blockers and warnings."""
    def count(key):
        return dict(sorted(Counter(f[key] for f in findings).items()))
    return {
        "workloads": len(findings),
        "byPayload": count("payload"),
        "byTarget": count("recommendedTarget"),
        "blockers": sum(len(f["blockers"]) for f in findings),
        "warnings": sum(len(f["warnings"]) for f in findings),
        "workloadsBlocked": sum(1 for f in findings if f["blockers"]),
        "podsOnPool": sum(len(f["podsOnPool"]) for f in findings),
        "pools": sorted({p for f in findings for p in f["pools"]}),
    }


def has_findings(findings):
    """For --fail-on-findings: any blocker or warning, or any WASI-specific setting left (evidence
    other than a pod merely running on a pool node)."""
    return any(f["blockers"] or f["warnings"] or any(e["field"] != RUNNING_FIELD for e in f["evidence"])
               for f in findings)


# --- indexing and ownership -------------------------------------------------------------------

def _index(snapshot, wasi_pools, only_pool):
    pools = frozenset([only_pool] if only_pool else (wasi_pools or []))
    pdbs = {}
    for pdb in snapshot.pdbs:
        pdbs.setdefault(namespace_of(pdb), []).append(pdb)
    nodes = snapshot.nodes
    node_pool = {n["metadata"]["name"]: pool_of_node(n) for n in nodes if _node_in_scope(n, pools)}
    return _Cluster(pools=pools, nodes=nodes, node_pool=node_pool,
                    runtime_classes={rc["metadata"]["name"]: rc for rc in snapshot.runtime_classes},
                    pdbs=pdbs, objects={_key(o): o for o in snapshot.workloads + snapshot.pods},
                    sources=snapshot.sources)


def _node_in_scope(node, pools):
    if pools:
        return pool_of_node(node) in pools
    return pool_of_node(node) is not None and has_wasi_node_label(node)   # pools unknown: its labels tell


def namespace_of(obj):
    return (obj.get("metadata") or {}).get("namespace") or "default"


def _key(obj):
    return namespace_of(obj), obj.get("kind") or "Pod", obj["metadata"]["name"]


def _controller_key(obj):
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return namespace_of(obj), ref.get("kind"), ref.get("name")
    return None


def _top_level_key(obj, cluster):
    """Follow controller references (Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob) as far
    as the snapshot holds the owners; an owner the scan did not read ends the chain."""
    key = _key(obj)
    for _ in range(5):   # the longest real chain is three links; a cycle must not hang us
        owner = _controller_key(cluster.objects.get(key) or obj)
        if owner is None or owner not in cluster.objects:
            return key
        key = owner
    return key


def _is_mirror(pod):
    """A static pod's API mirror: the kubelet owns it, nothing moves it (drain skips it too)."""
    return MIRROR_ANNOTATION in ((pod.get("metadata") or {}).get("annotations") or {})


def _is_top_level(workload, cluster):
    return _controller_key(workload) not in cluster.objects


def _pods_on_pool_by_owner(pods, cluster):
    running = {}
    for pod in pods:
        node = (pod.get("spec") or {}).get("nodeName")
        phase = (pod.get("status") or {}).get("phase")
        if node in cluster.node_pool and phase not in FINISHED_PHASES:
            running.setdefault(_top_level_key(pod, cluster), []).append(pod)
    return running


# --- one workload -----------------------------------------------------------------------------

def _pod_template(obj):
    """(path of the pod spec, pod metadata, pod spec) of a workload or a pod."""
    path = TEMPLATE_PATHS.get(obj.get("kind"))
    if path is None:
        return "spec", obj.get("metadata") or {}, obj.get("spec") or {}
    template = obj
    for part in path:
        template = (template or {}).get(part) or {}
    return ".".join(path) + ".spec", template.get("metadata") or {}, template.get("spec") or {}


def _assess_one(obj, pods_on_pool, cluster):
    spec_path, pod_meta, spec = _pod_template(obj)
    ties = (_running_ties(pods_on_pool, cluster) + _selector_ties(spec_path, spec, cluster)
            + _runtime_class_ties(spec_path, spec, cluster) + _toleration_ties(spec_path, spec, cluster)
            + _annotation_ties(obj, spec_path, pod_meta, cluster))
    if not ties:
        return None
    evidence = [e for e, _ in ties]
    pools = sorted({p for _, tied in ties for p in tied})
    namespace, kind, name = _key(obj)
    wagi = _wagi_annotations(obj, pod_meta)
    payload = payload_of(_runtime_handler(spec, cluster), wagi, evidence)
    replicas = _desired_replicas(obj, pools, cluster)
    pdbs = _covering_pdbs(namespace, pod_meta.get("labels") or {}, cluster)
    target = TARGETS[payload]
    return {
        "namespace": namespace, "kind": kind, "name": name, "apiVersion": obj.get("apiVersion"),
        "pools": pools, "evidence": evidence, "payload": payload,
        "runtimeClassName": spec.get("runtimeClassName"), "replicas": replicas,
        "podsOnPool": sorted(p["metadata"]["name"] for p in pods_on_pool), "pdbs": pdbs,
        "blockers": blockers(payload, wagi, pdbs, replicas),
        "warnings": warnings(kind, spec, replicas, pdbs, cluster.runtime_classes, _controller_key(obj)),
        "recommendedTarget": target,
        "alternatives": alternatives(kind, payload, spec),
        "actions": actions(target, evidence),
        "source": cluster.sources.get(id(obj)),
    }


def _evidence(field, value, reason):
    return {"field": field, "value": value, "reason": reason}


def _running_ties(pods_on_pool, cluster):
    by_node = {}
    for pod in pods_on_pool:
        by_node.setdefault(pod["spec"]["nodeName"], []).append(pod["metadata"]["name"])
    return [(_evidence(RUNNING_FIELD, node, f"{len(names)} pod(s) run now on node {node} of WASI pool "
                                            f"{cluster.node_pool[node]}"), {cluster.node_pool[node]})
            for node, names in sorted(by_node.items())]


def _selector_ties(spec_path, spec, cluster):
    ties = []
    for where, key, operator, values in node_requirements(spec):
        tie = _requirement_tie(key, operator, values, cluster)
        if tie:
            shown = show_requirement(key, operator, values)
            ties.append((_evidence(f"{spec_path}.{where}", shown, tie[0]), tie[1]))
    return ties


def _runtime_class_ties(spec_path, spec, cluster):
    name = spec.get("runtimeClassName")
    if not name:
        return []
    where = f"{spec_path}.runtimeClassName"
    runtime_class = cluster.runtime_classes.get(name)
    if runtime_class is None:
        return _unknown_runtime_class_ties(where, name, cluster)
    ties = []
    selector = ((runtime_class.get("scheduling") or {}).get("nodeSelector") or {})
    for key, value in sorted(selector.items()):
        tie = _requirement_tie(key, "In", [value], cluster)
        if tie:
            reason = f"its RuntimeClass {name} has scheduling.nodeSelector {key}={value}, which {tie[0]}"
            ties.append((_evidence(where, name, reason), tie[1]))
    return ties


def _unknown_runtime_class_ties(where, name, cluster):
    """A RuntimeClass missing from the input (manifests): judge by the name AKS gave its own."""
    if not name.startswith(AKS_RUNTIME_CLASS_PREFIX):
        return []
    label = WASMTIME_LABEL_PREFIX + name[len(AKS_RUNTIME_CLASS_PREFIX):]
    pools = _pools_carrying(label, "Exists", [], cluster)
    if pools is None:
        return []
    reason = f"AKS named the RuntimeClasses of its WASI pools wasmtime-*; {name} is not among the objects read"
    return [(_evidence(where, name, reason), pools)]


def _toleration_ties(spec_path, spec, cluster):
    ties = []
    for i, toleration in enumerate(spec.get("tolerations") or []):
        if tolerates_krustlet(toleration):
            pools = _pools_carrying(ARCH_LABEL, "In", [KRUSTLET_ARCH], cluster)
            if pools is not None:
                reason = "tolerates the taint Krustlet-era WASI nodes carry"
                ties.append((_evidence(f"{spec_path}.tolerations[{i}]", show_toleration(toleration),
                                       reason), pools))
    return ties


def _annotation_ties(obj, spec_path, pod_meta, cluster):
    """WAGI annotations tie to the Krustlet nodes (the pools whose nodes have the wasm32-wagi arch)."""
    own_meta = obj.get("metadata") or {}
    places = [("metadata", own_meta)]
    if pod_meta is not own_meta:
        places.insert(0, (spec_path[:-len("spec")] + "metadata", pod_meta))
    pools = _pools_carrying(ARCH_LABEL, "In", [KRUSTLET_ARCH], cluster)
    reason = "Krustlet WAGI annotation: only Krustlet on a WASI node read it"
    return [(_evidence(f"{where}.annotations", key, reason), pools)
            for where, meta in places if pools is not None
            for key in sorted(meta.get("annotations") or {}) if key.startswith(WAGI_ANNOTATION_PREFIX)]


def _wagi_annotations(obj, pod_meta):
    keys = set((pod_meta.get("annotations") or {})) | set(((obj.get("metadata") or {}).get("annotations") or {}))
    return sorted(k for k in keys if k.startswith(WAGI_ANNOTATION_PREFIX))


# --- label requirements against the pools -----------------------------------------------------

def _requirement_tie(key, operator, values, cluster):
    """(why, pools) when one node-label requirement points at a WASI pool, else None."""
    if key in POOL_LABELS:
        named = set(values or []) & cluster.pools if operator == "In" else set()
        return (f"selects the nodes of WASI pool {', '.join(sorted(named))}", named) if named else None
    if not is_wasi_requirement(key, operator, values):
        return None
    pools = _pools_carrying(key, operator, values, cluster)
    if pools is None:
        return None
    where = f"pool {', '.join(sorted(pools))}" if pools else "pool unknown"
    return f"selects a label only WASI nodes carry ({where})", pools


def _pools_carrying(key, operator, values, cluster):
    """Pools in scope whose nodes carry the label; empty set when no node carries it (unknown pool);
    None when only nodes of pools out of scope carry it. Memoised: thousands of workloads repeat
    the same few requirements."""
    memo_key = (key, operator, tuple(values or ()))
    if memo_key not in cluster.carrying:
        carrying = {pool_of_node(n) for n in cluster.nodes
                    if label_matches((n.get("metadata") or {}).get("labels") or {}, key, operator, values)}
        carrying.discard(None)
        in_scope = carrying & cluster.pools if cluster.pools else carrying
        cluster.carrying[memo_key] = (in_scope or None) if carrying else set()
    return cluster.carrying[memo_key]


# --- replicas, PDBs, runtime -----------------------------------------------------------------

def _desired_replicas(obj, pools, cluster):
    kind, spec = obj.get("kind"), obj.get("spec") or {}
    if kind == "DaemonSet":
        on_pools = sum(1 for pool in cluster.node_pool.values() if pool in pools)
        return on_pools or (obj.get("status") or {}).get("desiredNumberScheduled")
    if kind == "Job":
        return spec.get("parallelism", 1)
    if kind == "CronJob":
        return ((spec.get("jobTemplate") or {}).get("spec") or {}).get("parallelism", 1)
    if kind in (None, "Pod"):
        return 1
    return spec.get("replicas", 1)


def _covering_pdbs(namespace, pod_labels, cluster):
    covering = []
    for pdb in cluster.pdbs.get(namespace, []):
        # policy/v1 made an empty selector match every pod; in policy/v1beta1 it matches none.
        empty_matches_all = pdb.get("apiVersion") != "policy/v1beta1"
        if selector_matches((pdb.get("spec") or {}).get("selector"), pod_labels, empty_matches_all):
            spec, status = pdb.get("spec") or {}, pdb.get("status") or {}
            covering.append({"name": pdb["metadata"]["name"], "minAvailable": spec.get("minAvailable"),
                             "maxUnavailable": spec.get("maxUnavailable"),
                             "disruptionsAllowed": status.get("disruptionsAllowed")})
    return sorted(covering, key=lambda p: p["name"])


def _runtime_handler(spec, cluster):
    """RuntimeClass name and handler, lower-cased: what the payload classification reads."""
    name = spec.get("runtimeClassName") or ""
    handler = (cluster.runtime_classes.get(name) or {}).get("handler") or ""
    return f"{name} {handler}".strip().lower()


# --- rules: each small function answers one question -------------------------------------------

def pool_of_node(node):
    labels = (node.get("metadata") or {}).get("labels") or {}
    return next((labels[k] for k in POOL_LABELS if labels.get(k)), None)


def has_wasi_node_label(node):
    labels = (node.get("metadata") or {}).get("labels") or {}
    return any(is_wasi_requirement(key, "In", [value]) for key, value in labels.items())


def is_wasi_requirement(key, operator, values):
    """A node-label requirement only WASI nodes satisfy: the shim labels or the Krustlet arch."""
    if (key or "").startswith(WASMTIME_LABEL_PREFIX):
        return operator in ("In", "Exists")
    return key == ARCH_LABEL and operator == "In" and KRUSTLET_ARCH in (values or [])


def label_matches(labels, key, operator, values):
    """One requirement (In, NotIn, Exists, DoesNotExist) against a label set; Gt/Lt never select a
    pool and count as no match."""
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    if operator == "In":
        return key in labels and labels[key] in (values or [])
    if operator == "NotIn":
        return labels.get(key) not in (values or [])
    return False


def selector_matches(selector, labels, empty_matches_all=False):
    """A LabelSelector (matchLabels AND matchExpressions) against labels. A null selector matches
    nothing; an empty one matches everything only when ``empty_matches_all`` (policy/v1 PDBs; in
    policy/v1beta1 it matched nothing). Shared with drain.pdbs_covering."""
    if selector is None:
        return False
    match_labels, expressions = selector.get("matchLabels") or {}, selector.get("matchExpressions") or []
    if not match_labels and not expressions:
        return empty_matches_all
    return (all(labels.get(k) == v for k, v in match_labels.items())
            and all(label_matches(labels, e.get("key"), e.get("operator"), e.get("values")) for e in expressions))


def node_requirements(spec):
    """(field under the pod spec, key, operator, values) of every node-label requirement it states."""
    for key, value in sorted((spec.get("nodeSelector") or {}).items()):
        yield "nodeSelector", key, "In", [value]
    affinity = (spec.get("affinity") or {}).get("nodeAffinity") or {}
    required = "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
    preferred = "affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution"
    terms = [(f"{required}.nodeSelectorTerms[{i}]", term) for i, term in enumerate(
        (affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get("nodeSelectorTerms") or [])]
    terms += [(f"{preferred}[{i}].preference", (weighted or {}).get("preference") or {})
              for i, weighted in enumerate(affinity.get("preferredDuringSchedulingIgnoredDuringExecution") or [])]
    for path, term in terms:
        for j, expression in enumerate((term or {}).get("matchExpressions") or []):
            yield (f"{path}.matchExpressions[{j}]", expression.get("key"), expression.get("operator"),
                   expression.get("values"))


def show_requirement(key, operator, values):
    if operator == "In" and len(values or []) == 1:
        return f"{key}={values[0]}"
    if operator in ("Exists", "DoesNotExist"):
        return f"{key} {operator}"
    return f"{key} {operator} ({', '.join(values or [])})"


def tolerates_krustlet(toleration):
    if toleration.get("key") != ARCH_LABEL:
        return False
    return toleration.get("operator") == "Exists" or toleration.get("value") == KRUSTLET_ARCH


def show_toleration(toleration):
    value = "" if toleration.get("operator") == "Exists" else f"={toleration.get('value')}"
    return f"{toleration.get('key')}{value}:{toleration.get('effect') or '(any effect)'}"


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


def warnings(kind, spec, replicas, pdbs, runtime_classes, controller=None):
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
    pins = [f"{k}={v}" for k, v in sorted(selector.items()) if is_wasi_requirement(k, "In", [v])]
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
