"""evaluate.run, the phase's entry: the subscription search, scanning manifests into a report, the findings gate.
What reaches the user through az is in tests/e2e/test_scan_manifests.py and test_list_show.py."""

import os
import stat

import pytest

from azext_wasimig import evaluate, files
from azext_wasimig._errors import to_cli_error
from azext_wasimig.evaluate.errors import MAX_LISTED_FINDINGS, FindingsFound, NoSubscriptionSearched
from tests.unit.evaluate.helpers import EXPECTED, unit_snapshot

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "manifests")
WASI, CLEAN = os.path.join(FIXTURES, "wasi"), os.path.join(FIXTURES, "clean")
SUBSCRIPTIONS = {"sub-a": "Apps", "sub-b": "Locked", "sub-c": "Empty"}


class Refused(Exception):
    """Stands in for the service's answer to one subscription (a recoverable failure)."""


def cluster(sub, pool="wasi"):
    return {"id": f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c",
            "name": "c", "properties": {"agentPoolProfiles": [{"name": pool, "workloadRuntime": "WasmWasi"},
                                                              {"name": "std", "workloadRuntime": "OCIContainer"}]}}


def lister(failing=(), bug=None):
    def list_clusters(sub):
        if sub == bug:
            raise TypeError("a bug")
        if sub in failing:
            raise Refused(f"(AuthorizationFailed) no access to {sub}\nmore detail")
        return [cluster(sub)] if sub != "sub-c" else []
    return list_clusters


def test_search_lists_what_it_could_and_returns_the_rest_as_skipped_with_their_first_line():
    said = []
    found = evaluate.search_subscriptions(SUBSCRIPTIONS, lister(failing={"sub-b"}), Refused, progress=said.append)
    assert [(r["subscriptionId"], r["name"]) for r in found.records] == [("sub-a", "wasi")]
    assert found.skipped == ["sub-b (Locked): (AuthorizationFailed) no access to sub-b"]
    assert sorted(said) == [f"{n}/3 subscriptions searched" for n in (1, 2, 3)]


def test_search_where_every_subscription_failed_names_each_and_fails():
    with pytest.raises(NoSubscriptionSearched) as caught:
        evaluate.search_subscriptions(SUBSCRIPTIONS, lister(failing=set(SUBSCRIPTIONS)), Refused)
    assert str(caught.value).splitlines() == ["No subscription could be searched:"] + [
        f"  {sub} ({name}): (AuthorizationFailed) no access to {sub}" for sub, name in sorted(SUBSCRIPTIONS.items())]
    cli_error = to_cli_error(caught.value)
    assert type(cli_error).__name__ == "AzureResponseError" and "--subscription" in caught.value.recommendation


def test_search_lets_a_bug_through_and_nothing_is_an_empty_list():
    with pytest.raises(TypeError):
        evaluate.search_subscriptions(SUBSCRIPTIONS, lister(bug="sub-a"), Refused)
    assert evaluate.search_subscriptions({}, lister(), Refused).records == []


def test_scan_manifests_writes_a_private_report_and_says_where(tmp_path):
    path, said = str(tmp_path / "out" / "report.md"), []
    options = evaluate.ScanOptions(report=path)
    evaluate.check_report(options)
    findings = evaluate.scan_manifests([WASI], "wasipool", options, note=said.append)
    assert findings and said == [f"Report written to {path}"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    text = open(path, encoding="utf-8").read()
    assert "| WASI pools | wasipool |" in text and f"| Scanned from | manifests: {WASI} |" in text


def test_a_report_that_cannot_be_written_fails_before_the_scan_as_a_file_error(tmp_path):
    (tmp_path / "report.md").write_text("kept")
    with pytest.raises(files.FileError, match="already exists: pass --overwrite") as caught:
        evaluate.check_report(evaluate.ScanOptions(report=str(tmp_path / "report.md")))
    assert type(to_cli_error(caught.value)).__name__ == "FileOperationError"
    evaluate.check_report(evaluate.ScanOptions(report=str(tmp_path / "report.md"), overwrite=True))


def test_fail_on_findings_raises_the_listing_and_clean_manifests_pass():
    options = evaluate.ScanOptions(fail_on_findings=True)
    with pytest.raises(FindingsFound) as caught:
        evaluate.scan_manifests([WASI], None, options)
    lines = str(caught.value).splitlines()
    assert lines[0] == "5 workload(s) still have WASI-specific settings or findings:"
    assert lines[1] == f"  apps/Deployment/spin-hello ({os.path.join(WASI, 'multi-doc.yaml')}:2): spin, 1 blocker(s), " \
                       "1 warning(s)"
    assert type(to_cli_error(caught.value)).__name__ == "ValidationError"
    assert evaluate.scan_manifests([CLEAN], None, options) == []


def test_the_findings_listing_stops_at_its_limit_and_counts_the_rest():
    finding = dict(evaluate.scan_manifests([WASI], None, evaluate.ScanOptions())[0])
    many = [{**finding, "name": f"app-{i}"} for i in range(MAX_LISTED_FINDINGS + 7)]
    lines = str(FindingsFound(many)).splitlines()
    assert len(lines) == 1 + MAX_LISTED_FINDINGS + 1 and lines[-1] == "  ... and 7 more"
    assert lines[0] == f"{MAX_LISTED_FINDINGS + 7} workload(s) still have WASI-specific settings or findings:"


class _Target:
    """The part of a MigrationTarget scan_cluster reads."""
    cluster_name, resource_group, subscription_id = "aks-prod", "rg-apps", "sub-a"

    def __init__(self, pools, only=None):
        self.wasi_pool_names, self.wasi_pool_name = pools, only


def test_scan_cluster_reads_through_the_client_it_is_given_and_notes_a_cluster_without_wasi_pools(monkeypatch):
    from azext_wasimig.kube import snapshot
    monkeypatch.setattr(snapshot, "take", lambda api, namespace=None: unit_snapshot())
    said, detail = [], []
    findings = evaluate.scan_cluster(_Target(["wasipool", "krustlet"]), lambda: "api", evaluate.ScanOptions(),
                                     note=said.append, detail=detail.append)
    assert {(f["kind"], f["name"]) for f in findings} == set(EXPECTED) and said == []
    assert detail == ["Read the cluster with 0 API calls"]
    evaluate.scan_cluster(_Target([]), lambda: "api", evaluate.ScanOptions(), note=said.append)
    assert said == ["Cluster 'aks-prod' has no WASI node pool; looking only for WASI-specific settings."]
