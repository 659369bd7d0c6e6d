"""documents: which objects a move concerns, and what becomes of them (retarget's rewrite, written back)."""

import pytest

from azext_wasimig.rewrite import documents
from azext_wasimig.rewrite.errors import RewriteFileError
from azext_wasimig.rewrite.run import Move
from azext_wasimig.rewrite.sources import Source

PINNED = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: demo}
spec:
  template:
    spec:
      nodeSelector: {agentpool: wasipool}   # old
      containers: [{name: app, image: x}]
"""
OTHER_POOL = PINNED.replace("wasipool}", "userpool}")


def _move(phase="cutover", old="wasipool"):
    return Move(old=old, new="wasipool2", phase=phase)


def _rewrite(text, phase="cutover", old="wasipool"):
    return documents.rewrite_file(Source("m.yaml", "m.yaml", "manifests", text), _move(phase, old), [])


def test_a_workload_pinned_to_the_old_pool_is_rewritten():
    text, rows, notes = _rewrite(PINNED)
    assert "      nodeSelector: {kubernetes.azure.com/agentpool: wasipool2} # old\n" in text
    assert [(r["name"], r["action"], r["line"]) for r in rows] == [("web", "rewritten", 1)] and notes == []


def test_a_workload_of_another_pool_is_not_touched():
    assert _rewrite(OTHER_POOL) == (OTHER_POOL, [], [])


def test_a_rewritten_file_is_unchanged_by_the_same_phase():
    once = _rewrite(PINNED)[0]
    text, rows, _ = _rewrite(once)
    assert text == once and [r["action"] for r in rows] == ["unchanged"]


def test_another_moves_object_is_skipped_with_the_reason():
    once = _rewrite(PINNED)[0]
    _, rows, _ = _rewrite(once.replace('"from":"wasipool"', '"from":"wasib"'), old="wasipool")
    assert [r["action"] for r in rows] == ["skipped"] and "wasib -> wasipool2" in rows[0]["reason"]


def test_a_field_of_the_wrong_shape_names_its_line():
    with pytest.raises(RewriteFileError, match=r"m.yaml:1: .*nodeSelector"):
        _rewrite(PINNED.replace("{agentpool: wasipool}", "[agentpool, wasipool]").replace(
            "metadata:", "metadata:").replace("containers:", "runtimeClassName: wasmtime-spin-v1\n      containers:"))


def test_malformed_yaml_names_its_line():
    with pytest.raises(RewriteFileError, match=r"m.yaml:3: not valid YAML"):
        _rewrite("a: 1\nb: [\n")


def test_json_manifests_are_reported_not_rewritten():
    source = Source("m.json", "m.json", "json", '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, '
                                                '"spec": {"runtimeClassName": "wasmtime-spin-v1"}}')
    reported = documents.json_report(documents.Loaded(source), _move(), [])
    assert len(reported) == 1 and "JSON files are not rewritten" in reported[0]["reason"]


def test_changed_keys_stop_at_placement_fields_and_name_annotations():
    old = {"metadata": {"annotations": {"a": "1"}}, "spec": {"template": {"spec": {"nodeSelector": {"p": "x"}}}}}
    new = {"metadata": {"annotations": {"a": "1", "b": "2"}},
           "spec": {"template": {"spec": {"nodeSelector": {"p": "y"}}}}}
    assert documents.changed_keys(old, new) == ["metadata.annotations.b", "spec.template.spec.nodeSelector"]


def test_strategic_merge_patches_are_the_files_kustomizations_name(tmp_path):
    text = "patchesStrategicMerge: [a.yaml]\npatches:\n  - path: b.yaml\n  - patch: inline\n"
    source = Source(str(tmp_path / "kustomization.yaml"), str(tmp_path), "manifests", text)
    found = documents.strategic_merge_patches([documents.Loaded(source)])
    assert found == {str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")}
