"""What `retarget` changes, and into what (pure: a ClusterSnapshot and scan findings in, plans out).

In scope: every object that scan ties to the old pool (not the findings whose pool scan could not
tell: a Krustlet toleration with no Krustlet node left says nothing about which pool), plus every
object an earlier run retargeted (it carries ``rewrite.ORIGINAL_PLACEMENT``) whose pod template still
pins the old or the new pool by the pool label. After a cutover, scan no longer ties a workload whose
pods have moved, yet a re-run must still see it (unchanged) and a rollback must still restore it.
Only top-level objects are changed: a Deployment, never its ReplicaSets (which copy its annotations).
Objects being deleted are left out. A workload whose only tie is that its pods run on the pool now (a
DaemonSet that runs everywhere, a Deployment the scheduler happened to put there) is reported as skipped:
nothing in its placement names the pool, and pinning it to two pools would take it off every other one.
It moves when the old pool is drained.

An object whose original placement another move saved (``errors.ForeignMove``: two WASI pools moved to one new
pool) is reported as skipped with that move's name, in every phase, rollback included.

Not changed in place, reported as skipped with the reason (``--export-dir`` still writes a manifest
to recreate them from): bare pods (a pod's placement is immutable) and Jobs (the API server refuses
changes to a Job's pod template; a Job finishes where it runs). Objects whose controller was not read
(an operator's custom resource, such as an Argo Rollout's ReplicaSets) are skipped too: the controller
would undo the change, its template is what to change.
"""

from dataclasses import dataclass

from azext_wasimig.evaluate.rules import RUNNING_FIELD
from azext_wasimig.evaluate.scan import pool_of_node
from azext_wasimig.placement import nowhere_to_land
from azext_wasimig.retarget import rewrite
from azext_wasimig.retarget.errors import ForeignMove, RetargetError
from azext_wasimig.vocabulary.kubernetes import controller_of, object_key
from azext_wasimig.vocabulary.wasi import COMPANION_LABEL, COMPANION_OF

PHASES = (*rewrite.PHASES, "rollback")
NOT_PINNED_REASON = ("Nothing in its placement ties it to the pool (its pods only run there now): it moves when the "
                     "old pool is drained, so it is left as it is.")
COMPANION_REASON = ("A companion copy of it runs on the new pool while both pools serve (its new placement admits no "
                    "node of the old pool): it is left as it is until the switch.")
JOB_REASON = ("A Job's pod template cannot be changed (the API server refuses it): let it finish where it runs, "
              "or delete it and create it again from the exported manifest (--export-dir).")


@dataclass
class Plan:
    """One object: as read, what it should become (None: skipped, see ``reason``) and what --export-dir writes."""
    obj: dict
    desired: dict = None
    reason: str = ""
    manifest: dict = None

    @property
    def key(self):
        return object_key(self.obj)

    @property
    def changes(self):
        return self.desired is not None and self.desired != self.obj


def pins_pools(obj, pools):
    """Whether the pod template selects any of ``pools`` by a pool label (nodeSelector or node affinity)."""
    return bool(rewrite.pinned_pools(rewrite.placement_of(obj)) & set(pools))


def pinned_by_placement(finding):
    """Whether any of a finding's evidence is a placement field (not merely pods running on the pool)."""
    return any(e.get("field") != RUNNING_FIELD for e in finding.get("evidence") or [])


def in_scope(snapshot, findings, old_pool, new_pool):
    """The objects to consider, sorted by (namespace, kind, name), each with whether its placement pins the
    pool (see the module docstring)."""
    objects = {object_key(o): o for o in snapshot.workloads + snapshot.pods
               if not (o.get("metadata") or {}).get("deletionTimestamp")   # being deleted: nothing to retarget
               and not is_companion(o)}   # cutover's own copy on the new pool: never moved
    tied = {(f["namespace"], f["kind"], f["name"]): pinned_by_placement(f)
            for f in findings if old_pool in (f.get("pools") or [])}
    chosen = {key: (objects[key], pinned) for key, pinned in tied.items() if key in objects}
    for obj in (o for o in objects.values() if o.get("kind") != "Pod"):
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        if (rewrite.ORIGINAL_PLACEMENT in annotations and controller_of(obj) is None
                and pins_pools(obj, (old_pool, new_pool))):
            chosen[object_key(obj)] = (obj, True)
    return [chosen[key] for key in sorted(chosen)]


