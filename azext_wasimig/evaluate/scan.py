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

from azext_wasimig.evaluate import managers
from azext_wasimig.evaluate.rules import (RUNNING_FIELD, TARGETS, actions, alternatives, blockers,
                                          has_wasi_node_label, payload_of, warnings)
from azext_wasimig.vocabulary.kubernetes import (POOL_LABELS, controller_key, is_finished, is_mirror_pod,
                                                 namespace_of, object_key, pod_spec_path, pod_template)
from azext_wasimig.vocabulary.wasi import (ARCH_LABEL, KRUSTLET_ARCH, is_wagi_annotation, is_wasi_requirement,
                                           shim_label_of, tolerates_krustlet)


@dataclass
class _Cluster:
    """The snapshot indexed once, so each workload costs dictionary look-ups, not scans."""
    snapshot: object          # the ClusterSnapshot itself: its nodes, and the file:line of what manifests gave
    pools: frozenset          # WASI pools in scope; empty = not known (manifests)
    node_pool: dict           # node name -> pool, for the nodes of pools in scope
    runtime_classes: dict     # name -> RuntimeClass
    pdbs: dict                # namespace -> [PodDisruptionBudget]
    objects: dict             # (namespace, kind, name) -> workload or pod
    carrying: dict = field(default_factory=dict)   # memo for _pools_carrying


def assess(snapshot, wasi_pools, only_pool=None):
    """One finding per tied workload, ordered by (namespace, kind, name)."""
    cluster = _index(snapshot, wasi_pools, only_pool)
    running = _pods_on_pool_by_owner(snapshot.pods, cluster)
    candidates = [w for w in snapshot.workloads if _is_top_level(w, cluster)]
    candidates += [p for p in snapshot.pods if _top_level_key(p, cluster) == object_key(p) and not is_mirror_pod(p)]
    findings = [f for f in (_assess_one(obj, running.get(object_key(obj), []), cluster) for obj in candidates) if f]
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
    node_pool = {n["metadata"]["name"]: pool_of_node(n) for n in snapshot.nodes if _node_in_scope(n, pools)}
    return _Cluster(snapshot=snapshot, pools=pools, node_pool=node_pool,
                    runtime_classes={rc["metadata"]["name"]: rc for rc in snapshot.runtime_classes},
                    pdbs=pdbs, objects={object_key(o): o for o in snapshot.workloads + snapshot.pods})


def _node_in_scope(node, pools):
    if pools:
        return pool_of_node(node) in pools
    return pool_of_node(node) is not None and has_wasi_node_label(node)   # pools unknown: its labels tell


def _top_level_key(obj, cluster):
    """Follow controller references (Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob) as far
    as the snapshot holds the owners; an owner the scan did not read ends the chain."""
    key = object_key(obj)
    for _ in range(5):   # the longest real chain is three links; a cycle must not hang us
        owner = controller_key(cluster.objects.get(key) or obj)
        if owner is None or owner not in cluster.objects:
            return key
        key = owner
    return key


def _is_top_level(workload, cluster):
    return controller_key(workload) not in cluster.objects


def _pods_on_pool_by_owner(pods, cluster):
    running = {}
    for pod in pods:
        node = (pod.get("spec") or {}).get("nodeName")
        if node in cluster.node_pool and not is_finished(pod):
            running.setdefault(_top_level_key(pod, cluster), []).append(pod)
    return running


# --- one workload -----------------------------------------------------------------------------

def _pod_template(obj):
    """(path of the pod spec, pod metadata, pod spec) of a workload or a pod."""
    template = pod_template(obj)
    if template is None:   # not a kind the scan reads: judged as a pod
        template = obj
    return pod_spec_path(obj.get("kind")), template.get("metadata") or {}, template.get("spec") or {}


def _assess_one(obj, pods_on_pool, cluster):
    spec_path, pod_meta, spec = template = _pod_template(obj)
    ties = (_running_ties(pods_on_pool, cluster) + _selector_ties(spec_path, spec, cluster)
            + _runtime_class_ties(spec_path, spec, cluster) + _toleration_ties(spec_path, spec, cluster)
            + _annotation_ties(obj, spec_path, pod_meta, cluster))
    return _finding(obj, template, ties, pods_on_pool, cluster) if ties else None


def _finding(obj, template, ties, pods_on_pool, cluster):
    """The finding of one tied workload: every key of the result document is set here, and only here."""
    _, pod_meta, spec = template
    evidence = [e for e, _ in ties]
    pools = sorted({p for _, tied in ties for p in tied})
    namespace, kind, name = object_key(obj)
    wagi = _wagi_annotations(obj, pod_meta)
    payload = payload_of(_runtime_handler(spec, cluster), wagi, evidence)
    replicas = _desired_replicas(obj, pools, cluster)
    pdbs = _covering_pdbs(namespace, pod_meta.get("labels") or {}, cluster)
    target = TARGETS[payload]
    managed_by = managers.manager_of(obj, cluster.snapshot.owners or managers.FILES)
    return {
        "namespace": namespace, "kind": kind, "name": name, "apiVersion": obj.get("apiVersion"),
        "pools": pools, "evidence": evidence, "payload": payload,
        "runtimeClassName": spec.get("runtimeClassName"), "replicas": replicas,
        "podsOnPool": sorted(p["metadata"]["name"] for p in pods_on_pool), "pdbs": pdbs,
        "blockers": blockers(payload, wagi, pdbs, replicas),
        "warnings": warnings(kind, spec, replicas, pdbs, cluster.runtime_classes, controller=controller_key(obj)),
        "recommendedTarget": target,
        "alternatives": alternatives(kind, payload, spec),
        "actions": _actions(target, evidence, managed_by),
        "source": cluster.snapshot.source_of(obj),
        "managedBy": managed_by,
    }


def _actions(target, evidence, managed_by):
    """What to do; for a managed workload, changing its source comes before the drain (the source must pin the new
    pool before the old one empties, or its manager puts the pods back there)."""
    steps = actions(target, evidence)
    step = managers.source_step(managed_by)
    if step:
        steps.insert(len(steps) - 1 if target != "none" else len(steps), step)
    return steps


def _evidence(path, value, reason):
    return {"field": path, "value": value, "reason": reason}


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
    label = shim_label_of(name)
    if label is None:
        return []
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
            for key in sorted(meta.get("annotations") or {}) if is_wagi_annotation(key)]


def _wagi_annotations(obj, pod_meta):
    keys = set((pod_meta.get("annotations") or {})) | set(((obj.get("metadata") or {}).get("annotations") or {}))
    return sorted(k for k in keys if is_wagi_annotation(k))


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
        carrying = {pool_of_node(n) for n in cluster.snapshot.nodes
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


# --- label and toleration semantics ----------------------------------------------------------

def pool_of_node(node):
    labels = (node.get("metadata") or {}).get("labels") or {}
    return next((labels[k] for k in POOL_LABELS if labels.get(k)), None)


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


def show_toleration(toleration):
    value = "" if toleration.get("operator") == "Exists" else f"={toleration.get('value')}"
    return f"{toleration.get('key')}{value}:{toleration.get('effect') or '(any effect)'}"
