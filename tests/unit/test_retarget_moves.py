"""The saved placement belongs to one old -> new move: another move never rewrites nor rolls it back (pure)."""

import json

import pytest

from azext_wasimig import retarget as rt
from azext_wasimig import retarget_plan as rp


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
