"""Drain, cordon and their failure modes against the real kube-apiserver/KCM/scheduler v1.20.2 (policy/v1beta1
evictions, found by discovery), with the fake kubelet from harness.py.

Each test gets its own namespace and its own pools (named by harness.pool_name, labelled as helpers.py says).
"""

import time

import pytest

from azext_wasimig.drain import DrainOptions, EvictionTuning, cordon_pool, drain_pool, filters
from azext_wasimig.drain.errors import DrainIncomplete, Forbidden, PoolHasNoNodes
from azext_wasimig.kube import connect
from azext_wasimig.migration_target import MigrationTarget
from tests.k8s.harness import pool_name
from tests.k8s.helpers import (ReadySampler, _create, _deployment, _on_pool, _pdb, _pod_spec, _pods, _pools, _ready,
                               _unschedulable, _wait_pdb_settled, _wait_ready)

pytestmark = pytest.mark.k8s

FAST = dict(retry_initial=0.2, retry_max=0.5, poll_interval=0.1)


def _options(**overrides):
    return DrainOptions(**dict(dict(timeout=30.0, tuning=EvictionTuning(**FAST)), **overrides))


def _target(pool):
    """The MigrationTarget drain_pool takes: the pool, and the names its Ctrl-C advice words the uncordon with."""
    return MigrationTarget(resource_group="rg", cluster={"name": "c"}, pools=({"name": pool},),
                           wasi_pool={"name": pool})


def test_drain_keeps_pdb_min_available_throughout(k8s_api, kubelet, namespace):
    replicas = 4
    pool = _pools(kubelet, namespace, wasi=2)
    _deployment(k8s_api, namespace, replicas)
    _pdb(k8s_api, namespace, "web-pdb", "web", minAvailable=replicas - 1)
    _wait_ready(k8s_api, namespace, "web", replicas)
    _wait_pdb_settled(k8s_api, namespace, "web-pdb", 1)
    _pools(kubelet, namespace, wasi=0, std=2)
    messages = []
    with ReadySampler(k8s_api, namespace, "web") as sampler:
        summary = drain_pool(k8s_api, _target(pool), _options(), progress=messages.append)
        _wait_ready(k8s_api, namespace, "web", replicas)
    assert summary["complete"], summary
    assert len(summary["evicted"]) == replicas and summary["evictionApi"] == "policy/v1beta1"
    assert len(sampler.samples) > 10 and min(sampler.samples) >= replicas - 1, sampler.samples
    assert not _on_pool(k8s_api, namespace, pool)
    assert all(_unschedulable(k8s_api, pool).values())
    assert any("drained" in m for m in messages)


def _two_replicas_behind_a_closed_budget(api, kubelet, namespace):
    """Two replicas on one wasi node, a PDB minAvailable 2 (0 disruptions allowed), an empty std node."""
    pool = _pools(kubelet, namespace, wasi=1)
    _deployment(api, namespace, 2)
    _pdb(api, namespace, "web-pdb", "web", minAvailable=2)
    _wait_ready(api, namespace, "web", 2)
    _wait_pdb_settled(api, namespace, "web-pdb", 0)
    _pools(kubelet, namespace, wasi=0, std=1)
    return pool


def test_pdb_allowing_no_disruption_times_out_naming_it(k8s_api, kubelet, namespace):
    pool = _two_replicas_behind_a_closed_budget(k8s_api, kubelet, namespace)
    before = {p["metadata"]["uid"] for p in _on_pool(k8s_api, namespace, pool)}
    started = time.monotonic()
    with pytest.raises(DrainIncomplete) as caught:
        drain_pool(k8s_api, _target(pool), _options(timeout=2.0))
    assert time.monotonic() - started < 6
    summary, message = caught.value.summary, str(caught.value)
    assert not summary["complete"] and not summary["evicted"]
    assert {b["pdbs"][0] for b in summary["blocked"]} == {"web-pdb"} and len(summary["blocked"]) == 2
    assert "web-pdb" in message and all(b["pod"] in message for b in summary["blocked"])
    still = _on_pool(k8s_api, namespace, pool)
    assert {p["metadata"]["uid"] for p in still} == before and all(map(_ready, still))


