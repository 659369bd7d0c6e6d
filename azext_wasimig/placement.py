"""Where a pod can land: the node checks of kube-scheduler that a drain or a retarget can make up front (pure).

A pod that is evicted, or re-created by a rollout, is only safe to displace when some node will take its
replacement. Modelled on the scheduler's filter plugins and the helpers they share
(k8s.io/component-helpers/scheduling/corev1 and .../nodeaffinity, k8s.io/api/core/v1 toleration.go):

- NodeUnschedulable: a cordoned node takes only pods tolerating ``node.kubernetes.io/unschedulable:NoSchedule``;
  a node whose ``Ready`` condition is not True takes none (its not-ready taint would keep new pods off);
- NodeAffinity: every ``spec.nodeSelector`` label equal, AND the required node affinity: its nodeSelectorTerms
  ORed, in a term every matchExpression (In, NotIn, Exists, DoesNotExist, Gt, Lt on labels) and matchField
  (In, NotIn on ``metadata.name``) ANDed; an empty term, or one the API would not parse, matches nothing;
- TaintToleration: every NoSchedule and NoExecute taint tolerated (PreferNoSchedule only scores). A toleration
  matches when its effect is empty or equal, its key empty or equal, and its operator Exists, or Equal (or
  empty) with an equal value.

Before all that, when the pod is created, the RuntimeClass admission plugin merges the class's
``scheduling.nodeSelector`` into the pod's (the same key with another value makes the API server reject the
pod) and adds its tolerations; a RuntimeClass that does not exist makes it reject the pod.

Not checked: free resources, pod (anti-)affinity, topology spread, volume zones, host ports. The answer is
"some node could take it", not "the scheduler will place it there now".
"""

import re
from collections import Counter

UNSCHEDULABLE_TAINT = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}
FILTERED_EFFECTS = ("NoSchedule", "NoExecute")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")   # what Go's strconv.ParseInt(s, 10, 64) accepts (range aside)
_REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"


# --- tolerations and taints ------------------------------------------------------------------------------------

def tolerates(toleration, taint):
    """Whether one toleration tolerates one taint (k8s.io/api/core/v1 Toleration.ToleratesTaint)."""
    toleration = toleration or {}
    if toleration.get("effect") and toleration["effect"] != taint.get("effect"):
        return False
    if toleration.get("key") and toleration["key"] != taint.get("key"):
        return False
    operator = toleration.get("operator") or "Equal"
    if operator == "Exists":
        return True
    return operator == "Equal" and (toleration.get("value") or "") == (taint.get("value") or "")


def untolerated_taint(taints, tolerations):
    """The first NoSchedule/NoExecute taint that no toleration tolerates, or None."""
    return next((t for t in taints or [] if t.get("effect") in FILTERED_EFFECTS
                 and not any(tolerates(tol, t) for tol in tolerations or [])), None)


def show_taint(taint):
    value = f"={taint['value']}" if taint.get("value") else ""
    return f"{taint.get('key')}{value}:{taint.get('effect')}"


# --- node affinity ---------------------------------------------------------------------------------------------

def label_requirement_matches(requirement, labels):
    """One matchExpression against node labels (apimachinery labels.Requirement). A requirement the API would not
    parse (unknown operator; In/NotIn without values; Exists/DoesNotExist with values; Gt/Lt without exactly one
    integer) matches nothing."""
    key, operator = requirement.get("key"), requirement.get("operator")
    values = list(requirement.get("values") or [])
    if operator in ("In", "NotIn"):
        if not values:
            return False
        return (key in labels and labels[key] in values) == (operator == "In")
    if operator in ("Exists", "DoesNotExist"):
        return not values and (key in labels) == (operator == "Exists")
    if operator in ("Gt", "Lt"):
        if len(values) != 1 or not _INTEGER.match(str(values[0])) or not _INTEGER.match(str(labels.get(key, ""))):
            return False
        have, bound = int(labels[key]), int(values[0])
        return have > bound if operator == "Gt" else have < bound
    return False


def field_requirement_matches(requirement, name_of_node):
    """One matchField: In or NotIn with exactly one value, on ``metadata.name`` (the only node field selectable)."""
    values = list(requirement.get("values") or [])
    if requirement.get("operator") not in ("In", "NotIn") or len(values) != 1:
        return False
    have = name_of_node if requirement.get("key") == "metadata.name" else ""
    return (have == values[0]) == (requirement.get("operator") == "In")


