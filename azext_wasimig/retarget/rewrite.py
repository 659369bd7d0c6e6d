"""Point a workload's pods at the replacement pool (pure: plain k8s objects in and out).

Placement fields of the pod template (``spec.template``; ``spec.jobTemplate.spec.template`` for a
CronJob): ``nodeSelector``, ``affinity``, ``tolerations``, ``runtimeClassName`` and the template's
WAGI annotations (``alpha.wagi.krustlet.dev/*``).

``retarget`` first saves those fields, as they were, in the object's annotation
``wasimig.azure.com/original-placement`` (once: a later run keeps the first copy), together with
the move it belongs to: ``{"from": OLD, "to": NEW, "placement": {...}}``. It always computes the
result from that saved original. So re-running is idempotent, switching ``parallel`` -> ``cutover``
needs no undo, and ``rollback`` puts the saved fields back exactly. (A placement edit made by hand
between runs is therefore replaced: the original wins.)

An object saved by another move (two WASI pools moved to one new pool: ``wasia -> std2`` saved it,
``wasib -> std2`` is running) is never rewritten nor rolled back by this one: ``ForeignMove``. The
earlier format saved the placement alone; such an annotation is taken as this move's when the saved
original pins this old pool (or no pool) and the object's pool placement is what this move makes of
it (parallel or cutover), and as another move's otherwise.

- Pool pins on ``agentpool``/``kubernetes.azure.com/agentpool`` that name the old pool are
  removed from the nodeSelector and from node-affinity terms (an ``In`` naming the old pool is
  dropped whole: ANDed with the new pin it could match nothing). ``parallel`` adds a required
  term ``kubernetes.azure.com/agentpool In [old, new]`` to every remaining term (pods may run on
  both pools while the new one is compared); ``cutover`` sets the nodeSelector
  ``kubernetes.azure.com/agentpool: <new>``.
- Wasm-node selectors that the new nodes will not carry are removed
  (``kubernetes.azure.com/wasmtime-*``, ``kubernetes.io/arch=wasm32-wagi``), with the Krustlet
  tolerations for ``kubernetes.io/arch`` and the WAGI annotations.
- Runtime classes made for the WASI pools (``wasmtime-spin-v1``, ``wasmtime-spin-v0-*``, the
  AKS-made ``wasmtime-spin-v2``) become ``runtime_class`` (SpinKube's ``wasmtime-spin-v2`` by
  default). ``wasmtime-slight-*`` is left alone: SpinKube has no Slight shim (scan flags it).
"""

import copy
import json

from azext_wasimig.retarget.errors import ForeignMove, RetargetError
from azext_wasimig.vocabulary.kubernetes import POOL_LABEL, POOL_LABELS, pod_template
from azext_wasimig.vocabulary.wasi import (ARCH_LABEL, KRUSTLET_ARCH, ORIGINAL_PLACEMENT, is_wagi_annotation,
                                           is_wasi_label, is_wasi_requirement, is_wasi_runtime_class,
                                           is_wasi_toleration)

DEFAULT_RUNTIME_CLASS = "wasmtime-spin-v2"
PHASES = ("parallel", "cutover")
PLACEMENT_FIELDS = ("nodeSelector", "affinity", "tolerations", "runtimeClassName")

_REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
_PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"


def _template(obj):
    template = pod_template(obj)
    if template is None:
        raise RetargetError(f"{obj.get('kind')} objects have no pod template to retarget.")
    return template


def _wagi(annotations):
    return {k: v for k, v in (annotations or {}).items() if is_wagi_annotation(k)}


def placement_of(obj):
    """The template's placement fields that are present, plus its WAGI ``annotations``."""
    template = _template(obj)
    spec = template.get("spec") or {}
    placement = {k: copy.deepcopy(spec[k]) for k in PLACEMENT_FIELDS if k in spec}
    wagi = _wagi((template.get("metadata") or {}).get("annotations"))
    if wagi:
        placement["annotations"] = wagi
    return placement


def _set_placement(template, placement):
    """Make the template's placement exactly ``placement`` (absent keys removed)."""
    spec = template.setdefault("spec", {})
    for key in PLACEMENT_FIELDS:
        if key in placement:
            spec[key] = copy.deepcopy(placement[key])
        else:
            spec.pop(key, None)
    meta = template.setdefault("metadata", {}) if placement.get("annotations") else template.get("metadata")
    if meta is None or ("annotations" not in meta and not placement.get("annotations")):
        return
    kept = {k: v for k, v in (meta.get("annotations") or {}).items() if not is_wagi_annotation(k)}
    kept.update(placement.get("annotations") or {})
    if kept or not _wagi(meta.get("annotations")):
        meta["annotations"] = kept
    else:
        meta.pop("annotations")