def is_companion(obj):
    """cutover's companion copy (its label and the annotation naming what it copies); which cluster's and move's it
    is, is ``cutover.companion``'s to check before it deletes one."""
    meta = obj.get("metadata") or {}
    return (meta.get("labels") or {}).get(COMPANION_LABEL) == "true" and bool((meta.get("annotations") or {}).get(
        COMPANION_OF))


def _open(node):
    """The node as if Ready and uncordoned: what its labels and taints admit, whatever its state now."""
    return {**node, "spec": {**(node.get("spec") or {}), "unschedulable": False},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}}


def cannot_share(item, old_nodes, runtime_classes):
    """Whether a parallel plan's new placement admits none of the old pool's nodes (``old_nodes``, by their labels and
    taints; ``runtime_classes``: name -> RuntimeClass): e.g. a RuntimeClass change whose scheduling.nodeSelector
    only the new nodes match. Its parallel rollout would then put every pod on the new pool at once, leaving
    nothing on the old one to compare with: cutover runs a companion copy instead. A plan that changes nothing, an
    object an earlier retarget already moved (it keeps its saved placement: its pods are the new pool's now), or a
    pool with no node left, has nothing to share."""
    if not item.changes or not old_nodes or rewrite.saved(item.obj)[1] is not None:
        return False
    return nowhere_to_land(rewrite.placement_of(item.desired), [_open(n) for n in old_nodes],
                           runtime_classes) is not None


def left_alone(plans, keys, reason=COMPANION_REASON):
    """``plans`` with those whose key is in ``keys`` skipped for ``reason``."""
    return [Plan(p.obj, reason=reason) if p.key in keys and p.desired is not None else p for p in plans]


def plan(obj, phase, old_pool, new_pool, runtime_class=rewrite.DEFAULT_RUNTIME_CLASS):
    """The Plan for one object in ``phase`` (parallel, cutover or rollback)."""
    kind, owner = obj.get("kind"), controller_of(obj)
    if owner:   # its controller was not read (a custom resource, e.g. an Argo Rollout) or is being deleted
        return Plan(obj, reason=f"It is managed by {owner.get('kind')} {owner.get('name')}, which wasimig does not "
                                "change (it would undo the change): retarget that controller's pod template (or its "
                                "source), then drain the old pool.")
    try:
        rewrite.check_move(obj, old_pool, new_pool)
    except ForeignMove as ex:
        return Plan(obj, reason=str(ex))
    if phase == "rollback":
        return _rollback(obj, old_pool, new_pool)
    if kind == "Job":
        return Plan(obj, reason=JOB_REASON,
                    manifest=rewrite.retarget(obj, old_pool, new_pool, phase, runtime_class=runtime_class))
    try:
        rewritten = rewrite.retarget(obj, old_pool, new_pool, phase, runtime_class=runtime_class)
    except RetargetError as ex:
        manifest = rewrite.retarget(obj, old_pool, new_pool, phase, runtime_class=runtime_class, allow_pod=True) \
            if kind == "Pod" else None
        return Plan(obj, reason=str(ex), manifest=manifest)
    return Plan(obj, desired=rewritten, manifest=rewritten)


def _rollback(obj, old_pool, new_pool):
    if obj.get("kind") in ("Pod", "Job"):
        return Plan(obj, reason="Never changed by retarget (it cannot be changed in place): nothing to roll back.")
    restored = rewrite.rollback(obj, old_pool, new_pool)
    return Plan(obj, desired=restored, manifest=restored)


