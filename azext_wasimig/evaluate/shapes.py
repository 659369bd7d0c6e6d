"""The shapes of the fields scan reads, checked where manifests come in.

The API server refuses an object of the wrong shape, so what a cluster gives is always well formed; a file is
not: valid YAML can say ``nodeSelector: [a, b]`` or ``tolerations: NoSchedule``. ``problem`` finds the first
field that scan would misread, so the reader can name its file and line instead of failing deep inside the scan.
Only the fields scan reads are checked (anything else is the API server's business), each as Kubernetes types it,
and null always passes where a field may be left out.
"""

from dataclasses import dataclass, field

REQUIRED_TERMS = "requiredDuringSchedulingIgnoredDuringExecution"
PREFERRED_TERMS = "preferredDuringSchedulingIgnoredDuringExecution"


@dataclass(frozen=True)
class Scalar:
    types: tuple
    what: str


@dataclass(frozen=True)
class Map:
    fields: dict = field(default_factory=dict)
    string_keys: bool = False
    values: object = None          # the shape of every value (a string map), or None: any
    required: tuple = ()


@dataclass(frozen=True)
class Seq:
    item: object


STR = Scalar((str,), "a string")
INT = Scalar((int,), "a whole number")
INT_OR_STR = Scalar((int, str), "a whole number or a string")
STRING_MAP = Map(string_keys=True, values=STR)         # labels, nodeSelector: Kubernetes' map[string]string
KEYED = Map(string_keys=True)                          # annotations: scan reads their keys
REQUIREMENT = Map({"key": STR, "operator": STR, "values": Seq(STR)})
NODE_SELECTOR_TERM = Map({"matchExpressions": Seq(REQUIREMENT)})
AFFINITY = Map({"nodeAffinity": Map({
    REQUIRED_TERMS: Map({"nodeSelectorTerms": Seq(NODE_SELECTOR_TERM)}),
    PREFERRED_TERMS: Seq(Map({"preference": NODE_SELECTOR_TERM})),
})})
POD_SPEC = Map({
    "nodeName": STR, "nodeSelector": STRING_MAP, "affinity": AFFINITY, "runtimeClassName": STR,
    "tolerations": Seq(Map({"key": STR, "operator": STR, "value": STR, "effect": STR})),
    "containers": Seq(Map({"name": STR, "command": Seq(STR)}, required=("name",))),
    "volumes": Seq(Map({"name": STR}, string_keys=True, required=("name",))),
})
METADATA = Map({"name": STR, "namespace": STR, "labels": STRING_MAP, "annotations": KEYED,
                "ownerReferences": Seq(Map({"kind": STR, "name": STR}))})
TEMPLATE = Map({"metadata": Map({"labels": STRING_MAP, "annotations": KEYED}), "spec": POD_SPEC})
LABEL_SELECTOR = Map({"matchLabels": STRING_MAP, "matchExpressions": Seq(REQUIREMENT)})


def _object(spec, status=None, **fields):
    return Map({"metadata": METADATA, "spec": spec, "status": status or Map(), **fields})


_REPLICATED = _object(Map({"replicas": INT, "template": TEMPLATE}))
SHAPES = {
    "Pod": _object(POD_SPEC, Map({"phase": STR})),
    "Deployment": _REPLICATED, "StatefulSet": _REPLICATED, "ReplicaSet": _REPLICATED,
    "DaemonSet": _object(Map({"template": TEMPLATE}), Map({"desiredNumberScheduled": INT})),
    "Job": _object(Map({"parallelism": INT, "template": TEMPLATE})),
    "CronJob": _object(Map({"jobTemplate": Map({"spec": Map({"parallelism": INT, "template": TEMPLATE})})})),
    "PodDisruptionBudget": _object(Map({"selector": LABEL_SELECTOR, "minAvailable": INT_OR_STR,
                                        "maxUnavailable": INT_OR_STR}), Map({"disruptionsAllowed": INT})),
    "RuntimeClass": Map({"metadata": METADATA, "handler": STR, "scheduling": Map({"nodeSelector": STRING_MAP})}),
    "Node": Map({"metadata": METADATA}),
}


def problem(obj):
    """(path, message) of the first field of ``obj`` that scan would misread, or None. ``path`` is a tuple of
    keys and list indexes, for finding the field's line; the message names the field and what it must be."""
    shape = SHAPES.get(obj.get("kind"))
    return _check(obj, shape, ()) if shape else None


def _check(value, shape, path, nullable=True):
    """Plain loops, no generators: this runs for every field of every object of a large rendered chart."""
    if value is None:
        return None if nullable else (path, f"{dotted(path)} must be {_expected(shape)}, not null")
    if isinstance(shape, Scalar):
        return _check_scalar(value, shape, path)
    if isinstance(shape, Seq):
        return _check_seq(value, shape, path)
    return _check_map(value, shape, path)


def _check_scalar(value, shape, path):
    if isinstance(value, shape.types) and not isinstance(value, bool):
        return None
    hint = " (quote it)" if shape is STR and not isinstance(value, (dict, list)) else ""
    return path, f"{dotted(path)} must be {shape.what}, not {_described(value)}{hint}"


def _check_seq(value, shape, path):
    if not isinstance(value, list):
        return path, f"{dotted(path)} must be a list, not {_described(value)}"
    for i, item in enumerate(value):
        found = _check(item, shape.item, path + (i,), nullable=False)
        if found:
            return found
    return None


def _check_map(value, shape, path):
    if not isinstance(value, dict):
        return path, f"{dotted(path)} must be a mapping (key: value), not {_described(value)}"
    for key in shape.required:
        if value.get(key) is None:
            return path + (key,), f"{dotted(path + (key,))} is missing"
    if shape.string_keys:
        for key in value:
            if not isinstance(key, str):
                return path, f"{dotted(path)} has the key {key!r}, which is {_described(key)}: keys must be " \
                             "strings (quote it)"
    for key, inner in shape.fields.items():
        item = value.get(key)
        found = _check(item, inner, path + (key,)) if item is not None else None
        if found:
            return found
    if shape.values is not None:
        for key, item in value.items():
            found = _check(item, shape.values, path + (key,))
            if found:
                return found
    return None


def dotted(path):
    """("spec", "tolerations", 0) -> "spec.tolerations[0]"; keys with dots or slashes in brackets."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif "." in str(part) or "/" in str(part):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "the object"


def _expected(shape):
    if isinstance(shape, Scalar):
        return shape.what
    return "a list" if isinstance(shape, Seq) else "a mapping (key: value)"


def _described(value):
    if isinstance(value, bool):
        return "true/false"
    for types, words in ((str, "a string"), (dict, "a mapping"), (list, "a list"), ((int, float), "a number")):
        if isinstance(value, types):
            return words
    return f"a {type(value).__name__}"   # a YAML date or timestamp, say
