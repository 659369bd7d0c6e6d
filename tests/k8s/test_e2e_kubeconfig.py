"""``--kubeconfig`` end to end: the file must be the ARM cluster's, its exec plugin runs bounded and without
stdin, ``--admin`` cannot go with it, and a stopped cluster is named as such. The real az with the wheel ->
emulated ARM -> the real kube-apiserver.

The loopback API server (127.0.0.1) is never a cluster's fqdn, so what ties a kubeconfig to ``-g/-n`` here is the
other proof the command accepts: the pool's nodes, whose ``spec.providerID`` names the cluster's subscription
and node resource group. Nodes of "another cluster" are nodes whose providerIDs name another one. Writes to the
API server are read from az's ``--debug`` trace (urllib3 logs every request line) and from the nodes themselves;
writes to ARM from the emulator's request log.
"""

import json
import os
import re
import signal
import subprocess
import textwrap

import pytest
import yaml

from tests.conftest import arm_calls, serving_estate
from tests.k8s.harness import aks_owner, embedded_kubeconfig, pool_name
from tests.k8s.helpers import _create, _unschedulable

pytestmark = [pytest.mark.e2e, pytest.mark.k8s]

SUB, RG, CLUSTER = "cccccccc-cccc-cccc-cccc-cccccccccccc", "rg-kubeconfig", "aks-kubeconfig"
OTHER_SUB = "dddddddd-dddd-dddd-dddd-dddddddddddd"
STOPPED = "aks-stopped"
K8S_WRITE = re.compile(r'"(POST|PUT|PATCH|DELETE) /(api|apis)/')
# az's own runs take seconds; this only stops a hung az from hanging the suite (the hang is the failure)
HANG_GUARD = 240


def estate(wasi="wasi"):
    def cluster(name, **extra):
        return {"name": name, "resourceGroup": RG, "location": "westeurope", "kubernetesVersion": "1.30.4",
                "agentPools": [{"name": "sys", "mode": "System", "vmSize": "Standard_D2s_v5", "count": 1},
                               {"name": wasi, "mode": "User", "vmSize": "Standard_D2s_v5", "count": 1,
                                "workloadRuntime": "WasmWasi"}], **extra}
    return {"tenantId": "72f988bf-0000-0000-0000-000000000001", "subscriptions": [{
        "subscriptionId": SUB, "displayName": "Kubeconfig",
        "clusters": [cluster(CLUSTER), cluster(STOPPED, powerState="Stopped")]}]}


@pytest.fixture(scope="module")
def kubeconfig_subscription(arm, az):
    with serving_estate(arm, az, estate()):
        yield


@pytest.fixture(name="pool")
def pool_fixture(arm, kubeconfig_subscription, namespace, k8s_env):
    """This test's WASI pool, in ARM (nodes are added by the test: whose they are is the point)."""
    wasi = pool_name(namespace, "w")
    arm.set_estate(estate(wasi))
    arm.set_kubeconfig(SUB, RG, CLUSTER, embedded_kubeconfig(k8s_env.kubeconfig))
    arm.clear_requests()
    return wasi


@pytest.fixture(name="kubeconfig")
def kubeconfig_fixture(k8s_env, tmp_path):
    path = tmp_path / "kubeconfig"
    path.write_text(embedded_kubeconfig(k8s_env.kubeconfig))
    return str(path)


def wasi_migrate(az, verb, *args, cluster=CLUSTER, expect=0, env=None):
    return az("aks", "wasi-migrate", verb, "--subscription", SUB, "-g", RG, "-n", cluster, *args, expect=expect,
              env=env)


def spin_app_on(api, namespace, pool):
    """A Spin app pinned to ``pool``, with a Secret: what drain would evict and create-aci copy into ACI."""
    _create(api, f"/api/v1/namespaces/{namespace}/secrets", {"metadata": {"name": "app"},
                                                              "stringData": {"token": "not-for-another-cluster"}})
    container = {"name": "web", "image": "myreg.azurecr.io/spin-web:1.0", "command": ["/"],
                 "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "app", "key": "token"}}}]}
    _create(api, f"/apis/apps/v1/namespaces/{namespace}/deployments", {"metadata": {"name": "web"}, "spec": {
        "replicas": 1, "selector": {"matchLabels": {"app": "web"}}, "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"runtimeClassName": "wasmtime-spin-v1", "nodeSelector": {"kubernetes.azure.com/agentpool": pool},
                     "terminationGracePeriodSeconds": 1, "containers": [container]}}}})


