"""Which move an object belongs to, and names as Azure spells them, end to end: the real az with the wheel ->
emulated ARM -> the real kube-apiserver v1.20.2, with the harness playing kubelet.

Two WASI pools moved to one new pool (``<ns>-a`` -> ``<ns>-s``, then ``<ns>-b`` -> ``<ns>-s``): the second move
must leave the first one's workloads alone (skipped, with the reason) and so must its rollback. Pool names typed in
another case reach Kubernetes in Azure's spelling. And the README's dry-run example runs exactly as written, with
the default ``--runtime-class``.
"""

import json
import pathlib
import shlex

import pytest
import yaml

from tests.conftest import serving_estate
from tests.emulator.azcli import login
from tests.k8s.harness import embedded_kubeconfig, pool_name
from tests.k8s.helpers import TEST_LABEL, _create, _unschedulable
from tests.k8s.retarget_estate import (CLUSTER, DEPLOYMENTS, NEW_CLASS, OLD_CLASS, ORIGINAL, POOL_LABEL, RG, SUB,
                                       WASI_LABEL, _deployment, _get, retarget, retarget_subscription)
from tests.k8s.retarget_estate import estate as retarget_estate

pytestmark = [pytest.mark.e2e, pytest.mark.k8s]

README = pathlib.Path(__file__).resolve().parents[2] / "README.rst"
__all__ = ["retarget_subscription"]   # the fixture: RuntimeClasses and the subscription


def two_wasi_estate(ns):
    pools = [{"name": "sys", "mode": "System", "vmSize": "Standard_D2s_v5", "count": 1}]
    pools += [{"name": pool_name(ns, p), "mode": "User", "vmSize": "Standard_D2s_v5", "count": 1,
               "workloadRuntime": "WasmWasi"} for p in "ab"]
    pools += [{"name": pool_name(ns, "s"), "mode": "User", "vmSize": "Standard_D2s_v5", "count": 1}]
    return {"tenantId": "72f988bf-0000-0000-0000-000000000001", "subscriptions": [{
        "subscriptionId": SUB, "displayName": "Retarget",
        "clusters": [{"name": CLUSTER, "resourceGroup": RG, "location": "westeurope", "kubernetesVersion": "1.30.4",
                      "agentPools": pools}]}]}


@pytest.fixture(name="moves")
def moves_fixture(arm, retarget_subscription, namespace, kubelet, k8s_env):
    """Pools a, b (WASI, one node each) and s (standard, one node) in ARM and in the cluster."""
    for pool, labels in (("a", {WASI_LABEL: "true"}), ("b", {WASI_LABEL: "true"}), ("s", {})):
        kubelet.add_pool(pool_name(namespace, pool), 1, labels={TEST_LABEL: namespace, **labels})
    arm.set_estate(two_wasi_estate(namespace))
    arm.set_kubeconfig(SUB, RG, CLUSTER, embedded_kubeconfig(k8s_env.kubeconfig))
    return pool_name(namespace, "a"), pool_name(namespace, "b"), pool_name(namespace, "s")


def _pinned(api, ns, name, pool):
    body = _deployment(name, {"nodeSelector": {POOL_LABEL: pool, TEST_LABEL: ns}})
    _create(api, DEPLOYMENTS.format(ns=ns), body)
    return _get(api, ns, name)


def _rows(result, ns):
    return {row["name"]: row for row in result.json if row["namespace"] == ns}


