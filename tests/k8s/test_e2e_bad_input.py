"""The bad-input table (tests/e2e/test_bad_input.py) for the rows that reach the cluster: the real az -> emulated
ARM -> the real kube-apiserver. After each row the emulator's request log holds no write (reading the cluster's
credentials is a POST, but a read) and the API server's audit log holds no write made by the extension.

Most rows are prompts: without a terminal (the test runner's stdin is /dev/null) and without --yes, a command
that would change the cluster must stop with az's "Use --yes" and change nothing; --dry-run never asks.
"""

import os
import signal
import subprocess
import threading
import uuid

import pytest

from azext_wasimig.kube import rest
from tests.conftest import serving_estate
from tests.emulator.arm_core import POLICY_TOKEN
from tests.e2e.helpers import check_row, row
from tests.k8s.harness import (cluster_estate, create_when_ready, embedded_kubeconfig, exists, pool_name,
                               remove_namespace, wait_for)
from tests.k8s.helpers import TEST_LABEL, _pods, _ready, _unschedulable

pytestmark = [pytest.mark.e2e, pytest.mark.k8s]

SUB, RG, CLUSTER = "77777777-7777-7777-7777-777777777777", "rg-bad", "aks-bad"
NS = f"bad-input-{uuid.uuid4().hex[:5]}"
WASI, STD, SYSTEM = pool_name(NS, "w"), pool_name(NS, "s"), pool_name(NS, "y")
POOL_LABEL = "kubernetes.azure.com/agentpool"
CLUSTER_ARGS = ("--subscription", SUB, "-g", RG, "-n", CLUSTER)
RETARGET = ("retarget", *CLUSTER_ARGS, "--nodepool-name", WASI, "--new-nodepool-name", STD)


def estate():
    return cluster_estate(SUB, RG, CLUSTER, {SYSTEM: ("System", 1, None), WASI: ("User", 2, "WasmWasi"),
                                             STD: ("User", 1, None)})


def krow(id_, args, rc, says):
    """A row that reads ARM (and the cluster) before it stops."""
    return row(id_, args, rc, says, reads=True)


def on(verb, pool, *args):
    return (verb, *CLUSTER_ARGS, "--nodepool-name", pool, *args)


ROWS = [
    # Prompts without a terminal: a clear "Use --yes", exit 1, nothing changed.
    krow("retarget-parallel-asks", [*RETARGET, "--phase", "parallel"], 1, "Use --yes"),
    krow("retarget-cutover-asks", [*RETARGET, "--phase", "cutover"], 1, "Use --yes"),
    krow("cordon-asks", on("cordon", WASI), 1, "Use --yes"),
    krow("uncordon-asks", on("uncordon", WASI), 1, "Use --yes"),
    krow("drain-asks", on("drain", WASI), 1, "Use --yes"),
    # --dry-run never asks, and changes nothing.
    krow("retarget-parallel-dry-run", [*RETARGET, "--phase", "parallel", "--dry-run"], 0, POOL_LABEL),
    # An --export-dir that cannot be written is found before any patch, not after.
    krow("retarget-export-dir-unwritable", [*RETARGET, "--phase", "parallel", "--yes", "--export-dir",
                                            "/dev/null/manifests"], 1, "/dev/null: is not a folder"),
    krow("cordon-dry-run", on("cordon", WASI, "--dry-run"), 0, '"dryRun": true'),
    krow("drain-dry-run", on("drain", WASI, "--dry-run"), 0, '"dryRun": true'),
    krow("create-aci-dry-run-no-wait", ["create-aci", *CLUSTER_ARGS, "--workload", f"{NS}/deployment/web",
                                        "--dry-run", "--no-wait"], 0, '"action": "wouldCreate"'),
    # No command acts on a System pool, --force included.
    krow("cordon-system-pool", on("cordon", SYSTEM, "--force", "--yes"), 1, "is a System node pool"),
    krow("uncordon-system-pool", on("uncordon", SYSTEM, "--force", "--yes"), 1, "is a System node pool"),
    krow("drain-system-pool", on("drain", SYSTEM, "--force", "--yes"), 1, "is a System node pool"),
    krow("cordon-standard-pool", on("cordon", STD, "--yes"), 1, "not a WASI node pool"),
    # compare: a workload that runs on one side only has nothing to compare (issue 11).
    krow("compare-workload-on-one-side", on("compare", WASI, "--new-nodepool-name", STD, "--workload",
                                           f"{NS}/deployment/web"), 1,
         f"Nothing to compare for {NS}/Deployment/web (no running pod on pool '{STD}')"),
    krow("compare-nothing-on-both-sides", on("compare", WASI, "--new-nodepool-name", STD), 1,
         "No workload runs on both the old pool and"),
]


