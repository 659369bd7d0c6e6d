"""The companion copy of cutover's parallel phase: for a workload whose new placement cannot share its pods with the
old pool (``retarget.plan.cannot_share``: e.g. a RuntimeClass whose scheduling selects only the new nodes), a
retarget ``parallel`` would restart every pod onto the new pool at once, leaving nothing on the old one to compare
with. Instead the original is left as it is and a copy of it runs on the new pool:

- a Deployment (other kinds get none: see ``SKIPPED``) named ``<name>-wasimig-companion`` (63 characters at most),
  in the original's namespace, with the original's pod labels (so its Services send traffic to both) plus the
  companion label, which its selector requires too (it never selects the original's pods), the cutover placement
  (retarget's ``cutover`` rewrite of the template), ``--parallel-replicas`` replicas (default: the original's);
- marked as the tool's: the companion label, and annotations naming the original, the cluster (ARM id) and the old
  pool. No ownerReference (GitOps may delete and re-create the original; the copy must not go with it). Only an
  object with every mark, for this cluster and old pool, is ever deleted (``is_ours``), and only the very object
  checked (a DELETE with its uid as precondition);
- ``switch`` deletes it once the original is available on the new pool; ``rollback`` deletes what is left.

Pure parts first (name, choice, body, marks), then the API calls, then the phase steps on a cutover ``Context``.
"""

import copy
import hashlib

from azext_wasimig.vocabulary.kubernetes import namespace_of, object_key
from azext_wasimig.vocabulary.wasi import CLUSTER_ANNOTATION, COMPANION_LABEL, COMPANION_OF, COMPANION_POOL

SUFFIX = "-wasimig-companion"
NAME_MAX = 63
KINDS = ("Deployment",)
SKIPPED = ("Only a Deployment gets a companion copy (a StatefulSet's copy would need volumes and identities of its "
           "own, a DaemonSet runs per node, a Job or CronJob per run): it moves to the new pool at once, as "
           "retarget --phase parallel moves it.")
KEPT_SPEC = ("strategy", "minReadySeconds", "progressDeadlineSeconds", "revisionHistoryLimit")
COLLECTION = "/apis/apps/v1/namespaces/{ns}/deployments"
MANAGED_BY = {"app.kubernetes.io/managed-by": "wasimig"}


class CompanionNameTaken(Exception):
    """An object that is not this move's companion holds the companion's name: it is never touched."""


# --- pure -----------------------------------------------------------------------------------------------------

def name_for(name):
    """``<name>-wasimig-companion``; a long name is cut and a hash of it keeps it apart from others (63 at most)."""
    full = f"{name}{SUFFIX}"
    if len(full) <= NAME_MAX:
        return full
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:6]
    return f"{name[:NAME_MAX - len(SUFFIX) - len(digest) - 1].rstrip('-.')}-{digest}{SUFFIX}"


def show(key):
    return "/".join(key)


def choose(plans, snapshot, old_pool):
    """``(chosen, skipped)`` among retarget's parallel ``plans``: the ones whose placement cannot share its pods with
    ``old_pool``'s nodes, Deployments (chosen) and the others (``(plan, reason)``)."""
    from azext_wasimig.evaluate.scan import pool_of_node
    from azext_wasimig.retarget.plan import cannot_share
    old_nodes = [n for n in snapshot.nodes if pool_of_node(n) == old_pool]
    classes = {(rc.get("metadata") or {}).get("name"): rc for rc in snapshot.runtime_classes}
    chosen, skipped = [], []
    for item in plans:
        if cannot_share(item, old_nodes, classes):
            if item.obj.get("kind") in KINDS:
                chosen.append(item)
            else:
                skipped.append((item, SKIPPED))
    return chosen, skipped


def plan_entries(chosen, skipped, replicas=None):
    """What the cutover's plan says of companions (its ``companions`` and ``companionsSkipped``)."""
    return {"companions": [{"workload": show(p.key), "companion": name_for(p.key[2]),
                            "replicas": replicas or _replicas(p.obj)} for p in chosen],
            "companionsSkipped": [{"workload": show(p.key), "reason": why} for p, why in skipped]}


def _replicas(obj):
    value = (obj.get("spec") or {}).get("replicas")
    return 1 if value is None else int(value)


def build(original, *, old_pool, new_pool, runtime_class, cluster_id, replicas=None):
    """The companion Deployment of ``original`` (a Deployment as read): see the module docstring."""
    from azext_wasimig.retarget import rewrite
    moved = rewrite.retarget(original, old_pool, new_pool, "cutover", runtime_class=runtime_class)
    spec = original.get("spec") or {}
    template = copy.deepcopy((moved.get("spec") or {}).get("template") or {})
    template.setdefault("metadata", {}).setdefault("labels", {})[COMPANION_LABEL] = "true"
    selector = copy.deepcopy(spec.get("selector") or {})
    selector["matchLabels"] = {**(selector.get("matchLabels") or {}), COMPANION_LABEL: "true"}
    name = (original.get("metadata") or {}).get("name")
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name_for(name), "namespace": namespace_of(original),
                         "labels": {**MANAGED_BY, COMPANION_LABEL: "true"},
                         "annotations": {COMPANION_OF: name, CLUSTER_ANNOTATION: str(cluster_id),
                                         COMPANION_POOL: old_pool}},
            "spec": {**{k: copy.deepcopy(spec[k]) for k in KEPT_SPEC if k in spec},
                     "replicas": int(replicas or _replicas(original)), "selector": selector, "template": template}}


