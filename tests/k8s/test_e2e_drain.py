"""`az aks wasi-migrate cordon / uncordon / drain` end to end: the real az with the wheel -> emulated ARM (which
proves the pool is a WASI pool and hands out the kubeconfig) -> the real kube-apiserver, scheduler and
controllers, with the harness playing kubelet. The library-level drain scenarios are in test_drain_live.py;
these check what only the command adds: the WASI proof, confirmation, exit codes, output.
"""

import pytest

from tests.conftest import arm_calls
from tests.k8s.drain_estate import CLUSTER, RG, SUB, drain_subscription, estate
from tests.k8s.helpers import (TEST_LABEL, ReadySampler, _create, _deployment, _on_pool, _pdb, _pod_spec,
                               _pods, _pools, _unschedulable, _wait_pdb_settled, _wait_ready)
from tests.k8s.harness import (AKS_SPIN_LABEL, aks_spin_runtime_class, embedded_kubeconfig, label_nodes, pool_name,
                               wait_for)

pytestmark = [pytest.mark.e2e, pytest.mark.k8s]

POOL_LABEL = "kubernetes.azure.com/agentpool"
__all__ = ["drain_subscription"]   # the fixture: the subscription served


@pytest.fixture(name="pools")
def pools_fixture(arm, drain_subscription, namespace, kubelet, k8s_env):
    """This test's WASI pool (2 nodes) in ARM and in the cluster; the standard pool exists in ARM only until
    ``add_std`` puts its nodes in, so replicas start on the WASI nodes."""
    wasi = _pools(kubelet, namespace, wasi=2)
    std = pool_name(namespace, "s")
    arm.set_estate(estate(wasi, std))
    arm.set_kubeconfig(SUB, RG, CLUSTER, embedded_kubeconfig(k8s_env.kubeconfig))

    def add_std():
        kubelet.add_pool(std, 2, labels={TEST_LABEL: namespace})
    return wasi, std, add_std


def wasi_migrate(az, verb, pool, *args, expect=0):
    return az("aks", "wasi-migrate", verb, "--subscription", SUB, "-g", RG, "-n", CLUSTER, "--nodepool-name", pool,
              *args, expect=expect)


def test_cordon_is_idempotent_has_a_dry_run_and_a_way_back(az, k8s_api, pools):
    wasi, _, _ = pools
    dry = wasi_migrate(az, "cordon", wasi, "--dry-run").json
    assert dry["dryRun"] and sorted(dry["changed"]) == sorted(_unschedulable(k8s_api, wasi))
    assert not any(_unschedulable(k8s_api, wasi).values())
    assert sorted(wasi_migrate(az, "cordon", wasi, "--yes").json["changed"]) == sorted(dry["changed"])
    assert all(_unschedulable(k8s_api, wasi).values())
    assert wasi_migrate(az, "cordon", wasi, "-y").json["changed"] == []
    table = wasi_migrate(az, "uncordon", wasi, "--yes", "-o", "table").out
    assert table.split()[:3] == ["Node", "Unschedulable", "Changed"] and "True" in table
    assert not any(_unschedulable(k8s_api, wasi).values())


def test_cordon_refuses_a_standard_pool_unless_forced(az, pools):
    _, std, add_std = pools
    add_std()
    assert "not a WASI node pool" in wasi_migrate(az, "cordon", std, expect=1).err
    forced = wasi_migrate(az, "uncordon", std, "--force", "--yes")
    assert "not a WASI pool" in forced.err and len(forced.json["nodes"]) == 2


def test_drain_never_touches_a_standard_pool(az, k8s_api, pools):
    _, std, add_std = pools
    add_std()
    assert "not a WASI node pool" in wasi_migrate(az, "drain", std, "--yes", "--force", expect=1).err
    assert not any(_unschedulable(k8s_api, std).values())


def test_drain_asks_first_and_without_a_terminal_needs_yes(az, k8s_api, pools):
    wasi, _, _ = pools
    result = wasi_migrate(az, "drain", wasi, expect=1)
    assert "--yes" in result.err
    assert not any(_unschedulable(k8s_api, wasi).values())


def test_drain_moves_replicas_to_the_new_pool_within_the_pdb(az, k8s_api, namespace, pools):
    wasi, std, add_std = pools
    _deployment(k8s_api, namespace, 3)
    _wait_ready(k8s_api, namespace, "web", 3)
    _pdb(k8s_api, namespace, "web-pdb", "web", minAvailable=2)
    _wait_pdb_settled(k8s_api, namespace, "web-pdb", 1)
    add_std()
    with ReadySampler(k8s_api, namespace, "web") as sampler:
        summary = wasi_migrate(az, "drain", wasi, "--yes", "--grace-period", "1").json
        _wait_ready(k8s_api, namespace, "web", 3)
    assert summary["complete"] and len(summary["evicted"]) == 3
    assert sorted(summary["cordoned"]) == sorted(_unschedulable(k8s_api, wasi))
    assert min(sampler.samples) >= 2, "never fewer Ready replicas than the PDB's minAvailable"
    assert _on_pool(k8s_api, namespace, wasi) == [] and len(_on_pool(k8s_api, namespace, std)) == 3


