"""`az aks wasi-migrate rewrite` through the real az: files only, no Azure call (what a repository's CI runs)."""

import difflib
import os
import pathlib
import shutil

import pytest

from tests.conftest import arm_calls

pytestmark = pytest.mark.e2e

REPO = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "rewrite" / "repo"
MOVE = ("--nodepool-name", "wasipool", "--new-nodepool-name", "wasipool2")
# What a placement line holds: the placement fields, their contents, the saved placement and rollback markers.
PLACEMENT = ("nodeSelector", "agentpool", "tolerations", "affinity", "runtimeClassName", "nodeAffinity",
             "requiredDuringScheduling", "nodeSelectorTerms", "matchExpressions", "key:", "operator:", "values:",
             "value:", "effect:", "- wasipool", "kubernetes.io/arch", "wasm32-wagi", "wasimig", "annotations:",
             "alpha.wagi.krustlet.dev", "metadata: {name: report")


CHANGED = {"apps/web.yaml", "apps/jobs.yaml", "apps/windows.yaml", "kustomize/base/deployment.yaml",
           "kustomize/overlays/prod/placement.yaml", "chart/values.yaml"}


def rewrite(az, *args, expect=0):
    return az("aks", "wasi-migrate", "rewrite", *args, expect=expect)


@pytest.fixture(name="tree")
def tree_fixture(tmp_path):
    """A copy of the fixture repository, as a work tree to rewrite."""
    shutil.copytree(REPO, tmp_path / "repo")
    return tmp_path / "repo"


def snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def changed_lines(before, after):
    """The lines removed and added between two byte strings (line ends included)."""
    old, new = before.decode("utf-8-sig").splitlines(True), after.decode("utf-8-sig").splitlines(True)
    return [line[1:] for line in difflib.ndiff(old, new) if line[:2] in ("- ", "+ ")]


def test_without_in_place_nothing_is_written_and_each_file_has_its_diff(az, tree, arm_log):
    before = snapshot(tree)
    rows = rewrite(az, "--manifests", str(tree), *MOVE, "--phase", "cutover").json
    assert snapshot(tree) == before
    by_file = {pathlib.Path(r["file"]).relative_to(tree).as_posix(): r for r in rows}
    assert CHANGED == {f for f, r in by_file.items() if r["changed"]}
    web = by_file["apps/web.yaml"]
    assert web["written"] is None and web["type"] == "manifests"
    assert "-      runtimeClassName: wasmtime-spin-v1\n" in web["diff"]
    assert "+      runtimeClassName: wasmtime-spin-v2\n" in web["diff"]
    assert web["objects"][0]["name"] == "web" and web["objects"][0]["action"] == "rewritten"
    assert "spec.template.spec.nodeSelector" in web["objects"][0]["keys"]
    assert "apps/unrelated.yaml" not in by_file
    assert arm_calls(arm_log()) == []


@pytest.mark.parametrize("phase", ["parallel", "cutover"])
def test_in_place_changes_only_placement_lines(az, tree, phase):
    before = snapshot(tree)
    rewrite(az, "--manifests", str(tree), *MOVE, "--phase", phase, "--in-place", "-o", "none")
    after = snapshot(tree)
    assert after["apps/unrelated.yaml"] == before["apps/unrelated.yaml"]
    assert {name for name in before if after[name] != before[name]} == CHANGED
    for name in ("apps/web.yaml", "apps/jobs.yaml", "apps/windows.yaml", "chart/values.yaml"):
        lines = changed_lines(before[name], after[name])
        assert lines, name
        others = [line for line in lines if not any(word in line for word in PLACEMENT)]
        assert others == [], f"{name}: lines other than placement changed: {others}"
    windows = after["apps/windows.yaml"]
    assert windows.startswith(b"\xef\xbb\xbf") and windows.count(b"\r\n") == windows.count(b"\n")
    jobs = after["apps/jobs.yaml"].decode()
    assert jobs.startswith("%YAML 1.2\n---\n") and jobs.count("\n...\n") == 2 and jobs.endswith("...\n")
    web = after["apps/web.yaml"].decode()
    for kept in ("  labels: &labels {app: web, \"tier\": 'front'}\n", "    matchLabels: *labels\n",
                 "      # pinned to the WASI pool since 2024\n", "          args: [--listen, \"0.0.0.0:80\"]    # flow",
                 "        - {key: dedicated, operator: Exists, effect: NoSchedule}\n", "        prometheus.io/scrape: \"true\"\n"):
        assert kept in web
    assert "wasm32-wagi\"\n" not in web.split("# wasimig:was")[0]