@pytest.fixture(scope="module")
def cluster(arm, az, k8s_api, kubelet, k8s_env):
    """The three pools in ARM and in the cluster, and one Deployment pinned to the WASI pool."""
    rest.call(k8s_api, "POST", "/api/v1/namespaces", body={"metadata": {"name": NS}})
    wait_for(lambda: exists(k8s_api, f"/api/v1/namespaces/{NS}/serviceaccounts/default"), 10, "the ServiceAccount")
    for pool, count in ((WASI, 2), (STD, 1), (SYSTEM, 1)):
        kubelet.add_pool(pool, count, labels={TEST_LABEL: NS})
    spec = {"nodeSelector": {POOL_LABEL: WASI, TEST_LABEL: NS}, "terminationGracePeriodSeconds": 1,
            "containers": [{"name": "app", "image": "example.azurecr.io/app:1"}]}
    create_when_ready(k8s_api, f"/apis/apps/v1/namespaces/{NS}/deployments", {
        "metadata": {"name": "web"}, "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                                             "template": {"metadata": {"labels": {"app": "web"}}, "spec": spec}}})
    with serving_estate(arm, az, estate()):
        arm.set_kubeconfig(SUB, RG, CLUSTER, embedded_kubeconfig(k8s_env.kubeconfig))
        yield k8s_env
    remove_namespace(k8s_api, NS)


def check_cluster_row(az, arm, audit, case):
    mark = audit.mark()
    result = check_row(az, arm, case)
    assert audit.writes_since(mark) == [], f"{case.id} wrote to the cluster"
    return result


@pytest.mark.parametrize("case", ROWS)
def test_bad_input_that_reaches_the_cluster_changes_nothing(az, arm, cluster, k8s_api, case):
    check_cluster_row(az, arm, cluster.audit, case)
    assert not any(any(_unschedulable(k8s_api, pool).values()) for pool in (WASI, STD, SYSTEM))


DAEMONSET_ROW = krow("create-aci-daemonset", ["create-aci", *CLUSTER_ARGS, "--workload", f"{NS}/daemonset/agent"], 1,
                     "a DaemonSet runs one pod on every node").values[0]


def test_create_aci_refuses_a_daemonset_and_changes_nothing(az, arm, cluster, k8s_api):
    """A DaemonSet's one pod per node has no meaning in ACI: refused with the reason, nothing made. The DaemonSet
    exists only for this row (the other rows' commands would see it on the WASI pool)."""
    path = f"/apis/apps/v1/namespaces/{NS}/daemonsets"
    spec = {"nodeSelector": {POOL_LABEL: WASI, "wasimig.test/nowhere": "true"},   # tied to the pool, runs nowhere
            "containers": [{"name": "agent", "image": "example.azurecr.io/agent:1"}]}
    create_when_ready(k8s_api, path, {"metadata": {"name": "agent"}, "spec": {
        "selector": {"matchLabels": {"app": "agent"}},
        "template": {"metadata": {"labels": {"app": "agent"}}, "spec": spec}}})
    try:
        check_cluster_row(az, arm, cluster.audit, DAEMONSET_ROW)
    finally:
        rest.call(k8s_api, "DELETE", f"{path}/agent")


def test_the_audit_log_sees_what_the_extension_writes(az, arm, cluster, k8s_api):
    """The no-write checks above can fail: a real cordon through az is in the audit log."""
    mark = cluster.audit.mark()
    az("aks", "wasi-migrate", *on("cordon", WASI, "--yes"))
    try:
        writes = cluster.audit.writes_since(mark)
        assert sorted(writes) == sorted(f"patch /api/v1/nodes/{node}" for node in _unschedulable(k8s_api, WASI))
    finally:
        az("aks", "wasi-migrate", *on("uncordon", WASI, "--yes"))
    assert not any(_unschedulable(k8s_api, WASI).values())



def test_ctrl_c_during_a_drain_says_what_was_done_and_how_to_go_on(az, cluster, k8s_api):
    """SIGINT to the real az's process group (what a terminal's Ctrl-C does) while a PodDisruptionBudget holds
    the drain: one pod is evicted, two are blocked; the message says so, and that the nodes stay cordoned."""
    free = _free_deployment_on_the_wasi_pool(k8s_api)
    create_when_ready(k8s_api, f"/apis/policy/v1beta1/namespaces/{NS}/poddisruptionbudgets", {
        "metadata": {"name": "web-pdb"}, "spec": {"selector": {"matchLabels": {"app": "web"}}, "maxUnavailable": 0}})
    try:
        proc, lines = _start_az(az, *on("drain", WASI, "--yes", "--force", "--grace-period", "1", "--drain-timeout",
                                        "10"))
        wait_for(lambda: any("blocked by PodDisruptionBudget" in line for line in lines), 120, "a blocked eviction")
        wait_for(lambda: _evicted(k8s_api, free), 60, f"the eviction of {free}")
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=120) == 1
        err = "".join(lines)
        nodes = sorted(_unschedulable(k8s_api, WASI))
        assert all(_unschedulable(k8s_api, WASI).values()), "the message says the nodes stay cordoned"
        assert f"Drain of pool '{WASI}' interrupted. Its nodes stay cordoned" in err and ", ".join(nodes) in err
        assert f"Evicted so far (their controllers recreate them elsewhere): 1 pod(s): {NS}/{free}" in err
        assert "Not evicted yet: 2 pod(s)" in err and "Run the same drain command again to carry on" in err
        assert f"uncordon -g {RG} -n {CLUSTER} --nodepool-name {WASI} --yes" in err and "Traceback" not in err
    finally:
        rest.call(k8s_api, "DELETE", f"/apis/policy/v1beta1/namespaces/{NS}/poddisruptionbudgets/web-pdb")
        rest.call(k8s_api, "DELETE", f"/apis/apps/v1/namespaces/{NS}/deployments/free")
        az("aks", "wasi-migrate", *on("uncordon", WASI, "--yes"))


def _free_deployment_on_the_wasi_pool(api):
    """One replica that prefers the WASI pool but may run elsewhere (its eviction is not blocked); its pod's name."""
    prefer = {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "preference": {
        "matchExpressions": [{"key": POOL_LABEL, "operator": "In", "values": [WASI]}]}}]}
    spec = {"nodeSelector": {TEST_LABEL: NS}, "affinity": {"nodeAffinity": prefer}, "terminationGracePeriodSeconds": 1,
            "containers": [{"name": "app", "image": "example.azurecr.io/app:1"}]}
    create_when_ready(api, f"/apis/apps/v1/namespaces/{NS}/deployments", {
        "metadata": {"name": "free"}, "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "free"}},
                                              "template": {"metadata": {"labels": {"app": "free"}}, "spec": spec}}})
    pods = lambda app: [p for p in _pods(api, NS, app) if _ready(p) and p["spec"]["nodeName"].startswith(WASI)]
    wait_for(lambda: len(pods("free")) == 1 and len(pods("web")) == 2, 60, "the pods Ready on the WASI pool")
    return pods("free")[0]["metadata"]["name"]


