"""report.render: the Markdown a person gets from `scan --report FILE`."""

import datetime
import re

from azext_wasimig.evaluate import report, scan
from tests.unit.evaluate.helpers import unit_snapshot

CONTEXT = {"cluster": "c1", "resourceGroup": "rg1", "pools": ["wasipool", "krustlet"], "source": "cluster",
           "generated": datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.timezone.utc)}


def rendered():
    return report.render(scan.assess(unit_snapshot(), ["wasipool", "krustlet"]), CONTEXT)


def section(text, title):
    match = re.search(rf"^## {title}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, f"no section {title}"
    return match.group(1)


def test_header_names_cluster_pools_and_date():
    text = rendered()
    assert text.startswith("# WASI node pool migration assessment: c1\n")
    assert "| Cluster | c1 (resource group rg1) |" in text
    assert "| WASI pools | wasipool, krustlet |" in text
    assert "| Date | 2026-05-01 12:00 UTC |" in text


def test_summary_counts_payloads_and_targets():
    summary = section(rendered(), "Summary")
    assert "- **11** workload(s) tied to a WASI pool; **4** pod(s) run there now." in summary
    assert "- **4** workload(s) blocked (4 blocker(s)); 12 warning(s)." in summary
    payload_rows = re.findall(r"^\| ([A-Za-z ()]+) \| (\d+) \|$", summary, re.M)
    assert payload_rows[:5] == [("Spin", "2"), ("Container", "6"), ("Krustlet WAGI", "1"),
                                ("Slight (SpiderLightning)", "1"), ("Wasm Workers Server", "1")]
    assert "| None: rewrite first | 2 |" in summary


def test_one_table_row_per_workload_in_scan_order():
    rows = [line for line in section(rendered(), "Workloads").splitlines() if line.startswith("| apps |")]
    assert len(rows) == 11
    assert rows[0] == ("| apps | CronJob | [nightly-spin](#apps-cronjob-nightly-spin) | wasipool | Spin | 1 | "
                       "Standard pool + SpinKube | 0 | 1 | - |")
    assert ("| apps | Deployment | [slight-kv](#apps-deployment-slight-kv) | wasipool | Slight (SpiderLightning) | 1 | "
            "None: rewrite first | 1 | 2 | - |") in rows


def test_details_carry_blockers_evidence_pdbs_and_steps():
    details = section(rendered(), "Details")
    spin = details[details.index("### Deployment apps/spin-hello"):details.index("### Deployment apps/wagi-legacy")]
    assert '<a id="apps-deployment-spin-hello"></a>' in details
    assert "- PodDisruptionBudgets: `spin-hello-pdb` (disruptions allowed now: 0)" in spin
    assert "- PodDisruptionBudget spin-hello-pdb allows no disruption (minAvailable 2 with 2 replica(s))" in spin
    assert ("| `spec.template.spec.runtimeClassName` | `wasmtime-spin-v2` | its RuntimeClass wasmtime-spin-v2 has "
            "scheduling.nodeSelector kubernetes.azure.com/wasmtime-spin-v2=true") in spin
    assert "1. Install SpinKube on a standard pool" in spin
    assert "**Alternative (ACI)**: Stateless single-container Spin app" in spin
    assert "- Pods on the pool now: `spin-hello-6d4-abcde`" in spin


def test_table_cells_escape_pipes_and_html():
    finding = scan.assess(unit_snapshot(), ["wasipool"])[0]
    finding = dict(finding, name="a|b<c>", evidence=[{"field": "x", "value": "k=v|w", "reason": "because | so"}])
    text = report.render([finding], {})
    assert "[a\\|b&lt;c&gt;](#apps-cronjob-a-b-c-)" in text
    assert "| `x` | `k=v\\|w` | because \\| so |" in text


def test_manifest_report_shows_source_files_and_unknown_pools():
    finding = dict(scan.assess(unit_snapshot(), ["wasipool"])[0], pools=[], source="deploy/app.yaml:12")
    text = report.render([finding], {"source": ["deploy/", "charts/out.yaml"], "generated": "2026-05-01"})
    assert text.startswith("# WASI node pool migration assessment\n")
    assert "| Scanned from | manifests: deploy/, charts/out.yaml |" in text and "| Date | 2026-05-01 |" in text
    assert "- Defined in `deploy/app.yaml:12`" in text
    assert "- WASI pools: unknown; replicas: 1" in text


def test_nothing_found_says_the_pool_can_go():
    text = report.render([], CONTEXT)
    assert "No workload is tied to a WASI pool" in text
    assert "## Workloads" not in text and "## Details" not in text


def test_a_managed_workload_names_its_manager_and_the_evidence():
    finding = scan.assess(unit_snapshot(), ["wasipool", "krustlet"])[0]
    finding["managedBy"] = {"tool": "flux", "owner": {"kind": "Kustomization", "namespace": "flux-system",
                                                      "name": "apps"},
                            "evidence": ["label kustomize.toolkit.fluxcd.io/name=apps"], "confidence": "strong",
                            "reverts": True, "state": "not suspended: reconciles every 10m"}
    text = report.render([finding], CONTEXT)
    assert ("- Managed by: Flux Kustomization flux-system/apps: not suspended: reconciles every 10m (strong "
            "evidence)\n  - label kustomize.toolkit.fluxcd.io/name=apps\n") in text
    (row,) = [line for line in text.splitlines() if line.startswith("| apps |")]
    assert row.endswith("| flux Kustomization/apps: reverts |")