def test_helm_values_are_rewritten_where_the_templates_map_them(az, tree):
    templates = {name: data for name, data in snapshot(tree).items() if name.startswith("chart/templates/")}
    rows = rewrite(az, "--manifests", str(tree / "chart"), *MOVE, "--phase", "cutover", "--in-place").json
    values = (tree / "chart" / "values.yaml").read_text()
    assert "  kubernetes.azure.com/agentpool: wasipool2\n" in values and "\nruntimeClassName: wasmtime-spin-v2\n" in values
    assert "  nodeSelector: {kubernetes.azure.com/agentpool: wasipool2}\n  tolerations: []\n" in values
    assert '  tag: "1.4.2"   # keep in step with the app\n' in values   # the rest stays as it was
    assert {n: d for n, d in snapshot(tree).items() if n.startswith("chart/templates/")} == templates
    by_file = {pathlib.Path(r["file"]).relative_to(tree).as_posix(): r for r in rows}
    assert [o["name"] for o in by_file["chart/values.yaml"]["objects"]] == ["(top level)", "worker"]
    assert by_file["chart/values.yaml"]["type"] == "helm-values"


def test_a_hard_coded_pin_in_a_template_is_reported_not_touched(az, tree):
    before = snapshot(tree)
    rows = rewrite(az, "--manifests", str(tree / "chart"), *MOVE, "--phase", "cutover", "--in-place").json
    report = next(r for r in rows if r["file"].endswith("templates/report.yaml"))
    assert not report["changed"] and report["type"] == "helm-template"
    assert [r["line"] for r in report["reported"]] == [12, 13]
    assert "report.yaml:12: kubernetes.azure.com/agentpool: wasipool is hard-coded" in report["reported"][0]["reason"]
    worker = next(r for r in rows if r["file"].endswith("templates/worker.yaml"))
    assert 'the default "wasmtime-spin-v1"' in worker["reported"][0]["reason"]
    assert snapshot(tree)["chart/templates/report.yaml"] == before["chart/templates/report.yaml"]


def test_a_json_6902_patch_is_reported_with_its_line(az, tree):
    rows = rewrite(az, "--manifests", str(tree / "kustomize"), *MOVE, "--phase", "cutover").json
    patch = next(r for r in rows if r["file"].endswith("tolerations.yaml"))
    assert not patch["changed"] and patch["reported"][0]["line"] == 2
    assert "JSON 6902 patch (add /spec/template/spec/tolerations)" in patch["reported"][0]["reason"]
    merged = next(r for r in rows if r["file"].endswith("placement.yaml"))
    assert merged["changed"] and "kustomize merges this strategic-merge patch" in merged["reported"][0]["reason"]


def test_cutover_pins_the_new_pool_keeping_the_quoting(az, tree):
    rewrite(az, "--manifests", str(tree / "apps" / "web.yaml"), *MOVE, "--phase", "cutover", "--in-place", "-o", "none")
    web = (tree / "apps" / "web.yaml").read_text()
    assert '        "kubernetes.azure.com/agentpool": "wasipool2"  # the old pool\n' in web
    assert "      runtimeClassName: wasmtime-spin-v2\n" in web


def test_check_fails_on_the_original_tree_and_passes_once_rewritten(az, tree):
    before = snapshot(tree)
    failed = rewrite(az, "--manifests", str(tree), *MOVE, "--phase", "cutover", "--check", expect=1)
    assert "file(s) still hold placement" in failed.err and "web.yaml" in failed.err and failed.out == ""
    assert "+      runtimeClassName: wasmtime-spin-v2" in failed.err
    assert snapshot(tree) == before
    rewrite(az, "--manifests", str(tree), *MOVE, "--phase", "cutover", "--in-place", "-o", "none")
    rewrite(az, "--manifests", str(tree), *MOVE, "--phase", "cutover", "--check", "-o", "none")


@pytest.mark.parametrize("phases", [["parallel"], ["cutover"], ["parallel", "cutover"], ["cutover", "cutover"]])
def test_rollback_restores_the_original_bytes(az, tree, phases):
    before = snapshot(tree)
    for phase in phases:
        rewrite(az, "--manifests", str(tree), *MOVE, "--phase", phase, "--in-place", "-o", "none")
    assert snapshot(tree) != before
    rewrite(az, "--manifests", str(tree), *MOVE, "--phase", "rollback", "--in-place", "-o", "none")
    assert snapshot(tree) == before


