"""Retargeting pod templates from the old WASI pool to the new pool, and back."""

import copy
import json

import pytest
import yaml

from azext_wasimig.retarget import plan as rp
from azext_wasimig.retarget import rewrite as rt
from tests.unit.retarget.helpers import NEW, OLD, krustlet_deployment, spin_cronjob


def template_spec(obj):
    if obj["kind"] == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return obj["spec"]["template"]["spec"]


@pytest.mark.parametrize("make", [krustlet_deployment, spin_cronjob])
def test_parallel_then_cutover_then_rollback_restores_exactly(make):
    original = make()
    parallel = rt.retarget(original, OLD, NEW, "parallel")
    cutover = rt.retarget(parallel, OLD, NEW, "cutover")
    assert cutover == rt.retarget(original, OLD, NEW, "cutover")
    assert rt.rollback(cutover) == original
    assert rt.rollback(parallel) == original
    assert original == make()  # inputs are never changed


@pytest.mark.parametrize("phase", rt.PHASES)
@pytest.mark.parametrize("make", [krustlet_deployment, spin_cronjob])
def test_idempotent(make, phase):
    once = rt.retarget(make(), OLD, NEW, phase)
    assert rt.retarget(once, OLD, NEW, phase) == once


def test_krustlet_workload_parallel_and_cutover():
    parallel = rt.retarget(krustlet_deployment(), OLD, NEW, "parallel")
    spec, meta = template_spec(parallel), parallel["spec"]["template"]["metadata"]
    assert spec["nodeSelector"] == {"disk": "ssd"}
    assert spec["tolerations"] == [{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}]
    assert spec["affinity"] == {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [
            {"key": rt.POOL_LABEL, "operator": "In", "values": [OLD, NEW]}]}]}}}
    assert meta["annotations"] == {"team": "edge"}
    saved = json.loads(parallel["metadata"]["annotations"][rt.ORIGINAL_PLACEMENT])
    assert saved == {"from": OLD, "to": NEW, "placement": rt.placement_of(krustlet_deployment())}
    cutover = rt.retarget(parallel, OLD, NEW, "cutover")
    assert template_spec(cutover)["nodeSelector"] == {"disk": "ssd", rt.POOL_LABEL: NEW}
    assert "affinity" not in template_spec(cutover)


def test_cronjob_affinity_and_runtime_class():
    cutover = rt.retarget(spin_cronjob(), OLD, NEW, "cutover")
    spec = template_spec(cutover)
    assert spec["runtimeClassName"] == "wasmtime-spin-v2"
    assert spec["nodeSelector"] == {rt.POOL_LABEL: NEW}
    assert spec["affinity"] == {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [
            {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["1", "2"]}]}]}}}
    parallel = rt.retarget(spin_cronjob(), OLD, NEW, "parallel")
    terms = template_spec(parallel)["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert terms["nodeSelectorTerms"][0]["matchExpressions"][-1]["values"] == [OLD, NEW]
    assert "nodeSelector" not in template_spec(parallel)


@pytest.mark.parametrize("old_class, expected", [
    ("wasmtime-spin-v1", "spin-custom"), ("wasmtime-spin-v2", "spin-custom"), ("wasmtime-spin-v0-5-1", "spin-custom"),
    ("wasmtime-spin-v0-15-1", "spin-custom"), ("wasmtime-slight-v1", "wasmtime-slight-v1"), ("gvisor", "gvisor"),
])
def test_runtime_class_mapping(old_class, expected):
    work = spin_cronjob()
    template_spec(work)["runtimeClassName"] = old_class
    assert template_spec(rt.retarget(work, OLD, NEW, "cutover", runtime_class="spin-custom"))["runtimeClassName"] == \
        expected


def test_default_runtime_class_is_spinkubes():
    work = spin_cronjob()
    template_spec(work)["runtimeClassName"] = "wasmtime-spin-v0-8-0"
    assert template_spec(rt.retarget(work, OLD, NEW, "parallel"))["runtimeClassName"] == "wasmtime-spin-v2"


def test_bare_pod_must_be_recreated():
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p1"},
           "spec": {"nodeSelector": {"agentpool": OLD}, "containers": [{"name": "c", "image": "i"}]}}
    with pytest.raises(rt.RetargetError, match="recreate it"):
        rt.retarget(pod, OLD, NEW, "cutover")
    manifest = rt.retarget(pod, OLD, NEW, "cutover", allow_pod=True)
    assert manifest["spec"]["nodeSelector"] == {rt.POOL_LABEL: NEW}
    assert rt.rollback(manifest) == pod