def is_ours(obj, cluster_id, old_pool=None, of=None):
    """Whether ``obj`` is a companion this tool made for cluster ``cluster_id`` (ARM ids compare case-insensitively)
    and, when given, the move off ``old_pool`` and the original named ``of``: every mark, or it is someone else's."""
    meta = obj.get("metadata") or {}
    labels, annotations = meta.get("labels") or {}, meta.get("annotations") or {}
    cluster = str(cluster_id or "").lower()
    return (obj.get("kind") in (None, "Deployment") and labels.get(COMPANION_LABEL) == "true"
            and bool(annotations.get(COMPANION_OF)) and bool(cluster)
            and str(annotations.get(CLUSTER_ANNOTATION) or "").lower() == cluster
            and (old_pool is None or annotations.get(COMPANION_POOL) == old_pool)
            and (of is None or annotations.get(COMPANION_OF) == of))


def original_of(companion):
    """The key of the workload a companion copies."""
    return namespace_of(companion), "Deployment", (companion.get("metadata") or {}).get("annotations")[COMPANION_OF]


def available(deployment):
    """Whether a Deployment's rollout is done (kubectl's rules) with every replica it asks for available."""
    from azext_wasimig.verify import rollout
    if deployment is None or not rollout.status(deployment).done:
        return False
    return int((deployment.get("status") or {}).get("availableReplicas") or 0) >= _replicas(deployment)


def cluster_mark(target):
    """The cluster id the marks carry: the cluster's ARM id (as the cutover record names the cluster)."""
    return str(target.cluster.get("id") or target.cluster_name)


# --- the API calls --------------------------------------------------------------------------------------------

def _path(namespace, name=None):
    return COLLECTION.format(ns=namespace) + (f"/{name}" if name else "")


def read(api, namespace, name):
    """The Deployment, or None when there is none."""
    from azext_wasimig.kube import rest
    try:
        return rest.call(api, "GET", _path(namespace, name))
    except rest.KubeApiError as ex:
        if ex.status == 404:
            return None
        raise


def ensure(api, body, cluster_id, old_pool):
    """``("created" | "found", object)``: the companion ``body`` names, made once. A re-run (after a kill, or a
    create whose answer was lost) finds the one it made by name and marks; ``CompanionNameTaken`` when an object
    without them holds the name."""
    from azext_wasimig.kube import rest
    meta = body["metadata"]
    for _ in range(3):
        live = read(api, meta["namespace"], meta["name"])
        if live is not None:
            if is_ours(live, cluster_id, old_pool, of=meta["annotations"][COMPANION_OF]):
                return "found", live
            raise CompanionNameTaken(
                f"Deployment {meta['namespace']}/{meta['name']} exists and is not the companion this cutover made "
                f"for {meta['annotations'][COMPANION_OF]} (its marks {COMPANION_LABEL}, {COMPANION_OF} and "
                f"{CLUSTER_ANNOTATION} are not this cluster's): it is left as it is.")
        try:   # a POST sent again answers 409 AlreadyExists, then read: it is safe to retry
            return "created", rest.call(api, "POST", _path(meta["namespace"]), body=body, idempotent=True)
        except rest.KubeApiError as ex:
            if ex.status != 409:
                raise
    raise CompanionNameTaken(f"Deployment {meta['namespace']}/{meta['name']} keeps being created and deleted by "
                             "someone else: it is left as it is.")


def find(api, cluster_id, old_pool):
    """Every companion of this cluster's move off ``old_pool`` (one LIST across namespaces, by the label; then every
    mark checked)."""
    from azext_wasimig.kube import rest
    items = rest.list_all(api, "/apis/apps/v1/deployments", {"labelSelector": f"{COMPANION_LABEL}=true"})
    found = []
    for item in items:
        item.setdefault("kind", "Deployment")
        if is_ours(item, cluster_id, old_pool):
            found.append(item)
    return sorted(found, key=object_key)


def delete(api, companion):
    """Delete this very companion (its uid as precondition): "deleted", "gone" (already), or "changed" (the name now
    holds another object, which is left alone)."""
    from azext_wasimig.kube import rest
    meta = companion["metadata"]
    body = {"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": "Background",
            "preconditions": {"uid": meta["uid"]}}
    try:
        rest.call(api, "DELETE", _path(namespace_of(companion), meta["name"]), body=body, idempotent=True)
    except rest.KubeApiError as ex:
        if ex.status == 404:
            return "gone"
        if ex.status == 409:
            return "changed"
        raise
    return "deleted"