def desired(live, phase, old_pool, new_pool, runtime_class=rewrite.DEFAULT_RUNTIME_CLASS):
    """What the live object should become now (itself when it is to be left alone): recomputed before each patch."""
    wanted = plan(live, phase, old_pool, new_pool, runtime_class).desired
    return live if wanted is None else wanted


def plan_all(snapshot, findings, old_pool, new_pool, phase, *, runtime_class=rewrite.DEFAULT_RUNTIME_CLASS):
    if phase not in PHASES:
        raise RetargetError(f"Unknown phase {phase!r}: use one of {', '.join(PHASES)}.")
    return [plan(obj, phase, old_pool, new_pool, runtime_class) if pinned else Plan(obj, reason=NOT_PINNED_REASON)
            for obj, pinned in in_scope(snapshot, findings, old_pool, new_pool)]


def missing_runtime_classes(plans, snapshot):
    """RuntimeClasses the changed templates would name that the cluster does not have (pods naming one are
    refused by the API server, so a rollout would stall)."""
    have = {(rc.get("metadata") or {}).get("name") for rc in snapshot.runtime_classes}
    wanted = {rewrite.placement_of(p.desired).get("runtimeClassName") for p in plans if p.changes}
    return sorted(name for name in wanted - have if name)


def _nodes_of(snapshot, pool):
    return [n for n in snapshot.nodes if pool_of_node(n) == pool]


def stranded(plans, snapshot, phase, new_pool):
    """(plan, why) for every change whose pods no node of the new pool would take (placement: its nodeSelector,
    node affinity, tolerations and RuntimeClass, against Ready, uncordoned nodes). Their rollout would stall
    with Pending pods. A rollback goes back where the pods came from and is never held; a parallel run onto a
    pool with no nodes yet is not either (the pods stay on the old pool; see notes)."""
    nodes = _nodes_of(snapshot, new_pool)
    if phase == "rollback" or (phase == "parallel" and not nodes):
        return []
    classes = {(rc.get("metadata") or {}).get("name"): rc for rc in snapshot.runtime_classes}
    found = []
    for item in (p for p in plans if p.changes):
        why = nowhere_to_land(rewrite.placement_of(item.desired), nodes, classes) if nodes else \
            f"node pool '{new_pool}' has no nodes in the cluster yet"
        if why:
            found.append((item, why))
    return found


def notes(plans, snapshot, phase, old_pool, new_pool):
    """Warnings worth a line on stderr before anything changes."""
    found = []
    if not plans:
        found.append(f"No workload is tied to WASI pool '{old_pool}': nothing to retarget.")
    if phase == "parallel" and not _nodes_of(snapshot, new_pool):
        found.append(f"Node pool '{new_pool}' has no nodes in the cluster yet: the pods stay on the old pool until "
                     "it has (cutover checks that they can run there).")
    return found


def confirmation(plans, phase, cluster_name, old_pool, new_pool):
    """The question to ask before changing production placement (any phase), or '' (nothing to change)."""
    count = sum(1 for p in plans if p.changes)
    if not count:
        return ""
    if phase == "parallel":
        what = (f"let {count} workload(s) of cluster '{cluster_name}' run on node pool '{new_pool}' as well as on "
                f"'{old_pool}'")
    elif phase == "cutover":
        what = f"pin {count} workload(s) of cluster '{cluster_name}' to node pool '{new_pool}' only"
    else:
        what = (f"restore the original placement of {count} workload(s) of cluster '{cluster_name}' (back on WASI "
                f"pool '{old_pool}')")
    return f"This will {what}; their pods are replaced by rolling updates. Continue?"


def row(item, action, reason=""):
    namespace, kind, name = item.key
    return {"namespace": namespace, "kind": kind, "name": name, "action": action, "reason": reason or item.reason}


def failures_message(rows):
    """The lines naming every object that failed, or '' when none did."""
    return "\n".join(f"  {r['namespace']}/{r['kind']}/{r['name']}: {r['reason']}"
                     for r in rows if r["action"] == "failed")
