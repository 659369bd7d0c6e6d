"""scan.assess over the plain-dict cluster of helpers.py: one workload of each kind the migration meets."""

import pytest

from azext_wasimig.evaluate import scan
from tests.unit.evaluate.helpers import (AGENTPOOL, ARCH, EXPECTED, SPIN_LABEL, T, classification, container, node,
                                         pdb, pod, unit_snapshot)


@pytest.fixture(name="findings")
def findings_fixture():
    return scan.assess(unit_snapshot(), ["wasipool", "krustlet"])


def by_name(findings, name):
    (finding,) = [f for f in findings if f["name"] == name]
    return finding


def test_classifies_every_tied_workload_and_nothing_else(findings):
    assert classification(findings) == EXPECTED


def test_order_is_namespace_kind_name(findings):
    assert [(f["kind"], f["name"]) for f in findings] == sorted(EXPECTED)


def test_evidence_names_the_selector_value_and_why():
    finding = by_name(scan.assess(unit_snapshot(), ["wasipool", "krustlet"]), "log-agent")
    assert finding["evidence"] == [{"field": f"{T}.nodeSelector", "value": f"{AGENTPOOL}=wasipool",
                                    "reason": "selects the nodes of WASI pool wasipool"}]
    assert finding["replicas"] == 2   # a DaemonSet: one pod per pool node


def test_runtime_class_scheduling_ties_spin_and_warns_about_the_aks_runtime_class(findings):
    spin = by_name(findings, "spin-hello")
    (rc_evidence,) = [e for e in spin["evidence"] if e["field"].endswith("runtimeClassName")]
    assert rc_evidence["value"] == "wasmtime-spin-v2"
    assert f"{SPIN_LABEL}=true" in rc_evidence["reason"] and "wasipool" in rc_evidence["reason"]
    assert any("RuntimeClass wasmtime-spin-v2 is the one AKS made" in w for w in spin["warnings"])
    assert any('placeholder command ["/"]' in w for w in spin["warnings"])
    assert spin["runtimeClassName"] == "wasmtime-spin-v2"


def test_running_pods_are_traced_through_replicaset_and_job_to_their_owner(findings):
    assert by_name(findings, "spin-hello")["podsOnPool"] == ["spin-hello-6d4-abcde"]
    assert by_name(findings, "nightly-spin")["podsOnPool"] == ["nightly-spin-28000000-q7x"]
    metrics = by_name(findings, "metrics")
    assert metrics["evidence"] == [{"field": "spec.nodeName", "value": "aks-wasipool-1",
                                    "reason": "1 pod(s) run now on node aks-wasipool-1 of WASI pool wasipool"}]
    names = {f["name"] for f in findings}
    assert not names & {"spin-hello-6d4", "nightly-spin-28000000", "old-task", "elsewhere", "spinkube-app"}


def test_pdb_allowing_no_disruption_blocks_and_others_are_listed(findings):
    spin, web = by_name(findings, "spin-hello"), by_name(findings, "web")
    assert spin["pdbs"] == [{"name": "spin-hello-pdb", "minAvailable": 2, "maxUnavailable": None,
                             "disruptionsAllowed": 0}]
    assert [b for b in spin["blockers"] if "spin-hello-pdb" in b] == [
        "PodDisruptionBudget spin-hello-pdb allows no disruption (minAvailable 2 with 2 replica(s)): evictions are "
        "refused, so draining the WASI pool hangs. Relax it (e.g. maxUnavailable: 1) or add replicas first."]
    assert [p["name"] for p in web["pdbs"]] == ["web-pdb"] and web["pdbs"][0]["disruptionsAllowed"] == 1
    assert web["blockers"] == [] and web["warnings"] == []
    assert all("empty-v1beta1" not in [p["name"] for p in f["pdbs"]] for f in findings)   # v1beta1: {} matches none


def test_slight_and_wws_are_blocked_with_no_target(findings):
    slight, wws = by_name(findings, "slight-kv"), by_name(findings, "wws-api")
    assert "Slight (SpiderLightning) app: it has no supported successor" in slight["blockers"][0]
    assert "Wasm Workers Server (wws) app: it has no supported successor" in wws["blockers"][0]
    assert slight["recommendedTarget"] == wws["recommendedTarget"] == "none"
    assert slight["actions"][0].startswith("Rewrite the app")


def test_krustlet_wagi_is_blocked_by_its_annotations_and_warns_about_host_network(findings):
    wagi = by_name(findings, "wagi-legacy")
    assert len(wagi["blockers"]) == 1
    assert ("WAGI annotations alpha.wagi.krustlet.dev/default-host, alpha.wagi.krustlet.dev/modules"
            in wagi["blockers"][0])
    assert any(w.startswith("hostNetwork: true") for w in wagi["warnings"])
    assert any(w.startswith("One replica and no PodDisruptionBudget") for w in wagi["warnings"])
    values = [e["value"] for e in wagi["evidence"]]
    assert values == [f"{ARCH}=wasm32-wagi", f"{ARCH}=wasm32-wagi:NoExecute", f"{ARCH}=wasm32-wagi:NoSchedule",
                      "alpha.wagi.krustlet.dev/default-host", "alpha.wagi.krustlet.dev/modules"]