def test_daemonset_pods_stay(k8s_api, kubelet, namespace):
    pool = _pools(kubelet, namespace, wasi=2)
    _create(k8s_api, f"/apis/apps/v1/namespaces/{namespace}/daemonsets", {
        "metadata": {"name": "agent"}, "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": {
            "metadata": {"labels": {"app": "agent"}}, "spec": _pod_spec(namespace)}}})
    _deployment(k8s_api, namespace, 1)
    _wait_ready(k8s_api, namespace, "agent", 2)
    _wait_ready(k8s_api, namespace, "web", 1)
    _pools(kubelet, namespace, wasi=0, std=1)
    agents = {p["metadata"]["uid"] for p in _on_pool(k8s_api, namespace, pool) if p["metadata"]["labels"]["app"] == "agent"}
    summary = drain_pool(k8s_api, _target(pool), _options())
    assert summary["complete"], summary
    skipped = {s["pod"]: s["reason"] for s in summary["skipped"]}
    assert len(skipped) == 2 and all("DaemonSet" in why for why in skipped.values())
    left = _on_pool(k8s_api, namespace, pool)
    assert {p["metadata"]["uid"] for p in left} == agents and all(map(_ready, left))


def test_bare_pod_refuses_drain_without_force(k8s_api, kubelet, namespace):
    pool = _pools(kubelet, namespace, wasi=1, std=1)
    _create(k8s_api, f"/api/v1/namespaces/{namespace}/pods", {
        "metadata": {"name": "bare", "labels": {"app": "bare"}},
        "spec": _pod_spec(namespace, nodeSelector={"agentpool": pool})})
    _wait_ready(k8s_api, namespace, "bare", 1)
    with pytest.raises(DrainIncomplete) as caught:
        drain_pool(k8s_api, _target(pool), _options())
    summary = caught.value.summary
    assert [r["pod"] for r in summary["refused"]] == [f"{namespace}/bare"]
    assert "--force" in summary["refused"][0]["reasons"][0] and not summary["complete"]
    assert not any(_unschedulable(k8s_api, pool).values()), "a refused drain must not cordon"
    assert f"{namespace}/bare" in str(caught.value)
    assert _ready(_pods(k8s_api, namespace, "bare")[0])
    forced = drain_pool(k8s_api, _target(pool), _options(force=True))
    assert forced["complete"] and forced["evicted"] == [f"{namespace}/bare"]
    assert not _pods(k8s_api, namespace, "bare")


def test_second_drain_finishes_an_interrupted_one(k8s_api, kubelet, namespace):
    pool = _pools(kubelet, namespace, wasi=2)
    _deployment(k8s_api, namespace, 4, grace=2)
    _pdb(k8s_api, namespace, "web-pdb", "web", maxUnavailable=1)
    _wait_ready(k8s_api, namespace, "web", 4)
    _wait_pdb_settled(k8s_api, namespace, "web-pdb", 1)
    _pools(kubelet, namespace, wasi=0, std=2)

    def interrupt_after_first_eviction(message):
        if "blocked" in message or "gone" in message:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        drain_pool(k8s_api, _target(pool), _options(), progress=interrupt_after_first_eviction)
    assert _on_pool(k8s_api, namespace, pool), "the interruption came too late to test anything"
    summary = drain_pool(k8s_api, _target(pool), _options())
    assert summary["complete"], summary
    assert summary["cordoned"] == []          # already cordoned by the first run
    assert not _on_pool(k8s_api, namespace, pool)
    _wait_ready(k8s_api, namespace, "web", 4)