def _node_selector(spec, old_pool, new_pool, phase):
    selector = {k: v for k, v in (spec.get("nodeSelector") or {}).items()
                if not (k in POOL_LABELS and v == old_pool) and not is_wasi_label(k, v)}
    if phase == "cutover":
        selector[POOL_LABEL] = new_pool
    if selector:
        spec["nodeSelector"] = selector
    else:
        spec.pop("nodeSelector", None)


def _expression(expr, old_pool, new_pool):
    """The expression without old-pool and Wasm-node terms; None when nothing is left of it."""
    key, operator, values = expr.get("key", ""), expr.get("operator"), expr.get("values") or []
    if key in POOL_LABELS and operator == "In" and old_pool in values:
        return None
    if key in POOL_LABELS and operator == "NotIn" and new_pool in values:
        rest = [v for v in values if v != new_pool]
        return {**expr, "values": rest} if rest else None
    if is_wasi_requirement(key, operator, values, any_operator=True):
        rest = [v for v in values if v != KRUSTLET_ARCH] if key == ARCH_LABEL else []
        return {**expr, "values": rest} if rest else None
    return expr


def _term(term, old_pool, new_pool):
    """A node-selector term cleaned of old-pool/Wasm expressions; None if that empties it (an
    empty term would match no node)."""
    exprs = [e for e in (_expression(x, old_pool, new_pool) for x in term.get("matchExpressions") or []) if e]
    cleaned = {k: v for k, v in term.items() if k != "matchExpressions"}
    if exprs:
        cleaned["matchExpressions"] = exprs
    return cleaned if cleaned.get("matchExpressions") or cleaned.get("matchFields") else None


def _node_affinity(spec, old_pool, new_pool, phase):
    affinity = spec.get("affinity") or {}
    node = dict(affinity.get("nodeAffinity") or {})
    required = node.pop(_REQUIRED, None) or {}
    terms = [t for t in (_term(x, old_pool, new_pool) for x in required.get("nodeSelectorTerms") or []) if t]
    if phase == "parallel":
        pin = {"key": POOL_LABEL, "operator": "In", "values": [old_pool, new_pool]}
        terms = [{**t, "matchExpressions": [*t.get("matchExpressions", []), pin]} for t in terms] or \
            [{"matchExpressions": [pin]}]
    if terms:
        node[_REQUIRED] = {**required, "nodeSelectorTerms": terms}
    preferred = [{**p, "preference": _term(p.get("preference") or {}, old_pool, new_pool)}
                 for p in node.pop(_PREFERRED, None) or []]
    if any(p["preference"] for p in preferred):
        node[_PREFERRED] = [p for p in preferred if p["preference"]]
    affinity = {k: v for k, v in {**affinity, "nodeAffinity": node}.items() if v}
    if affinity:
        spec["affinity"] = affinity
    else:
        spec.pop("affinity", None)


def _tolerations(spec):
    kept = [t for t in spec.get("tolerations") or [] if not is_wasi_toleration(t)]
    if kept:
        spec["tolerations"] = kept
    else:
        spec.pop("tolerations", None)


def _encode(old_pool, new_pool, placement):
    return json.dumps({"from": old_pool, "to": new_pool, "placement": placement}, sort_keys=True,
                      separators=(",", ":"))


def saved(obj):
    """``(move, placement)`` from the object's annotation: ``move`` is ``(old, new)``, or None for the earlier
    format (the placement alone); ``(None, None)`` when nothing is saved."""
    text = ((obj.get("metadata") or {}).get("annotations") or {}).get(ORIGINAL_PLACEMENT)
    if text is None:
        return None, None
    data = json.loads(text)
    if isinstance(data, dict) and {"from", "to", "placement"} <= set(data):
        return (data["from"], data["to"]), data["placement"]
    return None, data


def pinned_pools(placement):
    """The pools a placement selects by a pool label: nodeSelector values and node-affinity ``In`` values
    (required terms and preferences)."""
    pools = {v for k, v in (placement.get("nodeSelector") or {}).items() if k in POOL_LABELS}
    node = (placement.get("affinity") or {}).get("nodeAffinity") or {}
    terms = list((node.get(_REQUIRED) or {}).get("nodeSelectorTerms") or [])
    terms += [(p or {}).get("preference") or {} for p in node.get(_PREFERRED) or []]
    for term in terms:
        for expr in (term or {}).get("matchExpressions") or []:
            if expr.get("key") in POOL_LABELS and expr.get("operator") == "In":
                pools.update(expr.get("values") or [])
    return pools


