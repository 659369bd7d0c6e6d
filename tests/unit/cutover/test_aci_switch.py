"""cutover --aci's switch and its undo, as pure rules: replicas saved once, restored exactly, another move's left."""

import json

from azext_wasimig.cutover import aci_switch
from azext_wasimig.vocabulary.wasi import ORIGINAL_REPLICAS


def deployment(replicas=3, annotations=None):
    meta = {"name": "web", "namespace": "shop", **({"annotations": annotations} if annotations else {})}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": {"replicas": replicas}}


def test_scaled_in_saves_the_replicas_and_sets_zero():
    scaled = aci_switch.scaled_in(deployment(3), "wasi")
    assert scaled["spec"]["replicas"] == 0
    assert json.loads(scaled["metadata"]["annotations"][ORIGINAL_REPLICAS]) == {"from": "wasi", "to": "aci",
                                                                                "replicas": 3}


def test_a_second_scale_in_keeps_the_first_saved_replicas():
    once = aci_switch.scaled_in(deployment(3), "wasi")
    assert aci_switch.scaled_in(once, "wasi") == once


def test_absent_replicas_count_as_one_as_kubernetes_defaults_them():
    obj = deployment()
    del obj["spec"]["replicas"]
    assert aci_switch.saved(aci_switch.scaled_in(obj, "wasi"))["replicas"] == 1


def test_restored_puts_the_replicas_back_and_removes_only_its_annotation():
    kept = {"team": "shop"}
    scaled = aci_switch.scaled_in(deployment(4, dict(kept)), "wasi")
    back = aci_switch.restored(scaled)
    assert back["spec"]["replicas"] == 4 and back["metadata"]["annotations"] == kept


def test_restored_drops_an_annotations_map_it_emptied_and_leaves_an_unscaled_object_alone():
    back = aci_switch.restored(aci_switch.scaled_in(deployment(2), "wasi"))
    assert "annotations" not in back["metadata"] and back == deployment(2)
    assert aci_switch.restored(deployment(5)) == deployment(5)


def test_what_another_old_pool_saved_is_not_this_moves():
    other = aci_switch.scaled_in(deployment(2), "wasib")
    assert not aci_switch.belongs_to(other, "wasia") and aci_switch.belongs_to(other, "WASIB")
    assert aci_switch.belongs_to(deployment(2), "wasia")   # nothing saved yet


def test_an_annotation_that_is_not_ours_reads_as_nothing_saved():
    for text in ("not json", json.dumps([1]), json.dumps({"replicas": 2})):
        assert aci_switch.saved(deployment(2, {ORIGINAL_REPLICAS: text})) is None


def _served(monkeypatch, live):
    """rest.call answering GETs with ``live``; the calls made, in order."""
    from azext_wasimig.kube import rest
    calls = []

    def call(_api, method, path, body=None, **_):
        calls.append((method, path, body))
        return json.loads(json.dumps(live)) if method == "GET" else {}
    monkeypatch.setattr(rest, "call", call)
    return calls


def test_scale_in_reads_each_object_once_then_patches_it(monkeypatch):
    live = {**deployment(3), "metadata": {**deployment(3)["metadata"], "resourceVersion": "7"}}
    calls = _served(monkeypatch, live)
    rows = aci_switch.scale_in(None, [("shop", "Deployment", "web")], "wasi")
    assert [method for method, _, _ in calls] == ["GET", "PATCH"] and rows[0]["action"] == "scaled"
    assert calls[1][2]["spec"] == {"replicas": 0}


def test_scale_in_leaves_an_object_another_move_scaled_and_says_whose(monkeypatch):
    theirs = json.dumps({"from": "otherwasi", "to": "aci", "replicas": 2})
    calls = _served(monkeypatch, deployment(0, {ORIGINAL_REPLICAS: theirs}))
    rows = aci_switch.scale_in(None, [("shop", "Deployment", "web")], "wasi")
    assert [method for method, _, _ in calls] == ["GET"] and rows[0]["action"] == "skipped"
    assert "otherwasi" in rows[0]["reason"]
