"""`az aks wasi-migrate scan --manifests` through the real az: no cluster, files only (what CI pipelines run)."""

import pathlib

import pytest

from tests.conftest import arm_calls

pytestmark = pytest.mark.e2e

MANIFESTS = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "manifests"


def scan(az, *args, expect=0):
    return az("aks", "wasi-migrate", "scan", *args, expect=expect)


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
