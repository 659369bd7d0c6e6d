"""Changing workloads on the API server: JSON merge patches with optimistic concurrency, retried on conflict.

Patches are JSON merge patches (RFC 7386; nulls remove fields, lists are replaced whole). For the fields retarget
touches a strategic merge patch means the same (none of them has a merge key), but kubernetes-client 37 sends
``application/json-patch+json`` unless told otherwise: the content type is always given.

Each patch carries the ``metadata.resourceVersion`` of the object it was computed from, so the server refuses it
(409 Conflict) when the object changed in between; the object is then read again and the change computed again
from it. The change is computed from the live object (a GET just before the patch), not from the scan's slimmed
copy, so that nothing the scan dropped (the last-applied annotation) can be removed by the patch.
"""

import copy

from azext_wasimig.kube import rest
from azext_wasimig.kube.snapshot import RESOURCES
from azext_wasimig.retarget import export, plan
from azext_wasimig.vocabulary.kubernetes import MERGE_PATCH_CONTENT_TYPE

MAX_ATTEMPTS = 5
PLURALS = {r.kind: r.plural for r in RESOURCES}
PATCH_PERMISSION = "get and patch deployments, statefulsets, daemonsets, replicasets and cronjobs"


def merge_patch(old, new):
    """The JSON merge patch (RFC 7386) that turns ``old`` into ``new``: changed keys, removed
    keys as null, lists and non-objects whole. Empty when they are equal."""
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return copy.deepcopy(new)
    patch = {key: None for key in old if key not in new}
    for key, value in new.items():
        if key not in old or not isinstance(value, dict) or not isinstance(old[key], dict):
            if old.get(key, object()) != value:
                patch[key] = copy.deepcopy(value)
        elif old[key] != value:
            patch[key] = merge_patch(old[key], value)
    return patch


def object_path(obj):
    """The object's REST path, from its own apiVersion and kind (as the snapshot recorded them)."""
    meta, version = obj.get("metadata") or {}, obj.get("apiVersion") or "v1"
    base = "/api/v1" if version == "v1" else f"/apis/{version}"
    return f"{base}/namespaces/{meta.get('namespace') or 'default'}/{PLURALS[obj['kind']]}/{meta['name']}"


def patch_to(api_client, obj, compute, attempts=MAX_ATTEMPTS):
    """Make the live object what ``compute(live object)`` returns. Returns "patched", or "unchanged" when it
    already is (someone else did it). Raises ``rest.KubeApiError`` (a 409 only after ``attempts`` conflicts)."""
    path, attempt = object_path(obj), 0
    while True:
        attempt += 1
        current = rest.call(api_client, "GET", path)
        current.setdefault("kind", obj.get("kind"))
        current.setdefault("apiVersion", obj.get("apiVersion"))
        desired = compute(current)
        if desired == current:
            return "unchanged"
        patch = merge_patch(current, desired)
        patch.setdefault("metadata", {})["resourceVersion"] = current["metadata"]["resourceVersion"]
        try:
            rest.call(api_client, "PATCH", path, body=patch, content_type=MERGE_PATCH_CONTENT_TYPE)
            return "patched"
        except rest.KubeApiError as ex:
            if ex.status != 409 or attempt >= attempts:
                raise


def apply_plans(api_client, plans, compute, dry_run=False, progress=None):
    """One row per plan (see plan.row): ``unchanged``, ``wouldPatch`` (with ``diff``), ``patched``,
    ``skipped`` or ``failed`` (with the reason; the other objects are still done)."""
    rows = []
    for item in plans:
        namespace, kind, name = item.key
        if item.desired is None:
            rows.append(plan.row(item, "skipped"))
        elif not item.changes:
            rows.append(plan.row(item, "unchanged"))
        elif dry_run:
            rows.append({**plan.row(item, "wouldPatch"),
                         "diff": export.diff(item.obj, item.desired, f"{namespace}/{kind}/{name}")})
        else:
            rows.append(_patch_one(api_client, item, compute, progress))
    return rows


def _patch_one(api_client, item, compute, progress):
    namespace, kind, name = item.key
    try:
        action = patch_to(api_client, item.obj, compute)
    except Exception as ex:  # pylint: disable=broad-except  # one object's failure must not stop the others
        error = rest.api_error(ex, f"patching {kind} {namespace}/{name}", api_client.configuration.host,
                               PATCH_PERMISSION)
        if error is ex:   # not an API or connection failure: a bug, not something to report per object
            raise
        return plan.row(item, "failed", _message(error))
    if progress:
        progress(f"{kind} {namespace}/{name}: {action}")
    return plan.row(item, action)


def _message(error):
    """The error's message and its advice on one line: a domain error's ``recommendation``, or an azclierror's
    ``recommendations`` (what ``rest`` gave while it made those)."""
    text = str(getattr(error, "error_msg", None) or error)
    advice = getattr(error, "recommendation", None) or " ".join(getattr(error, "recommendations", None) or [])
    return f"{text} {advice}".strip() if advice else text
