"""`az aks wasi-migrate scan --manifests` through the real az: no cluster, files only (what CI pipelines run)."""

import os
import pathlib
import stat

import pytest

from tests.conftest import arm_calls

pytestmark = pytest.mark.e2e

MANIFESTS = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "manifests"


def scan(az, *args, expect=0, timeout=300):
    return az("aks", "wasi-migrate", "scan", *args, expect=expect, timeout=timeout)


def test_manifests_are_classified_without_any_azure_call(az, arm_log):
    findings = scan(az, "--manifests", str(MANIFESTS / "wasi")).json
    payloads = {f["payload"] for f in findings}
    assert {"spin", "slight", "wagi"} <= payloads
    assert all(f["source"] and ":" in f["source"] for f in findings), "each finding names file:line"
    assert arm_calls(arm_log()) == []


def test_fail_on_findings_exits_1_and_lists_them(az):
    result = scan(az, "--manifests", str(MANIFESTS / "wasi"), "--fail-on-findings", expect=1)
    assert "still have WASI-specific settings" in result.err and "multi-doc.yaml" in result.err
    assert result.out == ""


def test_clean_manifests_pass_the_gate(az):
    result = scan(az, "--manifests", str(MANIFESTS / "clean"), "--fail-on-findings")
    assert result.json == []


@pytest.mark.parametrize("name", ["broken.yaml", "broken.json", "unrendered-helm.yaml"])
def test_malformed_manifest_names_file_and_line(az, name):
    result = scan(az, "--manifests", str(MANIFESTS / "bad" / name), expect=1)
    assert f"{name}:" in result.err and "Traceback" not in result.err
    assert any(ch.isdigit() for ch in result.err.split(name, 1)[1][:6]), "the line number follows the file name"


def test_markdown_report_from_manifests(az, tmp_path):
    report = tmp_path / "wasi.md"
    scan(az, "--manifests", str(MANIFESTS / "wasi"), "--report", str(report), "-o", "none")
    assert "spin" in report.read_text().lower()


@pytest.mark.parametrize("args, words", [
    ([], "Say what to scan"),
    (["--manifests", "x.yaml", "-g", "rg", "-n", "c"], "--manifests scans files"),
])
def test_scan_needs_exactly_one_source(az, args, words):
    result = scan(az, *args, expect=None)
    assert result.rc != 0 and words in result.err


# --- what is read: regular files only, a size cap, shapes checked at the boundary ---------------

SPIN_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      runtimeClassName: wasmtime-spin-v1
      containers: [{{name: app, image: example.azurecr.io/app:1}}]