def _evicted(api, name):
    found = rest.call(api, "GET", f"/api/v1/namespaces/{NS}/pods")["items"]
    return all(p["metadata"].get("deletionTimestamp") for p in found if p["metadata"]["name"] == name)


def _start_az(az, *args):
    """The real az in its own process group (as a shell runs a foreground job); its stderr lines, as they come."""
    proc = subprocess.Popen([az.path, "aks", "wasi-migrate", *args], env=az.env, cwd=az.cwd, text=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    lines = []

    def read():
        for line in proc.stderr:
            lines.append(line)
    threading.Thread(target=read, daemon=True).start()
    return proc, lines


def test_policy_tokens_go_through_when_nothing_is_logged(az, arm, cluster):
    """The policy-token guard looks at where log records go, not at the logger's level (knack keeps every CLI
    logger at DEBUG, so it used to refuse always): without --verbose/--debug/log file, each container-group PUT
    carries the token az's own machinery acquired."""
    arm.clear_requests()
    result = az("aks", "wasi-migrate", "create-aci", *CLUSTER_ARGS, "--workload", f"{NS}/deployment/web",
                "--acquire-policy-token")
    assert "drop --verbose/--debug" not in result.err
    puts = [e for e in arm.requests() if e["method"] == "PUT" and "/containergroups/" in e["path"].lower()]
    assert puts and all(e["headers"].get("x-ms-policy-external-evaluations") == POLICY_TOKEN for e in puts)
