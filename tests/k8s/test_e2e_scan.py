"""`az aks wasi-migrate scan` end to end: the real az with the wheel -> the emulated ARM (which hands out a
kubeconfig for the loopback API server through listClusterUserCredential) -> the real kube-apiserver.

The workloads are the scan unit test's own scenario (created by test_snapshot_live's fixture), so the
classification through az must equal the unit test's EXPECTED.
"""

import base64
import copy
import re

import pytest
import yaml

from tests.conftest import arm_calls, serving_estate
from tests.k8s.harness import aks_owner, embedded_kubeconfig
from tests.k8s.scan_cluster import api_fixture, cluster_fixture  # noqa: F401  (module fixtures)
from tests.unit.evaluate import helpers as unit

pytestmark = [pytest.mark.e2e, pytest.mark.k8s]

SUB, RG, CLUSTER = "77777777-7777-7777-7777-777777777777", "rg-scan", "aks-scan"


def scan(az, *args, expect=0):
    return az("aks", "wasi-migrate", "scan", "--subscription", SUB, "-g", RG, "-n", CLUSTER, *args, expect=expect)


@pytest.fixture(name="node_owner", scope="module")
def node_owner_fixture():
    """The scenario's nodes are this estate cluster's: what proves that a --kubeconfig is aks-scan's."""
    return aks_owner(SUB, RG, CLUSTER)


@pytest.fixture(name="scenario", scope="module")
def scenario_fixture(arm, az, cluster, k8s_env):
    ns, pools = cluster
    estate = {"tenantId": "72f988bf-0000-0000-0000-000000000001", "subscriptions": [{
        "subscriptionId": SUB, "displayName": "Scan",
        "clusters": [{"name": CLUSTER, "resourceGroup": RG, "location": "westeurope", "kubernetesVersion": "1.30.4",
                      "disableLocalAccounts": True,
                      "agentPools": [{"name": "sys", "mode": "System", "vmSize": "Standard_D2s_v5", "count": 1},
                                     {"name": pools["wasipool"], "mode": "User", "vmSize": "Standard_D2s_v5",
                                      "count": 2, "workloadRuntime": "WasmWasi"},
                                     {"name": pools["krustlet"], "mode": "User", "vmSize": "Standard_D2s_v5",
                                      "count": 1, "workloadRuntime": "WasmWasi"},
                                     {"name": pools["stdpool"], "mode": "User", "vmSize": "Standard_D2s_v5",
                                      "count": 1}]}]}]}
    with serving_estate(arm, az, estate):
        arm.set_kubeconfig(SUB, RG, CLUSTER, embedded_kubeconfig(k8s_env.kubeconfig))
        yield ns, pools


def in_namespace(findings, ns):
    return [f for f in findings if f["namespace"] == ns]


def test_scan_through_az_classifies_as_the_unit_test(az, arm, scenario):
    ns, pools = scenario
    arm.clear_requests()
    findings = in_namespace(scan(az).json, ns)
    rename = {pools["wasipool"]: "wasipool", pools["krustlet"]: "krustlet"}
    assert unit.classification(findings, rename) == unit.EXPECTED
    (credential_call,) = arm_calls(arm.requests(), "POST", "listClusterUserCredential")
    assert credential_call["query"].get("format") == "exec"


def test_scan_table_report_and_pool_filter(az, scenario, tmp_path):
    ns, pools = scenario
    table = scan(az, "-o", "table").out
    assert table.splitlines()[0].split() == ["Namespace", "Kind", "Name", "Pools", "Payload", "Replicas", "Target",
                                             "Blockers", "Warnings", "ManagedBy"]
    assert re.search(rf"{ns}\s+Deployment\s+spin-hello\s+{pools['wasipool']}\s+spin\s+2\s+standard-pool-spinkube",
                     table)
    report = tmp_path / "report.md"
    only = in_namespace(scan(az, "--nodepool-name", pools["krustlet"], "--report", str(report)).json, ns)
    assert only and all(f["pools"] == [pools["krustlet"]] for f in only)
    text = report.read_text()
    assert text.startswith("#") and CLUSTER in text and only[0]["name"] in text


def test_credentials_are_never_printed_or_logged(az, scenario, k8s_env):
    result = scan(az, "--debug", "-o", "none")
    token = yaml.safe_load(k8s_env.kubeconfig.read_text())["users"][0]["user"]["token"]
    for secret in (token, base64.b64encode(token.encode()).decode()):
        assert secret not in result.out and secret not in result.err


def test_kubeconfig_file_and_context(az, scenario, k8s_env, tmp_path):
    ns, _ = scenario
    config = yaml.safe_load(embedded_kubeconfig(k8s_env.kubeconfig))
    config["contexts"].append(copy.deepcopy(config["contexts"][0]) | {"name": "second"})
    config["current-context"] = "does-not-matter"
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(config))
    findings = in_namespace(scan(az, "--kubeconfig", str(path), "--context", "second").json, ns)
    assert {(f["kind"], f["name"]) for f in findings} == set(unit.EXPECTED)


def test_not_a_wasi_pool_is_refused(az, scenario):
    _, pools = scenario
    assert "not a WASI node pool" in scan(az, "--nodepool-name", pools["stdpool"], expect=1).err


@pytest.mark.parametrize("server, token, words", [
    ("https://127.0.0.1:1", None, "Cannot reach the Kubernetes API server at https://127.0.0.1:1"),
    (None, "expired-or-wrong-token", "rejected the credentials (HTTP 401)"),
])
def test_unreachable_server_or_bad_credentials_are_clear_errors(az, arm, scenario, k8s_env, server, token, words):
    arm.set_kubeconfig(SUB, RG, CLUSTER, embedded_kubeconfig(k8s_env.kubeconfig, server=server, token=token))
    try:
        result = scan(az, expect=1)
    finally:
        arm.set_kubeconfig(SUB, RG, CLUSTER, embedded_kubeconfig(k8s_env.kubeconfig))
    assert words in result.err and "Traceback" not in result.err
    assert "expired-or-wrong-token" not in result.err


def test_admin_credentials_of_a_cluster_without_local_accounts(az, scenario):
    result = scan(az, "--admin", expect=1)
    assert "disables local accounts" in result.err


def test_malformed_kubeconfig_names_file_and_line(az, scenario, tmp_path):
    path = tmp_path / "broken-kubeconfig"
    path.write_text("apiVersion: v1\nclusters:\n  - name: x\n\tcluster: {}\n")   # a tab cannot indent YAML
    result = scan(az, "--kubeconfig", str(path), expect=1)
    assert str(path) in result.err and "line 4" in result.err
