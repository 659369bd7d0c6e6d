"""placement: the scheduler's node checks (node affinity, taints and tolerations, cordon/Ready) and the RuntimeClass
admission merge, on plain REST-shaped dicts. Semantics as in k8s component-helpers/scheduling/corev1 and the
RuntimeClass admission plugin."""

import pytest

from azext_wasimig import placement

SPIN_LABEL = "kubernetes.azure.com/wasmtime-spin-v2"
AKS_CLASS = {"metadata": {"name": "wasmtime-spin-v2"}, "handler": "spin",
             "scheduling": {"nodeSelector": {SPIN_LABEL: "true"}}}


def node(name="n-0", labels=None, taints=None, unschedulable=False, ready=True):
    spec = {"taints": taints} if taints else {}
    if unschedulable:
        spec["unschedulable"] = True
    return {"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}}, "spec": spec,
            "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}}


def expression(key, operator, *values):
    return {"key": key, "operator": operator, **({"values": list(values)} if values else {})}


def affinity(*terms):
    return {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": list(terms)}}}}


@pytest.mark.parametrize("requirement, labels, expected", [
    (expression("pool", "In", "a", "b"), {"pool": "b"}, True),
    (expression("pool", "In", "a"), {"pool": "c"}, False),
    (expression("pool", "In", "a"), {}, False),
    (expression("pool", "In"), {"pool": "a"}, False),             # In needs values: the term does not parse
    (expression("pool", "NotIn", "a"), {"pool": "b"}, True),
    (expression("pool", "NotIn", "a"), {}, True),                 # an absent label is not in any set
    (expression("pool", "NotIn", "a"), {"pool": "a"}, False),
    (expression("pool", "Exists"), {"pool": ""}, True),
    (expression("pool", "Exists"), {}, False),
    (expression("pool", "Exists", "a"), {"pool": "a"}, False),    # Exists takes no values
    (expression("pool", "DoesNotExist"), {}, True),
    (expression("pool", "DoesNotExist"), {"pool": "a"}, False),
    (expression("cores", "Gt", "4"), {"cores": "8"}, True),
    (expression("cores", "Gt", "8"), {"cores": "8"}, False),
    (expression("cores", "Lt", "8"), {"cores": "+4"}, True),
    (expression("cores", "Lt", "8"), {"cores": "-9"}, True),
    (expression("cores", "Gt", "4"), {"cores": "many"}, False),   # a label that is no integer never compares
    (expression("cores", "Gt", "4"), {}, False),
    (expression("cores", "Gt", "4", "5"), {"cores": "8"}, False),  # exactly one value
    (expression("cores", "Gt", "1_0"), {"cores": "80"}, False),    # not an integer to Go's ParseInt
    (expression("pool", "Like", "a"), {"pool": "a"}, False),
])
def test_label_requirement_operators(requirement, labels, expected):
    assert placement.label_requirement_matches(requirement, labels) is expected


@pytest.mark.parametrize("requirement, expected", [
    (expression("metadata.name", "In", "n-0"), True),
    (expression("metadata.name", "In", "n-1"), False),
    (expression("metadata.name", "NotIn", "n-1"), True),
    (expression("metadata.name", "NotIn", "n-0"), False),
    (expression("metadata.name", "In", "n-0", "n-1"), False),   # matchFields take exactly one value
    (expression("metadata.name", "Exists"), False),
])
def test_match_fields_select_by_node_name(requirement, expected):
    assert placement.field_requirement_matches(requirement, "n-0") is expected


def test_terms_are_ored_requirements_in_a_term_anded_and_an_empty_term_matches_nothing():
    labels = {"pool": "a", "zone": "1"}
    both = {"matchExpressions": [expression("pool", "In", "a"), expression("zone", "In", "2")]}
    assert not placement.term_matches(both, labels, "n-0")
    assert placement.required_affinity_matches(affinity(both, {"matchExpressions": [expression("zone", "In", "1")]}),
                                               labels, "n-0")
    assert not placement.term_matches({}, labels, "n-0")
    assert not placement.required_affinity_matches(affinity({}), labels, "n-0")
    assert not placement.required_affinity_matches(affinity(), labels, "n-0"), "no term: nothing matches"
    mixed = {"matchExpressions": [expression("pool", "In", "a")], "matchFields": [expression("metadata.name", "In",
                                                                                             "n-1")]}
    assert not placement.term_matches(mixed, labels, "n-0") and placement.term_matches(mixed, labels, "n-1")
    assert placement.required_affinity_matches({}, labels, "n-0"), "no required affinity: every node"


@pytest.mark.parametrize("toleration, taint, expected", [
    ({"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule"}, {"key": "k", "value": "v",
                                                                              "effect": "NoSchedule"}, True),
    ({"key": "k", "value": "v"}, {"key": "k", "value": "v", "effect": "NoExecute"}, True),   # "" is Equal, any effect
    ({"key": "k", "operator": "Equal", "value": "w"}, {"key": "k", "value": "v", "effect": "NoSchedule"}, False),
    ({"key": "k", "operator": "Equal"}, {"key": "k", "effect": "NoSchedule"}, True),          # both values empty
    ({"key": "k", "operator": "Exists"}, {"key": "k", "value": "v", "effect": "NoSchedule"}, True),
    ({"key": "j", "operator": "Exists"}, {"key": "k", "value": "v", "effect": "NoSchedule"}, False),
    ({"key": "k", "operator": "Exists", "effect": "NoExecute"}, {"key": "k", "effect": "NoSchedule"}, False),
    ({"operator": "Exists"}, {"key": "anything", "value": "v", "effect": "NoExecute"}, True),  # empty key: all
    ({"operator": "Exists", "effect": "NoSchedule"}, {"key": "k", "effect": "NoExecute"}, False),
    ({"key": "k", "operator": "Gt", "value": "1"}, {"key": "k", "value": "2", "effect": "NoSchedule"}, False),
])
def test_tolerations_against_taints(toleration, taint, expected):
    assert placement.tolerates(toleration, taint) is expected


def test_only_no_schedule_and_no_execute_taints_keep_a_pod_off():
    prefer = {"key": "soft", "effect": "PreferNoSchedule"}
    hard = {"key": "kubernetes.io/arch", "value": "wasm32-wagi", "effect": "NoExecute"}
    assert placement.untolerated_taint([prefer], []) is None
    assert placement.untolerated_taint([prefer, hard], []) == hard
    assert placement.untolerated_taint([hard], [{"key": "kubernetes.io/arch", "operator": "Exists"}]) is None


def test_why_not_checks_readiness_cordon_selector_affinity_and_taints():
    assert placement.why_not({}, node()) is None
    assert placement.why_not({}, node(ready=False)) == "not Ready"
    assert placement.why_not({}, node(unschedulable=True)) == "cordoned"
    tolerates_cordon = {"tolerations": [{"key": "node.kubernetes.io/unschedulable", "operator": "Exists"}]}
    assert placement.why_not(tolerates_cordon, node(unschedulable=True)) is None
    assert "lack the label pool=a that its nodeSelector" in placement.why_not({"nodeSelector": {"pool": "a"}}, node())
    assert placement.why_not({"nodeSelector": {"pool": ""}}, node()) is not None, "an empty value still needs the key"
    assert placement.why_not({"nodeSelector": {"pool": ""}}, node(labels={"pool": ""})) is None
    assert "required node affinity" in placement.why_not(affinity({"matchExpressions": [
        expression("pool", "In", "a")]}), node())
    taint = {"key": "sku", "value": "gpu", "effect": "NoSchedule"}
    assert placement.why_not({}, node(taints=[taint])) == \
        "have the taint sku=gpu:NoSchedule, which it does not tolerate"


def test_runtime_class_scheduling_is_merged_as_admission_does():
    toleration = {"key": "wasm", "operator": "Exists"}
    rc = {"metadata": {"name": "rc"}, "scheduling": {"nodeSelector": {"spin": "true"}, "tolerations": [toleration]}}
    spec = {"runtimeClassName": "rc", "nodeSelector": {"app": "x"}, "tolerations": [toleration]}
    merged, added, rejected = placement.with_runtime_class(spec, {"rc": rc})
    assert rejected is None and added == {"spin": "rc"}
    assert merged["nodeSelector"] == {"app": "x", "spin": "true"} and merged["tolerations"] == [toleration]
    assert spec["nodeSelector"] == {"app": "x"}, "the input is left as it was"
    _, _, conflict = placement.with_runtime_class({"runtimeClassName": "rc", "nodeSelector": {"spin": "no"}},
                                                  {"rc": rc})
    assert "conflicts with spin=true of its RuntimeClass rc" in conflict
    _, added, rejected = placement.with_runtime_class({"runtimeClassName": "rc", "nodeSelector": {"spin": "true"}},
                                                      {"rc": rc})
    assert rejected is None and added == {"spin": "rc"}, "the same value is no conflict; the class requires it"
    assert "does not exist" in placement.with_runtime_class({"runtimeClassName": "gone"}, {})[2]
    assert placement.with_runtime_class({"runtimeClassName": "plain"}, {"plain": {"handler": "runc"}})[2] is None


def test_runtime_class_tolerations_let_a_pod_onto_tainted_nodes():
    taint = {"key": "wasm", "value": "true", "effect": "NoSchedule"}
    rc = {"scheduling": {"tolerations": [{"key": "wasm", "operator": "Exists", "effect": "NoSchedule"}]}}
    assert placement.nowhere_to_land({}, [node(taints=[taint])], {}) is not None
    assert placement.nowhere_to_land({"runtimeClassName": "rc"}, [node(taints=[taint])], {"rc": rc}) is None


def test_nowhere_to_land_counts_the_reasons_like_the_scheduler():
    nodes = [node("std-0"), node("std-1"), node("std-2", labels={SPIN_LABEL: "true"}, unschedulable=True)]
    why = placement.nowhere_to_land({"runtimeClassName": "wasmtime-spin-v2"}, nodes,
                                    {"wasmtime-spin-v2": AKS_CLASS})
    assert why == (f"0/3 nodes are available: 2 lack the label {SPIN_LABEL}=true that RuntimeClass wasmtime-spin-v2's "
                   "scheduling.nodeSelector requires, 1 cordoned")
    assert placement.nowhere_to_land({}, nodes, {}) is None, "any one node is enough"
    assert placement.nowhere_to_land({}, [], {}) == "there are no nodes"