# --- the phase steps (on a cutover ``phases.Context``) ---------------------------------------------------------

def planned(ctx):
    """The plan's companions: ``{"workload", "companion", "replicas"}`` each."""
    return ctx.plan.get("companions") or []


def _split(workload):
    return tuple(workload.split("/", 2))


def originals(ctx):
    """The keys of the workloads a companion stands in for: the parallel phase leaves them as they are."""
    return frozenset(_split(e["workload"]) for e in planned(ctx))


def companion_keys(ctx):
    return frozenset((_split(e["workload"])[0], "Deployment", e["companion"]) for e in planned(ctx))


def start(ctx, timeout):
    """The parallel phase's step: each planned companion made (or the one an earlier attempt made found), noted in
    the record's ``created`` at once, then followed until available on the new pool. Returns the evidence rows."""
    from azext_wasimig.cutover import record as records
    from azext_wasimig.cutover.phases import GateFailed
    from azext_wasimig.verify import follow
    made, rows = [], []
    for entry in planned(ctx):
        ctx.checkpoint()
        namespace, _, name = _split(entry["workload"])
        original = read(ctx.api, namespace, name)
        if original is None:
            made.append({"workload": entry["workload"], "action": "originalGone"})
            continue
        body = build({**original, "kind": "Deployment"}, old_pool=ctx.old, new_pool=ctx.new,
                     runtime_class=ctx.options.runtime_class, cluster_id=ctx.record.cluster_id,
                     replicas=ctx.options.parallel_replicas)
        _require_runtime_class(ctx, body)
        try:
            action, _ = ensure(ctx.api, body, ctx.record.cluster_id, ctx.old)
        except CompanionNameTaken as ex:
            raise GateFailed("parallel", "companion", str(ex), {"workload": entry["workload"]},
                             recommendation="Rename or delete that Deployment (it is not the tool's), then run the "
                                            "same command again.") from ex
        key = f"{namespace}/Deployment/{body['metadata']['name']}"
        ctx.record.update(lambda doc, key=key: records.add_created(doc, "companion", key, "parallel"))
        ctx.say(f"Companion {key} of {entry['workload']}: {action}")
        made.append({"workload": entry["workload"], "companion": key, "action": action,
                     "replicas": body["spec"]["replicas"]})
        rows.append({"namespace": namespace, "kind": "Deployment", "name": body["metadata"]["name"],
                     "action": "patched"})
    stuck = follow.follow(ctx.api, rows, timeout=timeout, progress=ctx.say, sleep=ctx.sleep, clock=ctx.clock)
    if stuck:
        error = follow.incomplete_error(stuck, timeout)
        raise GateFailed("parallel", "companions-available", str(error), {"companions": made},
                         recommendation=error.recommendation)
    return made


def _require_runtime_class(ctx, body):
    """A RuntimeClass the API server lacks makes it refuse every pod of the copy: stop before creating it."""
    from azext_wasimig.cutover.phases import GateFailed
    from azext_wasimig.kube import rest
    name = ((body["spec"]["template"].get("spec")) or {}).get("runtimeClassName")
    if not name:
        return
    try:
        rest.call(ctx.api, "GET", f"/apis/node.k8s.io/v1/runtimeclasses/{name}")
    except rest.KubeApiError as ex:
        if ex.status != 404:
            raise
        raise GateFailed("parallel", "runtime-class", f"RuntimeClass {name} does not exist in the cluster, and pods "
                                                      "that name it are refused.",
                         recommendation="Install it (SpinKube's runtime-class-manager creates wasmtime-spin-v2) or "
                                        "run with --runtime-class, then run again.") from ex


def _pinned_to(deployment, pool):
    from azext_wasimig.vocabulary.kubernetes import POOL_LABEL, pod_template
    return ((pod_template(deployment).get("spec") or {}).get("nodeSelector") or {}).get(POOL_LABEL) == pool


def finish(ctx):
    """The switch phase's step, after retarget's cutover: every companion of this move deleted, each only once its
    original is pinned to the new pool and available there (every replica it asks for); gone already is fine."""
    from azext_wasimig.cutover.phases import GateFailed
    done = []
    for companion in find(ctx.api, ctx.record.cluster_id, ctx.old):
        ctx.checkpoint()
        key = original_of(companion)
        original = read(ctx.api, key[0], key[2])
        if original is not None:
            original["kind"] = "Deployment"
        if original is None or not _pinned_to(original, ctx.new) or not available(original):
            raise GateFailed("switch", "original-available",
                             f"Deployment {show(key)} is not available on node pool '{ctx.new}' yet, so its companion "
                             f"{show(object_key(companion))} stays.", {"companions": done},
                             recommendation="See why with 'kubectl rollout status deployment/" + key[2] + " -n "
                                            + key[0] + "', then run the same command again.")
        action = delete(ctx.api, companion)
        ctx.say(f"Companion {show(object_key(companion))}: {action}")
        done.append({"companion": show(object_key(companion)), "workload": show(key), "action": action})
    return done
