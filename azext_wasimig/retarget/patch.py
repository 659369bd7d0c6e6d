"""Changing workloads on the API server: JSON merge patches with optimistic concurrency, retried on conflict.

Each patch carries the ``metadata.resourceVersion`` of the object it was computed from, so the server refuses it
(409 Conflict) when the object changed in between; the object is then read again and the change computed again
from it. The change is computed from the live object (a GET just before the patch), not from the scan's slimmed
copy, so that nothing the scan dropped (the last-applied annotation) can be removed by the patch.
"""

from azext_wasimig.kube import rest
from azext_wasimig.kube.snapshot import RESOURCES
from azext_wasimig.retarget import plan, rewrite

MAX_ATTEMPTS = 5
PLURALS = {r.kind: r.plural for r in RESOURCES}
PATCH_PERMISSION = "get and patch deployments, statefulsets, daemonsets, replicasets and cronjobs"


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
        patch = rewrite.strategic_patch(current, desired)
        patch.setdefault("metadata", {})["resourceVersion"] = current["metadata"]["resourceVersion"]
        try:
            rest.call(api_client, "PATCH", path, body=patch, content_type=rewrite.MERGE_PATCH_CONTENT_TYPE)
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
                         "diff": rewrite.diff(item.obj, item.desired, f"{namespace}/{kind}/{name}")})
        else:
            rows.append(_patch_one(api_client, item, compute, progress))
    return rows


def _patch_one(api_client, item, compute, progress):
    namespace, kind, name = item.key
    try:
        action = patch_to(api_client, item.obj, compute)
    except Exception as ex:  # pylint: disable=broad-except  # one object's failure must not stop the others
        error = rest.as_cli_error(ex, f"patching {kind} {namespace}/{name}", api_client.configuration.host,
                                  PATCH_PERMISSION)
        if error is ex:   # not an API or connection failure: a bug, not something to report per object
            raise
        return plan.row(item, "failed", _message(error))
    if progress:
        progress(f"{kind} {namespace}/{name}: {action}")
    return plan.row(item, action)


def _message(error):
    text = str(getattr(error, "error_msg", None) or error)
    recommendation = getattr(error, "recommendations", None)
    return f"{text} {' '.join(recommendation)}".strip() if recommendation else text


def check_runtime_classes(missing, phase, dry_run):
    """Pods naming a RuntimeClass that does not exist are refused, so a rollout would stall: stop before any
    change (a dry run warns). A rollback restores what was there and is never stopped."""
    if not missing or phase == "rollback":
        return
    message = (f"RuntimeClass {', '.join(missing)} does not exist in the cluster, and pods that name it are refused. "
               "Install it first (SpinKube's runtime-class-manager creates wasmtime-spin-v2), or pass "
               "--runtime-class.")
    if dry_run:
        from knack.log import get_logger
        get_logger(__name__).warning(message)
        return
    from azure.cli.core.azclierror import InvalidArgumentValueError
    raise InvalidArgumentValueError(message + " Nothing was changed.")


def check_landing(stranded, new_pool, dry_run):
    """Changes whose new pods no node of the new pool would take (plan.stranded) stop the run before any
    change, naming each workload and why (a dry run warns)."""
    if not stranded:
        return
    lines = "\n".join(f"  {'/'.join(item.key)}: {why}" for item, why in stranded)
    message = (f"{len(stranded)} workload(s) would have nowhere to run on node pool '{new_pool}': their new pods "
               f"would stay Pending and the rollout would stall.\n{lines}")
    advice = ("If the RuntimeClass named is still AKS's (it selects only the WASI nodes), create SpinKube's "
              "RuntimeClass under another name and pass it with --runtime-class; otherwise give the new pool Ready "
              "nodes that the placement admits (labels, taints), then run again.")
    if dry_run:
        from knack.log import get_logger
        get_logger(__name__).warning("%s\n%s", message, advice)
        return
    from azure.cli.core.azclierror import ValidationError
    raise ValidationError(message + "\nNothing was changed.", recommendation=advice)


def failures_error(rows):
    """An azclierror naming every object that could not be patched and why (None when none failed)."""
    lines = plan.failures_message(rows)
    if not lines:
        return None
    from azure.cli.core.azclierror import UnclassifiedUserFault
    return UnclassifiedUserFault(f"Some objects could not be retargeted (the others were):\n{lines}",
                                 recommendation="Fix the cause and run the same command again: it is idempotent.")