def _required_terms(obj):
    affinity = obj["spec"]["template"]["spec"].get("affinity") or {}
    return affinity["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]


def test_a_second_move_to_the_same_pool_leaves_the_first_ones_workloads_alone(az, k8s_api, namespace, moves):
    a, b, s = moves
    app_a, app_b = _pinned(k8s_api, namespace, "app-a", a), _pinned(k8s_api, namespace, "app-b", b)

    first = _rows(retarget(az, a.upper(), s.upper(), "parallel", "--runtime-class", NEW_CLASS, "--yes"), namespace)
    assert first["app-a"]["action"] == "patched" and "app-b" not in first
    after_first = _get(k8s_api, namespace, "app-a")
    assert _required_terms(after_first) == [{"matchExpressions": [
        {"key": POOL_LABEL, "operator": "In", "values": [a, s]}]}], "Azure's spelling, not the typed one"
    saved = json.loads(after_first["metadata"]["annotations"][ORIGINAL])
    assert (saved["from"], saved["to"]) == (a, s)

    second = _rows(retarget(az, b, s, "parallel", "--runtime-class", NEW_CLASS, "--yes"), namespace)
    assert second["app-b"]["action"] == "patched"
    assert second["app-a"]["action"] == "skipped" and f"{a} -> {s}" in second["app-a"]["reason"]
    assert _get(k8s_api, namespace, "app-a")["spec"] == after_first["spec"], "not re-patched from its original"

    back = _rows(retarget(az, b, s, "rollback", "--yes"), namespace)
    assert back["app-b"]["action"] == "patched" and back["app-a"]["action"] == "skipped"
    assert _get(k8s_api, namespace, "app-b")["spec"]["template"] == app_b["spec"]["template"]
    assert _get(k8s_api, namespace, "app-a")["spec"] == after_first["spec"], "the other move is not rolled back"

    assert _rows(retarget(az, a, s, "rollback", "--yes"), namespace)["app-a"]["action"] == "patched"
    restored = _get(k8s_api, namespace, "app-a")
    assert restored["spec"]["template"] == app_a["spec"]["template"]
    assert ORIGINAL not in (restored["metadata"].get("annotations") or {})


def test_an_annotation_of_the_earlier_format_is_still_read(az, k8s_api, namespace, moves):
    a, _, s = moves
    original = {"nodeSelector": {POOL_LABEL: a, TEST_LABEL: namespace}}
    moved = _deployment("legacy", {"nodeSelector": {TEST_LABEL: namespace}, "affinity": {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": POOL_LABEL, "operator": "In", "values": [a, s]}]}]}}}})
    moved["metadata"]["annotations"] = {ORIGINAL: json.dumps(original, sort_keys=True, separators=(",", ":"))}
    _create(k8s_api, DEPLOYMENTS.format(ns=namespace), moved)
    rows = _rows(retarget(az, a, s, "rollback", "--yes"), namespace)
    assert rows["legacy"]["action"] == "patched"
    assert _get(k8s_api, namespace, "legacy")["spec"]["template"]["spec"]["nodeSelector"] == original["nodeSelector"]


def test_cordon_and_drain_find_the_nodes_of_a_pool_named_in_another_case(az, k8s_api, namespace, moves):
    a, _, _ = moves
    common = ("--subscription", SUB, "-g", RG, "-n", CLUSTER, "--nodepool-name", a.upper())
    cordoned = az("aks", "wasi-migrate", "cordon", *common, "--yes").json
    assert cordoned["changed"] and all(_unschedulable(k8s_api, a).values())
    drained = az("aks", "wasi-migrate", "drain", *common, "--yes")
    assert "no nodes" not in drained.err.lower()
    assert az("aks", "wasi-migrate", "uncordon", *common, "--yes").json["changed"]


def _readme_example(words):
    """The README's command line that contains ``words``, split as a shell would."""
    (line,) = [line.strip() for line in README.read_text().splitlines() if words in line]
    return shlex.split(line)


@pytest.fixture(name="readme_cluster")
def readme_cluster_fixture(arm, az, retarget_subscription, namespace, kubelet, k8s_env, k8s_api):
    """README's names (MyResourceGroup, MyCluster, wasipool, wasipool2) in the signed-in default subscription."""
    pools = [{"name": "nodepool1", "mode": "System", "vmSize": "Standard_D2s_v5", "count": 1},
             {"name": "wasipool", "mode": "User", "vmSize": "Standard_D2s_v5", "count": 1,
              "workloadRuntime": "WasmWasi"},
             {"name": "wasipool2", "mode": "User", "vmSize": "Standard_D2s_v5", "count": 1}]
    estate = {"tenantId": "72f988bf-0000-0000-0000-000000000001", "subscriptions": [{
        "subscriptionId": "12121212-1212-1212-1212-121212121212", "displayName": "Readme",
        "clusters": [{"name": "MyCluster", "resourceGroup": "MyResourceGroup", "location": "westeurope",
                      "kubernetesVersion": "1.30.4", "agentPools": pools,
                      "kubeconfigText": embedded_kubeconfig(k8s_env.kubeconfig)}]}]}
    kubelet.add_pool("wasipool", 1, prefix=f"wasipool-{namespace[-5:]}", labels={TEST_LABEL: namespace,
                                                                                 WASI_LABEL: "true"})
    spin = _deployment("spin", {"runtimeClassName": OLD_CLASS, "nodeSelector": {POOL_LABEL: "wasipool",
                                                                                 TEST_LABEL: namespace}})
    _create(k8s_api, DEPLOYMENTS.format(ns=namespace), spin)
    with serving_estate(arm, az, estate):
        yield
    arm.set_estate(retarget_estate())   # back to this module's subscription (serving_estate signed in to the sample)
    login(az.path, az.env)


def test_the_readme_dry_run_example_runs_as_written_with_the_default_runtime_class(az, namespace, readme_cluster,
                                                                                    tmp_path):
    words = _readme_example("--phase parallel --dry-run --query")
    assert words[:3] == ["az", "aks", "wasi-migrate"] and "--runtime-class" not in words
    result = az(*words[1:])
    assert f"--- a/{namespace}/Deployment/spin\n" in result.out
    assert f"-      runtimeClassName: {OLD_CLASS}\n+      runtimeClassName: wasmtime-spin-v2\n" in result.out
    exported = az(*words[1:words.index("--query")], "--export-dir", str(tmp_path)).json
    (row,) = [r for r in exported if r["namespace"] == namespace]
    manifest = yaml.safe_load(pathlib.Path(row["file"]).read_text())
    assert manifest["spec"]["template"]["spec"]["runtimeClassName"] == "wasmtime-spin-v2"
