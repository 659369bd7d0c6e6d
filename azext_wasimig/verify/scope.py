"""What verify looks at (pure): the workloads of this move, their pods, and the two pools' nodes.

The workloads of the move OLD -> NEW are every top-level workload (or bare pod) that ``scan`` ties to OLD, every
one whose saved placement (retarget's annotation) belongs to this move, and with ``--aci`` every one a container
group names as its source (the group's provenance tag). A pod belongs to the workload at the top of its chain of
controller references (Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob) as far as the snapshot holds it.
"""

from dataclasses import dataclass, field

from azext_wasimig.vocabulary.kubernetes import POOL_LABEL, controller_key, is_finished, is_mirror_pod, object_key


def show(key):
    return "/".join(key)


@dataclass
class Scope:
    """``workloads``: key -> object (Pods included for bare pods); ``pods``: key -> live pods of that workload;
    ``jobs``: CronJob key -> the Jobs it owns; ``old_nodes``/``new_nodes``: the pools' Node objects."""
    workloads: dict = field(default_factory=dict)
    pods: dict = field(default_factory=dict)
    jobs: dict = field(default_factory=dict)
    old_nodes: list = field(default_factory=list)
    new_nodes: list = field(default_factory=list)

    def live_pods(self):
        return [pod for key in sorted(self.pods) for pod in self.pods[key]]


def pool_nodes(nodes, pool):
    return [n for n in nodes if ((n.get("metadata") or {}).get("labels") or {}).get(POOL_LABEL) == pool]


def top_level(obj, objects):
    key = object_key(obj)
    for _ in range(5):   # the longest real chain has three links; a cycle must not hang
        owner = controller_key(objects.get(key) or obj)
        if owner is None or owner not in objects:
            return key
        key = owner
    return key


def is_live(pod):
    meta = pod.get("metadata") or {}
    return not is_finished(pod) and not meta.get("deletionTimestamp") and not is_mirror_pod(pod)


def build(snapshot, keys, old_pool, new_pool=None):
    """The Scope of the workloads named by ``keys`` ((namespace, kind, name) tuples) that exist in ``snapshot``."""
    objects = {object_key(o): o for o in snapshot.workloads + snapshot.pods}
    scope = Scope(old_nodes=pool_nodes(snapshot.nodes, old_pool),
                  new_nodes=pool_nodes(snapshot.nodes, new_pool) if new_pool else [])
    scope.workloads = {k: objects[k] for k in sorted(set(keys)) if k in objects}
    for pod in snapshot.pods:
        owner = top_level(pod, objects)
        if owner in scope.workloads and is_live(pod):
            scope.pods.setdefault(owner, []).append(pod)
    for job in (w for w in snapshot.workloads if w.get("kind") == "Job"):
        owner = controller_key(job)
        if owner in scope.workloads and owner[1] == "CronJob":
            scope.jobs.setdefault(owner, []).append(job)
    return scope


def moved_keys(snapshot, findings, old_pool, new_pool, saved_move):
    """Keys of the workloads of this move: scan's findings for OLD, and the top-level ones whose saved placement is
    this move's (``saved_move(obj)`` -> (old, new) or None). A Deployment's ReplicaSets carry its annotations too:
    they are the Deployment's, not workloads of their own."""
    keys = {(f["namespace"], f["kind"], f["name"]) for f in findings}
    if new_pool:
        objects = {object_key(o): o for o in snapshot.workloads}
        keys |= {object_key(w) for w in snapshot.workloads
                 if saved_move(w) == (old_pool, new_pool) and top_level(w, objects) == object_key(w)}
    return keys