def _pool_placement(placement):
    return {k: placement.get(k) for k in ("nodeSelector", "affinity")}


def _made_by(obj, placement, old_pool, new_pool):
    """Whether the object's pool placement is what the move ``old_pool -> new_pool`` makes of ``placement``."""
    current = _pool_placement(placement_of(obj))
    return any(_pool_placement(placement_of(_rewritten(obj, placement, old_pool, new_pool, phase))) == current
               for phase in PHASES)


def check_move(obj, old_pool, new_pool):
    """Raise ``ForeignMove`` unless the object's saved placement (if any) belongs to ``old_pool -> new_pool``."""
    move, placement = saved(obj)
    if placement is None or move == (old_pool, new_pool):
        return
    pinned = pinned_pools(placement)
    if move is None and (not pinned or old_pool in pinned) and _made_by(obj, placement, old_pool, new_pool):
        return   # the earlier format: this move's if it pinned this old pool (or none) and this move made it so
    if move:
        raise ForeignMove(
            f"Its original placement was saved by the move {move[0]} -> {move[1]}, not {old_pool} -> {new_pool}: it "
            f"is left as it is. Finish that move, or roll it back with --nodepool-name {move[0]} --new-nodepool-name "
            f"{move[1]} --phase rollback.")
    raise ForeignMove(
        f"Its original placement was saved (in the earlier format) by another move than {old_pool} -> {new_pool}, "
        f"or its placement was changed since: it is left as it is. Roll it back with the move that made it, or "
        f"remove the annotation {ORIGINAL_PLACEMENT} to start afresh.")


def _rewritten(obj, placement, old_pool, new_pool, phase, *, runtime_class=DEFAULT_RUNTIME_CLASS):
    """A copy of ``obj`` whose template placement is ``placement`` moved to ``new_pool`` for ``phase``."""
    new = copy.deepcopy(obj)
    template = _template(new)
    _set_placement(template, placement)
    spec = template["spec"]
    _node_selector(spec, old_pool, new_pool, phase)
    _node_affinity(spec, old_pool, new_pool, phase)
    _tolerations(spec)
    if is_wasi_runtime_class(spec.get("runtimeClassName")):
        spec["runtimeClassName"] = runtime_class
    _set_placement(template, {**placement_of(new), "annotations": {}})  # the same fields, no WAGI annotations
    return new


def retarget(obj, old_pool, new_pool, phase, *, runtime_class=DEFAULT_RUNTIME_CLASS, allow_pod=False):
    """A retargeted deep copy of ``obj`` (see the module docstring); ``obj`` is not changed.

    A bare Pod's placement is immutable: ``RetargetError`` unless ``allow_pod`` (for a manifest
    to recreate the pod from, e.g. with ``--export-dir``). ``ForeignMove`` when another move saved it.
    """
    if phase not in PHASES:
        raise RetargetError(f"Unknown phase {phase!r}: use one of {', '.join(PHASES)}.")
    if obj.get("kind") == "Pod" and not allow_pod:
        name = (obj.get("metadata") or {}).get("name")
        raise RetargetError(f"Pod {name!r} has no controller and a pod's placement cannot be changed in place: "
                            "recreate it from the exported manifest (--export-dir), or give it a controller.")
    check_move(obj, old_pool, new_pool)
    _, original = saved(obj)
    if original is None:
        original = placement_of(obj)
    new = _rewritten(obj, original, old_pool, new_pool, phase, runtime_class=runtime_class)
    annotations = new.setdefault("metadata", {}).setdefault("annotations", {})
    annotations.setdefault(ORIGINAL_PLACEMENT, _encode(old_pool, new_pool, original))
    return new


def rollback(obj, old_pool=None, new_pool=None):
    """A copy of ``obj`` with the saved placement restored exactly and the annotation removed; an object never
    retargeted comes back unchanged. Given the move, ``ForeignMove`` when another move saved it."""
    if old_pool is not None:
        check_move(obj, old_pool, new_pool)
    new = copy.deepcopy(obj)
    _, original = saved(obj)
    if original is None:
        return new
    meta = new["metadata"]
    meta["annotations"].pop(ORIGINAL_PLACEMENT)
    if not meta["annotations"]:
        meta.pop("annotations")
    _set_placement(_template(new), original)
    return new
