"""manifests.load over the fixture files, and scan.assess over what it gives (no cluster)."""

import os

import pytest

from azext_wasimig.evaluate import manifests, scan

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "manifests")
WASI, CLEAN, BAD = (os.path.join(FIXTURES, d) for d in ("wasi", "clean", "bad"))


def names(objects):
    return sorted(f"{o['kind']}/{o['metadata']['name']}" for o in objects)


def test_folder_is_read_recursively_with_multi_docs_helm_output_and_lists():
    snapshot = manifests.load([WASI])
    assert snapshot.nodes == [] and snapshot.api_calls == 0
    assert names(snapshot.workloads) == [
        "CronJob/release-name-slight-report", "DaemonSet/shim-probe", "Deployment/pinned-web",
        "Deployment/release-name-wagi", "Deployment/spin-hello", "StatefulSet/clean-db"]
    assert names(snapshot.pods) == ["Pod/debug-wws"]             # from a JSON List
    assert names(snapshot.pdbs) == ["PodDisruptionBudget/spin-hello-pdb"]
    # Service and ConfigMap are not read; README.txt is not a manifest; the empty document is skipped


def test_each_object_remembers_file_and_line_list_items_their_own():
    snapshot = manifests.load([WASI])
    where = {o["metadata"]["name"]: snapshot.source_of(o) for o in snapshot.workloads + snapshot.pods}
    assert where["spin-hello"] == os.path.join(WASI, "multi-doc.yaml") + ":2"
    assert where["pinned-web"] == os.path.join(WASI, "multi-doc.yaml") + ":31"
    assert where["release-name-wagi"] == os.path.join(WASI, "helm-rendered.yaml") + ":11"   # after "# Source:"
    assert where["shim-probe"] == os.path.join(WASI, "nested", "kustomize-list.yaml") + ":5"
    assert where["clean-db"] == os.path.join(WASI, "nested", "kustomize-list.yaml") + ":27"
    assert where["debug-wws"] == os.path.join(WASI, "nested", "pod-list.json") + ":1"


def test_files_are_taken_in_a_stable_order_and_named_files_as_given():
    files = manifests.manifest_files([WASI, os.path.join(CLEAN, "spinkube.yml")])
    assert [os.path.relpath(f, FIXTURES) for f in files] == [
        os.path.join("wasi", "helm-rendered.yaml"), os.path.join("wasi", "multi-doc.yaml"),
        os.path.join("wasi", "nested", "kustomize-list.yaml"), os.path.join("wasi", "nested", "pod-list.json"),
        os.path.join("clean", "spinkube.yml")]


def test_scan_without_pool_names_ties_only_wasi_specific_settings():
    findings = scan.assess(manifests.load([WASI]), [])
    got = {f["name"]: (f["payload"], f["recommendedTarget"], f["pools"]) for f in findings}
    assert got == {
        "spin-hello": ("spin", "standard-pool-spinkube", []),
        "release-name-slight-report": ("slight", "none", []),
        "release-name-wagi": ("wagi", "standard-pool-spinkube", []),
        "shim-probe": ("container", "standard-pool", []),
        "debug-wws": ("wws", "none", []),
    }   # pinned-web selects agentpool=wasipool: with no pool names that is not known to be WASI
    wagi = next(f for f in findings if f["name"] == "release-name-wagi")
    assert wagi["source"].endswith("helm-rendered.yaml:11")
    assert "WAGI annotations alpha.wagi.krustlet.dev/default-host" in wagi["blockers"][0]
    assert any(w.startswith("hostNetwork: true") for w in wagi["warnings"])
    spin = next(f for f in findings if f["name"] == "spin-hello")
    assert spin["pdbs"] == [{"name": "spin-hello-pdb", "minAvailable": None, "maxUnavailable": 0,
                             "disruptionsAllowed": None}]
    assert "allows no disruption (maxUnavailable is 0)" in spin["blockers"][0]
    assert scan.has_findings(findings)


def test_scan_with_a_pool_name_also_ties_the_pool_selector():
    findings = scan.assess(manifests.load([WASI]), ["wasipool"])
    pinned = next(f for f in findings if f["name"] == "pinned-web")
    assert pinned["pools"] == ["wasipool"]
    assert pinned["evidence"] == [{"field": "spec.template.spec.nodeSelector",
                                   "value": "kubernetes.azure.com/agentpool=wasipool",
                                   "reason": "selects the nodes of WASI pool wasipool"}]