def term_matches(term, labels, name_of_node):
    expressions, fields = (term or {}).get("matchExpressions") or [], (term or {}).get("matchFields") or []
    if not expressions and not fields:
        return False   # "a null or empty node selector term matches no objects"
    return (all(label_requirement_matches(e or {}, labels) for e in expressions)
            and all(field_requirement_matches(f or {}, name_of_node) for f in fields))


def required_affinity_matches(spec, labels, name_of_node):
    """The required node affinity (True when there is none): its terms ORed."""
    required = (((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(_REQUIRED))
    if required is None:
        return True
    return any(term_matches(term, labels, name_of_node) for term in required.get("nodeSelectorTerms") or [])


# --- RuntimeClass admission ------------------------------------------------------------------------------------

def with_runtime_class(spec, runtime_classes):
    """(spec as the RuntimeClass admission plugin leaves it, {selector key: the class that requires it}, why the
    API server would reject the pod or None). ``runtime_classes`` maps names to RuntimeClass objects.

    A pod made earlier already carries its class's selector (admission put it there): it is still the class's.
    """
    name = spec.get("runtimeClassName")
    merged, added = dict(spec), {}
    if not name:
        return merged, added, None
    if name not in runtime_classes:
        return merged, added, f"its RuntimeClass {name} does not exist (the API server refuses pods that name it)"
    scheduling = runtime_classes[name].get("scheduling") or {}
    selector = dict(spec.get("nodeSelector") or {})
    for key, value in (scheduling.get("nodeSelector") or {}).items():
        if key in selector and selector[key] != value:
            return merged, added, (f"its nodeSelector {key}={selector[key]} conflicts with {key}={value} of its "
                                   f"RuntimeClass {name} (the API server refuses such a pod)")
        selector[key], added[key] = value, name
    merged["nodeSelector"] = selector
    merged["tolerations"] = list(spec.get("tolerations") or []) + [
        t for t in scheduling.get("tolerations") or [] if t not in (spec.get("tolerations") or [])]
    return merged, added, None


# --- one node, many nodes --------------------------------------------------------------------------------------

def node_name(node):
    return (node.get("metadata") or {}).get("name") or ""


def is_ready(node):
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (node.get("status") or {}).get("conditions") or [])


def why_not(spec, node, added_by_class=None):
    """None when ``node`` would take a pod with this (admitted) spec; otherwise a short reason, worded so that
    the reasons of many nodes can be counted. ``added_by_class``: see with_runtime_class."""
    tolerations = spec.get("tolerations") or []
    if not is_ready(node):
        return "not Ready"
    if (node.get("spec") or {}).get("unschedulable") and not any(tolerates(t, UNSCHEDULABLE_TAINT)
                                                                 for t in tolerations):
        return "cordoned"
    labels = (node.get("metadata") or {}).get("labels") or {}
    for key, value in sorted((spec.get("nodeSelector") or {}).items()):
        if key not in labels or labels[key] != value:
            source = (added_by_class or {}).get(key)
            where = f"RuntimeClass {source}'s scheduling.nodeSelector" if source else "its nodeSelector"
            return f"lack the label {key}={value} that {where} requires"
    if not required_affinity_matches(spec, labels, node_name(node)):
        return "do not match its required node affinity"
    taint = untolerated_taint((node.get("spec") or {}).get("taints"), tolerations)
    if taint:
        return f"have the taint {show_taint(taint)}, which it does not tolerate"
    return None


def nowhere_to_land(spec, nodes, runtime_classes):
    """None when at least one of ``nodes`` would take a pod with this pod spec (created now, so through the
    RuntimeClass admission); otherwise why none would, in the scheduler's style: "0/3 nodes are available: ..."."""
    admitted, added, rejected = with_runtime_class(spec or {}, runtime_classes or {})
    if rejected:
        return rejected
    if not nodes:
        return "there are no nodes"
    reasons = Counter()
    for node in nodes:
        why = why_not(admitted, node, added)
        if why is None:
            return None
        reasons[why] += 1
    counted = ", ".join(f"{count} {why}" for why, count in sorted(reasons.items(), key=lambda r: (-r[1], r[0])))
    return f"0/{len(nodes)} nodes are available: {counted}"
