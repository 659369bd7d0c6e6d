"""snapshot.take against the real kube-apiserver (v1.20.2): one LIST per kind, the right API
versions found by discovery, and scan.assess classifying exactly as in tests/unit/evaluate/helpers.py.

The objects are the unit test's own (``cluster_objects``), created under names unique to this run:
cluster-scoped ones (nodes, RuntimeClasses, pool names) get a suffix, the rest live in a fresh
namespace. The session's fake kubelet (conftest.py, harness.py) makes the nodes Ready and marks
pods on them Running, so PDB status is computed for real; with no kube-scheduler the test binds (scan_cluster.py).
"""

import pytest

from azext_wasimig.evaluate import scan
from azext_wasimig.kube import snapshot
from tests.k8s.scan_cluster import api_fixture, cluster_fixture  # noqa: F401  (module fixtures)
from tests.unit.evaluate import helpers as unit

pytestmark = pytest.mark.k8s

KINDS = ("nodes", "pods", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs",
         "poddisruptionbudgets", "runtimeclasses")


def test_one_list_call_per_kind_at_the_versions_the_server_serves(api, cluster):
    ns, _ = cluster
    taken = snapshot.take(api, namespace=ns)
    assert taken.requests.lists == {kind: 1 for kind in KINDS}
    assert taken.requests.discovery == 3   # /apis, then batch/v1 (no CronJobs on 1.20) and node.k8s.io/v1
    versions = {o["kind"]: o["apiVersion"] for o in taken.workloads + taken.pdbs + taken.runtime_classes}
    assert versions["CronJob"] == "batch/v1beta1" and versions["Job"] == "batch/v1"
    assert versions["PodDisruptionBudget"] == "policy/v1beta1"
    assert versions["RuntimeClass"] == "node.k8s.io/v1"
    kept = [e for o in taken.workloads + taken.pods + taken.nodes for e in o["metadata"].get("managedFields") or []]
    assert kept and all(set(e) == {"manager"} for e in kept), "managedFields slimmed to the managers' names"


def test_scan_of_the_live_cluster_classifies_as_the_unit_test(api, cluster):
    ns, pools = cluster
    findings = scan.assess(snapshot.take(api, namespace=ns), [pools["wasipool"], pools["krustlet"]])
    assert {f["namespace"] for f in findings} == {ns}
    rename = {pools["wasipool"]: "wasipool", pools["krustlet"]: "krustlet"}
    assert unit.classification(findings, rename) == unit.EXPECTED
    by_name = {f["name"]: f for f in findings}
    spin = by_name["spin-hello"]
    assert len(spin["podsOnPool"]) == 2 and all(p.startswith("spin-hello-") for p in spin["podsOnPool"])
    assert spin["pdbs"] == [{"name": "spin-hello-pdb", "minAvailable": 2, "maxUnavailable": None,
                             "disruptionsAllowed": 0}]
    assert any("spin-hello-pdb allows no disruption" in b for b in spin["blockers"])
    assert [(p["name"], p["disruptionsAllowed"]) for p in by_name["web"]["pdbs"]] == [("web-pdb", 1)]
    assert len(by_name["nightly-spin"]["podsOnPool"]) == 1   # Pod -> Job -> CronJob
    assert by_name["debug-shell"]["podsOnPool"] == ["debug-shell"]
    assert [e["value"] for e in by_name["metrics"]["evidence"]] == [f"aks-{pools['wasipool']}-1"]
    assert by_name["log-agent"]["replicas"] == 2


def test_small_pages_follow_continue_tokens_to_the_same_result(api, cluster):
    ns, pools = cluster
    whole = snapshot.take(api, namespace=ns)
    paged = snapshot.take(api, namespace=ns, page_size=2)
    assert paged.requests.lists["pods"] == (len(whole.pods) + 1) // 2 > 1
    assert sorted(p["metadata"]["name"] for p in paged.pods) == sorted(p["metadata"]["name"] for p in whole.pods)
    wasi = [pools["wasipool"], pools["krustlet"]]
    assert scan.assess(paged, wasi) == scan.assess(whole, wasi)