def test_dry_run_lists_and_changes_nothing(k8s_api, kubelet, namespace):
    pool = _two_replicas_behind_a_closed_budget(k8s_api, kubelet, namespace)
    summary = drain_pool(k8s_api, _target(pool), _options(dry_run=True))
    assert summary["dryRun"] and len(summary["wouldEvict"]) == 2 and not summary["evicted"]
    assert {b["pdbs"][0] for b in summary["blocked"]} == {"web-pdb"}
    assert not any(_unschedulable(k8s_api, pool).values())
    assert len(_on_pool(k8s_api, namespace, pool)) == 2


def test_cordon_and_uncordon_are_idempotent(k8s_api, kubelet, namespace):
    pool = _pools(kubelet, namespace, wasi=2)
    first = cordon_pool(k8s_api, pool)
    assert sorted(first["changed"]) == sorted(first["nodes"]) and len(first["nodes"]) == 2
    assert cordon_pool(k8s_api, pool)["changed"] == []
    assert all(_unschedulable(k8s_api, pool).values())
    assert len(cordon_pool(k8s_api, pool, unschedulable=False)["changed"]) == 2
    assert cordon_pool(k8s_api, pool, unschedulable=False)["changed"] == []
    assert not any(_unschedulable(k8s_api, pool).values())


def test_pool_without_nodes_is_an_error(k8s_api, namespace):
    with pytest.raises(PoolHasNoNodes, match=f"{namespace}-none"):
        drain_pool(k8s_api, _target(f"{namespace}-none"), _options())


def test_expired_token_is_a_clear_error(k8s_env, namespace):
    from azext_wasimig.kube.errors import KubeUnauthorized
    text = k8s_env.kubeconfig.read_text().replace("token: test-admin-token", "token: s3cr3t-0ld-t0k3n")
    api = connect.api_client_from_kubeconfig(text, source="test kubeconfig")
    with pytest.raises(KubeUnauthorized) as caught:
        drain_pool(api, _target(pool_name(namespace, "w")), _options())
    message = str(caught.value) + caught.value.recommendation
    assert "s3cr3t" not in message and "401" in message and "https://127.0.0.1:" in message


def test_forbidden_eviction_names_the_missing_permission(k8s_api, kubelet, namespace):
    from azext_wasimig.drain.cordon import pods_on_nodes
    from azext_wasimig.drain.evict import Evictor
    from azext_wasimig.kube.errors import KubeForbidden
    pool = _pools(kubelet, namespace, wasi=1)
    _deployment(k8s_api, namespace, 1)
    _wait_ready(k8s_api, namespace, "web", 1)
    _pools(kubelet, namespace, wasi=0, std=1)   # somewhere to go, or the drain refuses before asking for rights
    user = f"{namespace}-operator"
    _create(k8s_api, "/apis/rbac.authorization.k8s.io/v1/clusterroles", {"metadata": {"name": user}, "rules": [
        {"apiGroups": [""], "resources": ["nodes", "pods"], "verbs": ["get", "list", "patch"]}]})
    _create(k8s_api, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
        "metadata": {"name": user}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                                "name": user},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}]})
    limited = connect.load_kubeconfig_file(str(_kubeconfig_path(k8s_api)))
    limited.set_default_header("Impersonate-User", user)
    with pytest.raises(Forbidden, match=r"`create` on `pods/eviction`"):
        drain_pool(limited, _target(pool), _options())
    assert not any(_unschedulable(k8s_api, pool).values()), "a forbidden drain must change nothing"
    plan = filters.plan(pods_on_nodes(limited, [f"{pool}-0"])[f"{pool}-0"], _options())
    with pytest.raises(KubeForbidden) as caught:      # and at eviction time, without the up-front check
        Evictor(limited, _options()).run(plan)
    assert "pods/eviction" in caught.value.recommendation
    assert len(_on_pool(k8s_api, namespace, pool)) == 1


def _kubeconfig_path(_api):
    import os
    return os.environ["WASIMIG_K8S_KUBECONFIG"]
