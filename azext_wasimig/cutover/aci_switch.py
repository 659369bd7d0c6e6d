"""`cutover --aci`'s switch, and its undo: the in-cluster copies of the workloads moved to container groups stop
taking traffic by being scaled to 0 (their Services then have no endpoint in the cluster); the replicas they had are
saved first in the object's annotation ``wasimig.azure.com/original-replicas`` (``{"from": OLD, "to": "aci",
"replicas": N}``, once: a re-run keeps the first copy), so that ``rollback --aci`` scales them back exactly.

Deployments, StatefulSets and ReplicaSets are scaled; any other kind (a Job, a bare Pod) is left to the drain, as
on the pool path. An object whose annotation names another old pool is another move's and is left alone.
The pure rules (``scaled_in``, ``restored``) work on plain objects; the rest reads and patches through
``retarget.patch`` (merge patches with the resourceVersion, retried on conflict).
"""

import copy
import json

from azext_wasimig.vocabulary.wasi import ORIGINAL_REPLICAS

SCALABLE = {"Deployment": "deployments", "StatefulSet": "statefulsets", "ReplicaSet": "replicasets"}
HOME = "aci"


def saved(obj):
    """The saved ``{"from", "to", "replicas"}`` of an object, or None (none saved, or not ours to read)."""
    text = ((obj.get("metadata") or {}).get("annotations") or {}).get(ORIGINAL_REPLICAS)
    try:
        data = json.loads(text) if text else None
    except ValueError:
        return None
    return data if isinstance(data, dict) and {"from", "to", "replicas"} <= set(data) else None


def belongs_to(obj, old):
    """Whether what is saved (if anything) is this move's: saved by a switch off ``old`` (Azure's spelling)."""
    mine = saved(obj)
    return mine is None or str(mine["from"]).lower() == str(old).lower()


def scaled_in(obj, old):
    """A copy of ``obj`` at 0 replicas, the replicas it had saved (kept when an earlier run saved them)."""
    new = copy.deepcopy(obj)
    annotations = new.setdefault("metadata", {}).setdefault("annotations", {})
    if saved(obj) is None:
        replicas = (obj.get("spec") or {}).get("replicas")
        annotations[ORIGINAL_REPLICAS] = json.dumps(
            {"from": old, "to": HOME, "replicas": 1 if replicas is None else int(replicas)}, sort_keys=True)
    new.setdefault("spec", {})["replicas"] = 0
    return new


def restored(obj):
    """A copy of ``obj`` with its saved replicas back and the annotation removed; unchanged when none is saved."""
    mine = saved(obj)
    new = copy.deepcopy(obj)
    if mine is None:
        return new
    meta = new["metadata"]
    meta["annotations"].pop(ORIGINAL_REPLICAS)
    if not meta["annotations"]:
        meta.pop("annotations")
    new.setdefault("spec", {})["replicas"] = int(mine["replicas"])
    return new


def _stub(key):
    namespace, kind, name = key
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"namespace": namespace, "name": name}}


def _row(key, action, **more):
    namespace, kind, name = key
    return {"namespace": namespace, "kind": kind, "name": name, "action": action, **more}


def scale_in(api, keys, old, note=None):
    """Scale each of ``keys`` ((namespace, Kind, name)) to 0, its replicas saved; one row each: ``scaled``,
    ``unchanged`` (already done), ``skipped`` (a kind the drain handles, or another move's)."""
    return [_scale_one(api, key, old, note) if key[1] in SCALABLE
            else _row(key, "skipped", reason="not scalable: the drain moves its pods") for key in keys]


def _scale_one(api, key, old, note):
    from azext_wasimig.retarget import patch
    foreign = []   # what another move saved, seen on the object patch_to read (one GET, not a second one first)

    def compute(live):
        if belongs_to(live, old):
            return scaled_in(live, old)
        foreign.append(saved(live))
        return live
    action = patch.patch_to(api, _stub(key), compute)
    if foreign:
        return _row(key, "skipped", reason=f"its replicas were saved by another move: {foreign[-1]}")
    if note and action == "patched":
        note(f"{'/'.join(key)}: scaled to 0 (its replicas saved for rollback)")
    return _row(key, "scaled" if action == "patched" else "unchanged")


def left_running(api, keys):
    """The ``keys`` whose pods are not all gone yet (status.replicas above 0)."""
    from azext_wasimig.kube import rest
    from azext_wasimig.retarget import patch
    return [key for key in keys if key[1] in SCALABLE
            and int((rest.call(api, "GET", patch.object_path(_stub(key))).get("status") or {}).get("replicas")
                    or 0) > 0]


def scaled_by_move(api, old):
    """Every object of the cluster that a switch off ``old`` scaled in (its annotation says so): their keys."""
    from azext_wasimig.kube import rest
    found = []
    for kind, plural in SCALABLE.items():
        items = []
        for obj in rest.iter_items(api, f"/apis/apps/v1/{plural}", on_restart=items.clear):
            items.append(obj)
        found += [(obj["metadata"]["namespace"], kind, obj["metadata"]["name"]) for obj in items
                  if saved(obj) and belongs_to(obj, old)]
    return sorted(set(found))


def restore(api, old, dry_run=False):
    """Scale back what a switch off ``old`` scaled in: one row each, ``patched`` / ``unchanged`` / ``wouldPatch``
    (retarget's row actions, which rollback's wait reads)."""
    from azext_wasimig.retarget import patch
    return [_row(key, "wouldPatch" if dry_run else patch.patch_to(api, _stub(key), restored))
            for key in scaled_by_move(api, old)]
