"""Which pods (or container groups) of which workload run on which side (pure: the API server's JSON in).

A pod belongs to the workload at the top of its controller owner references (pod -> ReplicaSet -> Deployment,
pod -> Job -> CronJob) and to the side of its node's pool (the ``kubernetes.azure.com/agentpool`` label AKS
puts on every node). An ACI container group belongs to the workload create-aci made it from (its provenance
tag ``wasimig.migratedFrom``: ``namespace/Kind/name``). Deleted, finished and mirror pods are left out: they
say nothing about how the workload runs now.
"""

from azext_wasimig.compare.errors import NotOnBothSides
from azext_wasimig.vocabulary.kubernetes import POOL_LABELS, is_finished, is_mirror_pod
from azext_wasimig.vocabulary.wasi import CLUSTER_TAG, PROVENANCE_TAG


def ref_text(key):
    return "/".join(key)


def _controller(obj):
    return next((r for r in (obj.get("metadata") or {}).get("ownerReferences") or [] if r.get("controller")), None)


def workload_of(pod, owners):
    """(namespace, Kind, name) of the workload that runs ``pod``; ``owners``: {(ns, Kind, name): object} of the
    ReplicaSets and Jobs, whose own controllers are followed one level up. None for a bare pod."""
    namespace = pod["metadata"].get("namespace") or "default"
    ref = _controller(pod)
    if ref is None:
        return None
    key = (namespace, ref.get("kind"), ref.get("name"))
    parent = _controller(owners.get(key) or {})
    return (namespace, parent.get("kind"), parent.get("name")) if parent else key


def node_pools(nodes):
    """{node name: pool name} from AKS's pool labels."""
    found = {}
    for node in nodes:
        labels = (node.get("metadata") or {}).get("labels") or {}
        pool = next((labels[k] for k in POOL_LABELS if labels.get(k)), None)
        if pool:
            found[node["metadata"]["name"]] = pool
    return found


def _current(pod):
    return not ((pod.get("metadata") or {}).get("deletionTimestamp") or is_mirror_pod(pod) or is_finished(pod))


def pods_by_side(pods, owners, nodes, old_pool, new_pool=None):
    """{workload key: {"old": [pods], "new": [pods]}} of the pods on the old pool (and on ``new_pool``)."""
    pools, found = node_pools(nodes), {}
    sides = {old_pool: "old", **({new_pool: "new"} if new_pool else {})}
    for pod in pods:
        side = sides.get(pools.get((pod.get("spec") or {}).get("nodeName")))
        key = workload_of(pod, owners) if side and _current(pod) else None
        if key:
            found.setdefault(key, {"old": [], "new": []})[side].append(pod)
    return found


def add_aci_groups(found, groups, cluster_id=None):
    """Put each container group create-aci made (for this cluster, when it says) on the new side of its
    workload; ``found`` as ``pods_by_side`` returns it."""
    for group in groups:
        tags = group.get("tags") or {}
        source = tags.get(PROVENANCE_TAG)
        theirs = tags.get(CLUSTER_TAG)
        if not source or source.count("/") != 2 or (cluster_id and theirs and theirs.lower() != cluster_id.lower()):
            continue
        key = tuple(source.split("/"))
        found.setdefault(key, {"old": [], "new": []})["new"].append(group)
    return found


def on_both_sides(found, wanted, new_side):
    """The workload keys to compare: every one of ``wanted`` (each must run on both sides), or, with none wanted,
    every workload that does. NotOnBothSides names what is missing where."""
    if wanted:
        missing = [_missing(key, found.get(key) or {}, new_side) for key in wanted]
        missing = [m for m in missing if m]
        if missing:
            raise NotOnBothSides("Nothing to compare for " + "; ".join(missing) + ".",
                                 recommendation="Run both sides first (retarget --phase parallel, or create-aci), "
                                                "and check the names with 'az aks wasi-migrate scan'.")
        return list(wanted)
    both = sorted(key for key, sides in found.items() if sides["old"] and sides["new"])
    if not both:
        raise NotOnBothSides(f"No workload runs on both the old pool and {new_side}: there is nothing to compare.",
                             recommendation="Start the parallel run first (retarget --phase parallel, or "
                                            "create-aci), then compare.")
    return both


def _missing(key, sides, new_side):
    lacking = [name for name, where in (("the old pool", "old"), (new_side, "new")) if not sides.get(where)]
    return f"{ref_text(key)} (no running pod on {' nor on '.join(lacking)})" if lacking else ""