def test_stateful_set_with_empty_dir_and_bare_pod_warn(findings):
    cache, shell = by_name(findings, "cache"), by_name(findings, "debug-shell")
    assert any(w.startswith("emptyDir volume(s) scratch") for w in cache["warnings"])
    assert shell["warnings"] == [
        "Bare Pod with no controller: draining deletes it and nothing re-creates it. Re-create it on the new pool "
        "yourself, or put it under a Deployment."]
    assert shell["podsOnPool"] == ["debug-shell"] and shell["replicas"] == 1


def test_aci_is_offered_only_for_stateless_single_container_spin_deployments(findings):
    assert [a["target"] for a in by_name(findings, "spin-hello")["alternatives"]] == ["aci"]
    assert by_name(findings, "nightly-spin")["alternatives"] == []
    assert by_name(findings, "web")["alternatives"] == []


def test_only_pool_keeps_the_workloads_of_that_pool():
    assert [f["name"] for f in scan.assess(unit_snapshot(), ["wasipool", "krustlet"], "krustlet")] == ["wagi-legacy"]
    names = {f["name"] for f in scan.assess(unit_snapshot(), ["wasipool", "krustlet"], "wasipool")}
    assert names == {name for _, name in EXPECTED} - {"wagi-legacy"}


def test_pool_names_tie_only_when_known_from_arm():
    snapshot = unit_snapshot()
    snapshot.nodes, snapshot.pods = [], []
    found = classification(scan.assess(snapshot, []))
    # without pool names and nodes: only the WASI-specific signals, and the pool is unknown
    assert set(found) == {("CronJob", "nightly-spin"), ("Deployment", "slight-kv"), ("Deployment", "spin-hello"),
                          ("Deployment", "wagi-legacy")}
    assert all(pools == [] for _, _, pools, _ in found.values())


def test_missing_aks_runtime_class_is_judged_by_its_name():
    snapshot = unit_snapshot()
    snapshot.runtime_classes = []
    found = classification(scan.assess(snapshot, ["wasipool", "krustlet"]))
    assert found[("Deployment", "wws-api")][3] == [f"{T}.nodeSelector", f"{T}.runtimeClassName"]
    assert ("Deployment", "spinkube-app") not in found   # "spin-v2" is not an AKS name


def test_policy_v1_empty_selector_covers_every_pod():
    snapshot = unit_snapshot()
    snapshot.pdbs = [pdb("all", api_version="policy/v1", allowed=3, maxUnavailable=1)]
    assert [p["name"] for p in by_name(scan.assess(snapshot, ["wasipool"]), "cache")["pdbs"]] == ["all"]


def test_pdb_with_zero_disruptions_in_status_only_blocks_with_its_reason():
    snapshot = unit_snapshot()
    snapshot.pdbs = [pdb("web-pdb", "web", allowed=0, maxUnavailable=1)]
    (blocker,) = by_name(scan.assess(snapshot, ["wasipool"]), "web")["blockers"]
    assert "status.disruptionsAllowed is 0 now" in blocker


def test_summary_counts(findings):
    summary = scan.summarize(findings)
    assert summary["workloads"] == 11
    assert summary["byPayload"] == {"container": 6, "slight": 1, "spin": 2, "wagi": 1, "wws": 1}
    assert summary["byTarget"] == {"none": 2, "standard-pool": 6, "standard-pool-spinkube": 3}
    assert summary["workloadsBlocked"] == 4   # slight, wws, wagi, spin-hello's PDB
    assert summary["pools"] == ["krustlet", "wasipool"]
    assert summary["podsOnPool"] == 4


def test_has_findings_ignores_a_pod_that_merely_runs_there(findings):
    assert scan.has_findings(findings)
    quiet = dict(by_name(findings, "metrics"), warnings=[])
    assert not scan.has_findings([quiet])
    assert scan.has_findings([dict(by_name(findings, "web"))])   # its nodeAffinity is a WASI setting left
    assert not scan.has_findings([])


def test_mirror_pods_are_skipped_and_pods_of_unread_owners_are_not_called_bare():
    snapshot = unit_snapshot()
    mirror = pod("kube-proxy-aks", "aks-wasipool-0", ("Node", "aks-wasipool-0"))
    mirror["metadata"]["annotations"] = {"kubernetes.io/config.mirror": "abc"}
    task = pod("build-7", "aks-wasipool-0", ("TaskRun", "build-7"))
    snapshot.pods += [mirror, task]
    findings = scan.assess(snapshot, ["wasipool"])
    assert "kube-proxy-aks" not in {f["name"] for f in findings}
    assert by_name(findings, "build-7")["warnings"] == [
        "Owned by TaskRun build-7, which the scan does not read: check that it re-creates the pod on the new pool "
        "once the WASI pool is drained."]