def test_migrated_manifests_have_no_findings():
    # SpinKube's RuntimeClass keeps the AKS name but selects spin=true nodes: judged by its scheduling
    findings = scan.assess(manifests.load([CLEAN]), ["wasipool"])
    assert findings == [] and not scan.has_findings(findings)


def test_malformed_yaml_names_file_and_line():
    path = os.path.join(BAD, "broken.yaml")
    with pytest.raises(manifests.ManifestError) as caught:
        manifests.load([path])
    assert (caught.value.path, caught.value.line) == (path, 11)
    assert str(caught.value).startswith(f"{path}:11: not valid YAML:")
    assert "expected '-' indicator" in caught.value.message


def test_unrendered_helm_template_gets_a_hint():
    with pytest.raises(manifests.ManifestError) as caught:
        manifests.load([os.path.join(BAD, "unrendered-helm.yaml")])
    assert caught.value.line == 4 and "helm template" in caught.value.message


def test_malformed_json_names_file_and_line():
    with pytest.raises(manifests.ManifestError) as caught:
        manifests.load([os.path.join(BAD, "broken.json")])
    assert caught.value.line == 3 and caught.value.message.startswith("not valid JSON")


def test_missing_path_is_an_error_without_line():
    with pytest.raises(manifests.ManifestError) as caught:
        manifests.load([os.path.join(FIXTURES, "no-such-dir")])
    assert caught.value.line is None and str(caught.value).endswith("no such file or folder")


def test_empty_and_comment_only_files_give_nothing(tmp_path):
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "comments.yml").write_text("# nothing here\n---\n# still nothing\n")
    (tmp_path / "scalar.yaml").write_text("just a string\n")
    (tmp_path / "service.yaml").write_text("kind: Service\nmetadata: {name: web}\n")
    snapshot = manifests.load([str(tmp_path)])
    assert snapshot.workloads == snapshot.pods == snapshot.pdbs == snapshot.runtime_classes == []


def test_no_object_at_all_is_an_error_a_gate_cannot_pass(tmp_path):
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "values.yaml").write_text("replicaCount: 2\n")
    with pytest.raises(manifests.ManifestError, match=r"no Kubernetes object .* in the 2 file\(s\) read"):
        manifests.load([str(tmp_path)])


def test_a_folder_without_manifest_files_is_an_error(tmp_path):
    (tmp_path / "README.txt").write_text("not a manifest")
    with pytest.raises(manifests.ManifestError, match="no manifest file there") as caught:
        manifests.load([str(tmp_path)])
    assert caught.value.path == str(tmp_path) and "helm template" in caught.value.message


def test_same_object_in_two_overlays_is_reported_twice_with_each_file(tmp_path):
    text = open(os.path.join(WASI, "multi-doc.yaml"), encoding="utf-8").read()
    for overlay in ("dev", "prod"):
        (tmp_path / overlay).mkdir()
        (tmp_path / overlay / "app.yaml").write_text(text)
    findings = [f for f in scan.assess(manifests.load([str(tmp_path)]), []) if f["name"] == "spin-hello"]
    assert [os.path.relpath(f["source"], tmp_path) for f in findings] == [
        os.path.join("dev", "app.yaml") + ":2", os.path.join("prod", "app.yaml") + ":2"]


def test_links_in_a_folder_file_followed_folder_not_each_with_a_note(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "app.yaml").write_text("kind: Service\nmetadata: {name: web}\n")
    scanned = tmp_path / "scanned"
    scanned.mkdir()
    (scanned / "linked.yaml").symlink_to(outside / "app.yaml")
    (scanned / "more").symlink_to(outside)
    notes = []
    assert manifests.manifest_files([str(scanned)], notes.append) == [str(scanned / "linked.yaml")]
    assert notes == [f"{scanned / 'more'} is a symbolic link to a folder: not followed (name it to scan it)",
                     f"{scanned / 'linked.yaml'} is a symbolic link: reading {outside / 'app.yaml'}"]


def test_special_files_in_a_folder_stop_the_scan_before_anything_is_read(tmp_path):
    os.mkfifo(tmp_path / "b.yaml")
    (tmp_path / "a.yaml").write_text("kind: [unparsable\n")
    with pytest.raises(manifests.ManifestError, match=r"b.yaml: is a FIFO \(named pipe\)"):
        manifests.load([str(tmp_path)])