def k8s_writes(debug_stderr):
    return [line for line in debug_stderr.splitlines() if K8S_WRITE.search(line)]


@pytest.mark.parametrize("other", [(OTHER_SUB, f"MC_{RG}_{CLUSTER}_westeurope"), (SUB, "MC_rg-b_aks-b_westeurope")],
                         ids=["another subscription", "another node resource group"])
def test_drain_and_create_aci_refuse_a_kubeconfig_of_another_cluster_before_any_write(az, arm, kubelet, k8s_api,
                                                                                      namespace, pool, kubeconfig,
                                                                                      other):
    kubelet.add_pool(pool, 2, owner=other)
    spin_app_on(k8s_api, namespace, pool)
    drain = wasi_migrate(az, "drain", "--nodepool-name", pool, "--yes", "--kubeconfig", kubeconfig, "--debug",
                         expect=1)
    aci = wasi_migrate(az, "create-aci", "--workload", f"{namespace}/deployment/web", "--kubeconfig", kubeconfig,
                       "--debug", expect=1)
    for result in (drain, aci):
        assert f"--kubeconfig {kubeconfig} (server https://127.0.0.1:" in result.err   # (--debug adds a traceback)
        assert f"is not cluster '{CLUSTER}'" in result.err and "Nothing was changed" in result.err
        assert k8s_writes(result.err) == []
    assert not any(_unschedulable(k8s_api, pool).values())
    assert arm_calls(arm.requests(), "PUT") == []


def test_a_kubeconfig_proven_by_the_pools_nodes_is_used(az, kubelet, k8s_api, pool, kubeconfig):
    kubelet.add_pool(pool, 2, owner=aks_owner(SUB, RG, CLUSTER))
    cordoned = wasi_migrate(az, "cordon", "--nodepool-name", pool, "--kubeconfig", kubeconfig, "--yes").json
    assert sorted(cordoned["changed"]) == sorted(_unschedulable(k8s_api, pool))
    assert all(_unschedulable(k8s_api, pool).values())
    wasi_migrate(az, "uncordon", "--nodepool-name", pool, "--kubeconfig", kubeconfig, "--yes")


def test_nodes_without_a_provider_id_prove_nothing(az, kubelet, k8s_api, pool, kubeconfig):
    kubelet.add_pool(pool, 1)
    result = wasi_migrate(az, "cordon", "--nodepool-name", pool, "--kubeconfig", kubeconfig, "--yes", expect=1)
    assert "cannot be shown to be cluster" in result.err and "--kubeconfig" in result.err
    assert not any(_unschedulable(k8s_api, pool).values())


@pytest.mark.parametrize("verb, args", [
    ("scan", []), ("cordon", ["--nodepool-name", "wasi"]), ("uncordon", ["--nodepool-name", "wasi"]),
    ("drain", ["--nodepool-name", "wasi", "--yes"]), ("create-aci", ["--workload", "default/deployment/web"]),
    ("retarget", ["--nodepool-name", "wasi", "--new-nodepool-name", "std", "--phase", "parallel"])])
def test_admin_with_kubeconfig_is_a_usage_error_before_any_call(az, arm, kubeconfig_subscription, kubeconfig,
                                                                verb, args):
    arm.clear_requests()
    result = wasi_migrate(az, verb, *args, "--admin", "--kubeconfig", kubeconfig, expect=None)
    assert result.rc != 0 and "--admin" in result.err and "--kubeconfig" in result.err
    assert "Traceback" not in result.err
    assert arm_calls(arm.requests()) == []