"""


def test_fifo_in_a_folder_is_refused_not_read(az, tmp_path):
    fifo = tmp_path / "x.yaml"
    os.mkfifo(fifo)
    (tmp_path / "app.yaml").write_text(SPIN_DEPLOYMENT.format(name="web"))
    try:
        result = scan(az, "--manifests", str(tmp_path), expect=1, timeout=120)   # a regression fails, never hangs
    finally:
        _release_readers(fifo)
    assert f"{fifo}: is a FIFO (named pipe), not a regular file" in result.err and "Traceback" not in result.err


def _release_readers(fifo):
    """A reader blocked on the FIFO (the code before the fix) gets end-of-file and lets go."""
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass   # no reader: nothing is blocked


def test_a_device_says_what_it_is(az):
    result = scan(az, "--manifests", "/dev/zero", expect=1)
    assert "/dev/zero: is a character device, not a regular file" in result.err
    assert "no such file" not in result.err


def test_symlink_to_a_manifest_is_followed_with_a_note(az, tmp_path):
    real = tmp_path / "real.yaml"
    real.write_text(SPIN_DEPLOYMENT.format(name="web"))
    (tmp_path / "link.yaml").symlink_to(real)
    result = scan(az, "--manifests", str(tmp_path / "link.yaml"))
    assert [f["name"] for f in result.json] == ["web"]
    assert f"{tmp_path / 'link.yaml'} is a symbolic link: reading {real}" in result.err


def test_a_file_over_the_size_cap_is_refused_by_name(az, tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as f:
        f.truncate(32 * 2**20 + 1)   # sparse: nothing is written to disk
    result = scan(az, "--manifests", str(big), expect=1)
    assert f"{big}: is larger than 32 MiB, the limit for one manifest file" in result.err


@pytest.mark.parametrize("pod_spec, line, words", [
    ("tolerations: NoSchedule", 11, "spec.template.spec.tolerations must be a list, not a string"),
    ("containers:\n        app: {image: x}", 11, "spec.template.spec.containers must be a list, not a mapping"),
    ("nodeSelector: [agentpool, wasipool]", 11, "nodeSelector must be a mapping (key: value), not a list"),
    ("tolerations: &t [{key: a, operator: Exists}]\n      nodeSelector: *t", 12,
     "nodeSelector must be a mapping (key: value), not a list"),
])
def test_valid_yaml_of_the_wrong_shape_names_file_line_and_field(az, tmp_path, pod_spec, line, words):
    containers = "      containers: [{name: app, image: example.azurecr.io/app:1}]"
    text = SPIN_DEPLOYMENT.format(name="web").replace(containers, "      " + pod_spec)
    (tmp_path / "app.yaml").write_text(text)
    result = scan(az, "--manifests", str(tmp_path / "app.yaml"), expect=1)
    assert f"{tmp_path / 'app.yaml'}:{line}: Deployment web: " in result.err and words in result.err
    assert "Traceback" not in result.err and "AttributeError" not in result.err


def test_an_empty_folder_fails_the_gate(az, tmp_path):
    result = scan(az, "--manifests", str(tmp_path), "--fail-on-findings", expect=1)
    assert "no manifest file there (*.yaml, *.yml or *.json)" in result.err and result.out == ""


def test_fail_on_findings_lists_a_few_hundred_and_counts_the_rest(az, tmp_path):
    (tmp_path / "many.yaml").write_text("---\n".join(SPIN_DEPLOYMENT.format(name=f"app-{i}") for i in range(250)))
    result = scan(az, "--manifests", str(tmp_path), "--fail-on-findings", expect=1)
    listed = [line for line in result.err.splitlines() if "/Deployment/app-" in line]
    assert len(listed) == 200 and "250 workload(s) still have WASI-specific settings" in result.err
    assert "... and 50 more" in result.err


# --- what is written: the report ---------------------------------------------------------------

def test_report_is_private_and_kept_unless_overwrite(az, tmp_path):
    report = tmp_path / "wasi.md"
    scan(az, "--manifests", str(MANIFESTS / "wasi"), "--report", str(report), "-o", "none")
    assert stat.S_IMODE(report.stat().st_mode) == 0o600, "it holds the workloads' details"
    report.write_text("kept")
    result = scan(az, "--manifests", str(MANIFESTS / "wasi"), "--report", str(report), expect=1)
    assert "already exists: pass --overwrite to replace it" in result.err and report.read_text() == "kept"
    scan(az, "--manifests", str(MANIFESTS / "wasi"), "--report", str(report), "--overwrite", "-o", "none")
    assert "spin" in report.read_text().lower() and stat.S_IMODE(report.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wasi.md"], "no temporary file left"


@pytest.mark.parametrize("overwrite", [[], ["--overwrite"]])
def test_report_never_goes_through_a_symlink(az, tmp_path, overwrite):
    target = tmp_path / "elsewhere"
    target.write_text("keep")
    (tmp_path / "wasi.md").symlink_to(target)
    result = scan(az, "--manifests", str(MANIFESTS / "wasi"), "--report", str(tmp_path / "wasi.md"), *overwrite,
                  expect=1)
    assert "is a symbolic link: wasimig never writes through one" in result.err and target.read_text() == "keep"


def test_manifests_name_their_manager_and_that_nothing_was_read_from_a_cluster(az, tmp_path):
    """A kustomize build of a Flux repository keeps Flux's labels on what it renders; helm template keeps Helm's."""
    (tmp_path / "rendered.yaml").write_text("""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    kustomize.toolkit.fluxcd.io/name: apps
    kustomize.toolkit.fluxcd.io/namespace: flux-system
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      runtimeClassName: wasmtime-spin-v1
      containers: [{name: app, image: example.azurecr.io/web:1}]
""")
    (finding,) = scan(az, "--manifests", str(tmp_path / "rendered.yaml")).json
    assert finding["managedBy"] == {
        "tool": "flux", "owner": {"kind": "Kustomization", "namespace": "flux-system", "name": "apps"},
        "evidence": ["label kustomize.toolkit.fluxcd.io/name=apps"], "confidence": "strong", "reverts": None,
        "state": "Kustomization flux-system/apps not readable: scanning files, nothing is read from a cluster"}
    clean = scan(az, "--manifests", str(MANIFESTS / "wasi")).json
    assert all(f["managedBy"] is None for f in clean), "no manager named: the key is there, null"