def test_drain_dry_run_lists_and_changes_nothing(az, k8s_api, namespace, pools):
    wasi, _, add_std = pools
    _deployment(k8s_api, namespace, 2)
    _wait_ready(k8s_api, namespace, "web", 2)
    add_std()
    summary = wasi_migrate(az, "drain", wasi, "--dry-run").json
    assert summary["dryRun"] and len(summary["wouldEvict"]) == 2
    assert not any(_unschedulable(k8s_api, wasi).values()) and len(_on_pool(k8s_api, namespace, wasi)) == 2


def test_a_bare_pod_stops_the_drain_naming_it_and_nothing_changes(az, k8s_api, namespace, pools):
    wasi, _, _ = pools
    _create(k8s_api, f"/api/v1/namespaces/{namespace}/pods",
            {"metadata": {"name": "lonely"}, "spec": _pod_spec(namespace)})
    result = wasi_migrate(az, "drain", wasi, "--yes", expect=1)
    assert f"{namespace}/lonely" in result.err and "--force" in result.err
    assert not any(_unschedulable(k8s_api, wasi).values())


@pytest.mark.parametrize("args, words", [(["--drain-timeout", "0"], "--drain-timeout"),
                                         (["--grace-period", "-1"], "--grace-period")])
def test_bad_drain_settings_are_refused_before_any_call(az, arm, pools, args, words):
    wasi, _, _ = pools
    arm.clear_requests()
    result = wasi_migrate(az, "drain", wasi, "--yes", *args, expect=None)
    assert result.rc != 0 and words in result.err
    assert arm_calls(arm.requests()) == []


def _workload(api, namespace, name, replicas=2, **placement):
    """A Deployment whose pods carry the test's node label plus ``placement`` (merged into the pod spec)."""
    spec = _pod_spec(namespace)
    spec["nodeSelector"] = {**spec["nodeSelector"], **placement.pop("nodeSelector", {})}
    _create(api, f"/apis/apps/v1/namespaces/{namespace}/deployments", {
        "metadata": {"name": name}, "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                                             "template": {"metadata": {"labels": {"app": name}},
                                                          "spec": {**spec, **placement}}}})
    _wait_ready(api, namespace, name, replicas)


def _pods_by_uid(api, namespace, pool):
    return {p["metadata"]["uid"]: p["metadata"]["name"] for p in _on_pool(api, namespace, pool)}


def test_drain_refuses_pods_pinned_to_the_pool_and_changes_nothing(az, k8s_api, namespace, pools):
    wasi, _, add_std = pools
    _workload(k8s_api, namespace, "pinned", nodeSelector={POOL_LABEL: wasi})
    _workload(k8s_api, namespace, "free", replicas=1)
    add_std()
    before = _pods_by_uid(k8s_api, namespace, wasi)
    pinned = {f"{namespace}/{name}" for name in before.values() if name.startswith("pinned-")}
    dry = wasi_migrate(az, "drain", wasi, "--dry-run").json
    assert {r["pod"] for r in dry["refused"]} == pinned
    assert all(f"{POOL_LABEL}={wasi}" in r["reasons"][0] for r in dry["refused"])
    assert [r["pod"].split("/")[1].split("-")[0] for r in dry["wouldEvict"]] == ["free"], "it can go to std"

    result = wasi_migrate(az, "drain", wasi, "--yes", expect=1)
    assert all(pod in result.err for pod in pinned) and "Pending" in result.err and "--force" in result.err
    assert not any(_unschedulable(k8s_api, wasi).values()), "nothing cordoned"
    assert _pods_by_uid(k8s_api, namespace, wasi) == before, "nothing evicted"


def test_drain_refuses_pods_of_aks_runtime_class_and_force_overrides(az, k8s_api, namespace, pools):
    wasi, _, add_std = pools
    label_nodes(k8s_api, _unschedulable(k8s_api, wasi), {AKS_SPIN_LABEL: "true"})   # as AKS labelled its Spin nodes
    with aks_spin_runtime_class(k8s_api) as spin_class:
        _workload(k8s_api, namespace, "spin", runtimeClassName=spin_class)
        add_std()
        before = _pods_by_uid(k8s_api, namespace, wasi)
        result = wasi_migrate(az, "drain", wasi, "--yes", expect=1)
        assert all(f"{namespace}/{name}" in result.err for name in before.values())
        assert f"RuntimeClass {spin_class}" in result.err and f"{AKS_SPIN_LABEL}=true" in result.err
        assert not any(_unschedulable(k8s_api, wasi).values()) and _pods_by_uid(k8s_api, namespace, wasi) == before

        forced = wasi_migrate(az, "drain", wasi, "--yes", "--force", "--grace-period", "1").json
        assert sorted(forced["evicted"]) == sorted(f"{namespace}/{name}" for name in before.values())
        assert all("stay Pending" in w["warnings"][0] for w in forced["warnings"])
        assert all(_unschedulable(k8s_api, wasi).values())
        wait_for(lambda: len(_pods(k8s_api, namespace, "spin")) == 2 and not any(
            p["spec"].get("nodeName") for p in _pods(k8s_api, namespace, "spin")), 20,
                 "the replacements, Pending: nothing else can take them")