def test_parallel_then_cutover_is_the_same_as_cutover(az, tree, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(tree, other)
    rewrite(az, "--manifests", str(tree), *MOVE, "--phase", "parallel", "--in-place", "-o", "none")
    rewrite(az, "--manifests", str(tree), *MOVE, "--phase", "cutover", "--in-place", "-o", "none")
    rewrite(az, "--manifests", str(other), *MOVE, "--phase", "cutover", "--in-place", "-o", "none")
    assert snapshot(tree) == snapshot(other)


def test_out_dir_gets_the_changed_files_and_the_tree_stays(az, tree, tmp_path):
    before, out = snapshot(tree), tmp_path / "out"
    rows = rewrite(az, "--manifests", str(tree), *MOVE, "--phase", "cutover", "--out-dir", str(out)).json
    assert snapshot(tree) == before
    written = snapshot(out)
    assert set(written) == CHANGED
    assert {r["written"] for r in rows if r["changed"]} == {str(out / name) for name in written}
    again = rewrite(az, "--manifests", str(tree), *MOVE, "--phase", "cutover", "--out-dir", str(out), expect=1)
    assert "--overwrite" in again.err
    rewrite(az, "--manifests", str(tree), *MOVE, "--phase", "cutover", "--out-dir", str(out), "--overwrite",
            "-o", "none")


def test_in_place_keeps_the_file_mode(az, tree):
    web = tree / "apps" / "web.yaml"
    os.chmod(web, 0o640)
    rewrite(az, "--manifests", str(web), *MOVE, "--phase", "cutover", "--in-place", "-o", "none")
    assert os.stat(web).st_mode & 0o777 == 0o640


def test_table_output(az, tree):
    out = rewrite(az, "--manifests", str(tree / "apps"), *MOVE, "--phase", "cutover", "-o", "table").out
    assert out.splitlines()[0].split() == ["File", "Type", "Changed", "Objects", "Reported", "Written"]
    assert "web.yaml" in out


# --- bad input: a clear error, a non-zero exit, nothing written anywhere --------------------------------------

def test_unparseable_yaml_names_file_and_line_and_nothing_is_written(az, tree):
    broken = tree / "apps" / "zz-broken.yaml"
    broken.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n data: [\n")
    before = snapshot(tree)
    result = rewrite(az, "--manifests", str(tree), *MOVE, "--phase", "cutover", "--in-place", expect=1)
    assert "zz-broken.yaml:" in result.err and "not valid YAML" in result.err and "Nothing was written" in result.err
    assert "Traceback" not in result.err
    assert snapshot(tree) == before   # web.yaml, read before the broken file, is not written either


def test_duplicate_keys_are_refused(az, tree):
    (tree / "apps" / "dup.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n")
    before = snapshot(tree)
    result = rewrite(az, "--manifests", str(tree), *MOVE, "--phase", "cutover", "--in-place", expect=1)
    assert "dup.yaml:" in result.err and snapshot(tree) == before


@pytest.mark.parametrize("make, says", [
    (lambda t: t / "missing.yaml", "no such file or folder"),
    (lambda t: _write(t / "apps" / "logo.yaml", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "is a binary file"),
    (lambda t: _write(t / "apps" / "latin1.yaml", "name: caf\xe9\n".encode("latin-1")), "is not UTF-8 text"),
    (lambda t: _link(t / "apps" / "link.yaml", t / "apps" / "web.yaml"), "is a symbolic link"),
    (lambda t: _link(t.parent / "linked-repo", t), "is a symbolic link"),
])
def test_bad_paths_are_refused_before_anything_is_written(az, tree, make, says):
    named = make(tree)
    before = snapshot(tree)
    paths = [str(named)] if named.name in ("missing.yaml", "linked-repo") else [str(tree)]
    result = rewrite(az, "--manifests", *paths, *MOVE, "--phase", "cutover", "--in-place", expect=1)
    assert says in result.err and "Traceback" not in result.err, result.err
    assert snapshot(tree) == before


def _write(path, data):
    path.write_bytes(data)
    return path


def _link(path, target):
    path.symlink_to(target)
    return path


def test_out_dir_inside_a_given_path_is_refused(az, tree):
    before = snapshot(tree)
    result = rewrite(az, "--manifests", str(tree), *MOVE, "--phase", "cutover", "--out-dir", str(tree / "out"),
                     expect=1)
    assert "is inside" in result.err and not (tree / "out").exists() and snapshot(tree) == before


@pytest.mark.parametrize("args, says", [
    (["--in-place", "--out-dir", "elsewhere"], "--in-place and --out-dir cannot be combined"),
    (["--check", "--in-place"], "--check writes nothing"),
    (["--overwrite"], "--overwrite only applies with --out-dir"),
])
def test_flags_that_do_not_go_together(az, tree, args, says):
    before = snapshot(tree)
    result = rewrite(az, "--manifests", str(tree), *MOVE, "--phase", "cutover", *args, expect=1)
    assert says in result.err and snapshot(tree) == before


def test_dry_run_with_in_place_writes_nothing(az, tree):
    before = snapshot(tree)
    rows = rewrite(az, "--manifests", str(tree), *MOVE, "--phase", "cutover", "--in-place", "--dry-run").json
    assert snapshot(tree) == before and any(r["changed"] for r in rows)