def test_unknown_phase_and_kind():
    with pytest.raises(rt.RetargetError, match="phase"):
        rt.retarget(krustlet_deployment(), OLD, NEW, "sideways")
    with pytest.raises(rt.RetargetError, match="no pod template"):
        rt.retarget({"kind": "Service", "metadata": {"name": "s"}}, OLD, NEW, "cutover")


def test_rollback_of_an_untouched_object_is_a_copy():
    work = krustlet_deployment()
    assert rt.rollback(work) == work and rt.rollback(work) is not work


def test_object_without_any_placement_gets_the_pin_and_rolls_back_clean():
    plain = {"kind": "StatefulSet", "metadata": {"name": "db"},
             "spec": {"template": {"spec": {"containers": [{"name": "db", "image": "postgres"}]}}}}
    parallel = rt.retarget(plain, OLD, NEW, "parallel")
    assert template_spec(parallel)["affinity"]["nodeAffinity"]
    assert rt.rollback(parallel) == plain


# The saved placement belongs to one old -> new move: another move never rewrites nor rolls it back.

def pinned(name, pool):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "demo"},
            "spec": {"template": {"spec": {"nodeSelector": {rt.POOL_LABEL: pool},
                                           "containers": [{"name": "app", "image": "app:1"}]}}}}


def test_a_second_move_to_the_same_pool_refuses_the_first_ones_object():
    moved = rt.retarget(pinned("app-a", "wasia"), "wasia", "std2", "parallel")
    assert rt.saved(moved) == (("wasia", "std2"), rt.placement_of(pinned("app-a", "wasia")))
    for attempt in (lambda: rt.retarget(moved, "wasib", "std2", "parallel"),
                    lambda: rt.rollback(moved, "wasib", "std2")):
        with pytest.raises(rt.ForeignMove, match="wasia -> std2"):
            attempt()
    plan = rp.plan(moved, "parallel", "wasib", "std2")
    assert plan.desired is None and "wasia -> std2" in plan.reason and plan.manifest is None
    assert rp.plan(moved, "rollback", "wasib", "std2").desired is None
    assert rp.desired(moved, "cutover", "wasib", "std2") is moved, "left as it is when recomputed before a patch"
    assert rp.plan(moved, "cutover", "wasia", "std2").changes


def _legacy(obj, placement):
    """``obj`` with an annotation of the earlier format: the placement alone."""
    obj["metadata"]["annotations"] = {rt.ORIGINAL_PLACEMENT: json.dumps(placement, sort_keys=True,
                                                                        separators=(",", ":"))}
    return obj


@pytest.mark.parametrize("phase", ["parallel", "cutover"])
def test_an_annotation_of_the_earlier_format_is_this_moves_when_the_placement_says_so(phase):
    original = pinned("app-a", "wasia")
    moved = rt.retarget(original, "wasia", "std2", phase)
    legacy = _legacy(moved, rt.placement_of(original))
    assert rt.saved(legacy) == (None, rt.placement_of(original))
    assert rt.retarget(legacy, "wasia", "std2", phase) == legacy, "unchanged: the annotation is kept as it was"
    assert rt.rollback(legacy, "wasia", "std2")["spec"] == original["spec"]
    with pytest.raises(rt.ForeignMove, match="earlier format"):
        rt.retarget(legacy, "wasib", "std2", "parallel")


def test_an_annotation_of_the_earlier_format_on_a_hand_edited_object_is_left_alone():
    original = pinned("app-a", "wasia")
    edited = _legacy(pinned("app-a", "elsewhere"), rt.placement_of(original))
    with pytest.raises(rt.ForeignMove, match="changed since"):
        rt.rollback(edited, "wasia", "std2")
    assert rt.rollback(edited)["spec"] == original["spec"], "without a move named, rollback restores as before"