@pytest.mark.parametrize("verb, args", [("scan", []), ("drain", ["--nodepool-name", "wasi", "--yes"])])
def test_a_stopped_cluster_is_named_with_the_way_to_start_it(az, arm, pool, verb, args):
    args = [pool if arg == "wasi" else arg for arg in args]
    result = wasi_migrate(az, verb, *args, cluster=STOPPED, expect=1)
    assert "is stopped" in result.err and f"az aks start -g {RG} -n {STOPPED}" in result.err
    assert "cannot reach" not in result.err.lower()
    assert arm_calls(arm.requests(), "POST") == [], "no credentials were fetched"


# --- exec plugins ----------------------------------------------------------------------------------------------

def exec_kubeconfig(k8s_env, tmp_path, script):
    """A kubeconfig whose user signs in through the executable ``script`` (an ExecCredential plugin), in which
    ``CREDENTIAL`` stands for the ExecCredential JSON with the control plane's token."""
    config = yaml.safe_load(embedded_kubeconfig(k8s_env.kubeconfig))
    token = config["users"][0]["user"].pop("token")
    credential = json.dumps({"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
                             "status": {"token": token}})
    plugin = tmp_path / "credential-plugin"
    plugin.write_text("#!/bin/sh\n" + textwrap.dedent(script).replace("CREDENTIAL", credential))
    plugin.chmod(0o700)
    config["users"][0]["user"]["exec"] = {"apiVersion": "client.authentication.k8s.io/v1beta1",
                                          "command": str(plugin)}
    path = tmp_path / "kubeconfig-exec"
    path.write_text(yaml.safe_dump(config))
    return str(path)


def run_az_with_open_stdin(az, args, env=None):
    """az with a standard input that never ends (a terminal nobody types into): what a plugin that reads stdin
    would wait on forever if it inherited it."""
    read_end, write_end = os.pipe()
    try:
        proc = subprocess.Popen([az.path, *args], env={**az.env, **(env or {})}, cwd=az.cwd, stdin=read_end,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        os.close(read_end)
        try:
            out, err = proc.communicate(timeout=HANG_GUARD)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            pytest.fail(f"az {' '.join(args)} hung (its exec plugin waited on stdin or never returned)")
        return proc.returncode, out, err
    finally:
        os.close(write_end)


def test_an_exec_plugin_gets_no_stdin(az, kubelet, k8s_env, pool, tmp_path):
    kubelet.add_pool(pool, 1, owner=aks_owner(SUB, RG, CLUSTER))
    kubeconfig = exec_kubeconfig(k8s_env, tmp_path, """\
        cat >/dev/null   # reads its standard input to the end, as an interactive prompt would wait on it
        printf '%s\\n' 'CREDENTIAL'
        """)
    rc, out, err = run_az_with_open_stdin(az, ["aks", "wasi-migrate", "cordon", "--subscription", SUB, "-g", RG,
                                               "-n", CLUSTER, "--nodepool-name", pool, "--dry-run",
                                               "--kubeconfig", kubeconfig])
    assert rc == 0, err
    assert json.loads(out)["dryRun"] is True


def test_an_exec_plugin_that_never_returns_is_stopped_with_a_clear_error(az, kubelet, k8s_env, pool, tmp_path):
    kubelet.add_pool(pool, 1, owner=aks_owner(SUB, RG, CLUSTER))
    pid_file = tmp_path / "plugin.pid"
    kubeconfig = exec_kubeconfig(k8s_env, tmp_path, f"""\
        echo $$ >{pid_file}
        exec sleep 600   # e.g. an interactive sign-in waiting for a person who is not there
        """)
    try:
        rc, _, err = run_az_with_open_stdin(az, ["aks", "wasi-migrate", "cordon", "--subscription", SUB, "-g", RG,
                                                 "-n", CLUSTER, "--nodepool-name", pool, "--yes", "--kubeconfig",
                                                 kubeconfig], env={"WASIMIG_EXEC_PLUGIN_TIMEOUT": "2"})
        assert rc == 1 and "credential-plugin" in err and "did not finish within 2 seconds" in err
        assert "Traceback" not in err
        with pytest.raises(ProcessLookupError):   # the plugin was stopped, not left behind
            os.kill(int(pid_file.read_text()), 0)
    finally:
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text()), signal.SIGKILL)
            except ProcessLookupError:
                pass
