"""cutover's companion copy end to end, through the real az, the emulated ARM and the real API server, controllers
and scheduler (tests/k8s/cutover_estate.py): ``web``'s new RuntimeClass selects only the new pool's nodes, so its
parallel placement cannot share the old pool; the parallel phase leaves it there and runs a companion Deployment on
the new pool instead, so that the app's pods run on BOTH pools; the switch moves the original and deletes the copy;
a SIGKILL inside the parallel phase then a re-run makes no second copy; a rollback after ``--until parallel``
deletes it; an object that only looks like a companion (marks missing, another cluster's id, the very name without
the marks) is never deleted nor taken over.
"""

import pytest

from azext_wasimig.kube import rest
from tests.k8s.cutover_estate import RG, SUB, ReadySampler, a_move, cutover_subscription, moved  # noqa: F401
from tests.k8s.harness import create_when_ready, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.k8s]

COMPANION, COMPANION_OF = "wasimig.azure.com/companion", "wasimig.azure.com/companion-of"
CLUSTER_MARK = "wasimig.azure.com/cluster"
NAME = "web-wasimig-companion"


@pytest.fixture(name="move")
def move_fixture(arm, az, k8s_api, kubelet, k8s_env, namespace, cutover_subscription):  # noqa: F811
    with a_move(arm, az, k8s_api, kubelet, k8s_env, namespace) as made:
        yield made


def deployments(move):
    return {d["metadata"]["name"]: d for d in rest.call(move.api, "GET",
                                                        f"/apis/apps/v1/namespaces/{move.ns}/deployments")["items"]}


def companions(move):
    return sorted(name for name, d in deployments(move).items()
                  if (d["metadata"].get("labels") or {}).get(COMPANION) == "true")


def companion_pods(move):
    return [p for p in move.pods() if (p["metadata"].get("labels") or {}).get(COMPANION) == "true"]


def lookalike(move, name, labels, annotations):
    """A Deployment of someone else's with (some of) a companion's marks; no pods (0 replicas)."""
    create_when_ready(move.api, f"/apis/apps/v1/namespaces/{move.ns}/deployments", {
        "metadata": {"name": name, "labels": labels, "annotations": annotations},
        "spec": {"replicas": 0, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "app", "image": "example.azurecr.io/x:1"}]}}}})


def test_parallel_runs_the_app_on_both_pools_and_the_switch_removes_the_companion(move):
    plan = move.cutover("--dry-run", "--parallel-replicas", "1", yes=False).json["plan"]
    assert plan["companions"] == [{"workload": f"{move.ns}/Deployment/web", "companion": NAME, "replicas": 1}]
    assert deployments(move).keys() == {"web", "loose"}, "a dry run makes nothing"

    with ReadySampler(move) as ready:
        parallel = move.cutover("--until", "parallel", "--parallel-replicas", "1").json
        assert parallel["phase"] == "parallel" and parallel["nextPhase"] == "switch"
        # the original is untouched, on the old pool; its companion serves on the new one: both pools
        assert len(move.on_pool(move.old)) == move.replicas and len(move.on_pool(move.new)) == 1
        web = deployments(move)["web"]
        assert "wasimig.azure.com/original-placement" not in (web["metadata"].get("annotations") or {})
        companion = deployments(move)[NAME]
        assert companion["metadata"]["annotations"][COMPANION_OF] == "web"
        assert companion["metadata"]["annotations"][CLUSTER_MARK] == plan["cluster"]
        assert not companion["metadata"].get("ownerReferences")
        assert companion["spec"]["selector"]["matchLabels"] == {"app": "web", COMPANION: "true"}
        assert [c["id"] for c in parallel["created"] if c["phase"] == "parallel"] == [f"{move.ns}/Deployment/{NAME}"]
        evidence = move.record()[0]["phases"]["parallel"]["evidence"]
        assert [c["companion"] for c in evidence["companions"]] == [f"{move.ns}/Deployment/{NAME}"]
        assert evidence["retargeted"].get("patched") is None, "the original is left as it is"
        failed = [g["name"] for g in parallel["gates"]["parallel"] if not g["passed"]]
        assert set(failed) <= {"off-old-pool", "on-new-pool"}, failed   # loose runs on OLD: ignored while both serve
        rollouts = next(g for g in parallel["gates"]["parallel"] if g["name"] == "rollouts")
        assert f"{move.ns}/Deployment/{NAME}" in rollouts["evidence"]["workloads"]
        assert f"{move.ns}/Deployment/web" not in rollouts["evidence"]["workloads"], "the companion stands in"

        switch = move.cutover("--until", "switch", "--parallel-replicas", "1").json
    assert switch["phase"] == "switch" and companions(move) == []
    removed = move.record()[0]["phases"]["switch"]["evidence"]["companionsRemoved"]
    assert removed == [{"companion": f"{move.ns}/Deployment/{NAME}", "workload": f"{move.ns}/Deployment/web",
                        "action": "deleted"}]
    wait_for(lambda: not companion_pods(move), 30, "the companion's pods gone")
    assert len(move.on_pool(move.new)) == move.replicas and not move.on_pool(move.old)
    assert ready.minimum >= move.replicas - 1, f"Ready web/loose pods fell to {ready.minimum}"
    rest_of_it = move.cutover("--parallel-replicas", "1").json
    assert rest_of_it["completed"] and rest_of_it["phase"] == "decommission" and moved(move)
    assert move.old_pool_deleted_after_the_final_verify()


def test_a_sigkill_in_the_parallel_phase_then_a_rerun_makes_one_companion_only(move):
    proc = move.start("--until", "parallel")
    wait_for(lambda: NAME in deployments(move), 120, "the companion created", 0.05)
    move.kill(proc)
    killed = move.finish(proc)
    assert killed.rc != 0
    again = move.cutover("--until", "parallel").json
    assert again["phase"] == "parallel" and companions(move) == [NAME]
    assert [c["id"] for c in again["created"] if c["phase"] == "parallel"] == [f"{move.ns}/Deployment/{NAME}"]
    assert len(move.on_pool(move.old)) == move.replicas and len(move.on_pool(move.new)) == move.replicas
    assert move.ready() == 2 * move.replicas


def test_rollback_after_parallel_removes_the_companion_and_never_a_lookalike(move, az):
    move.cutover("--until", "parallel")
    other = "/subscriptions/" + SUB + "/resourceGroups/rg-other/providers/Microsoft.ContainerService/" \
                                      "managedClusters/aks-other"
    mine = move.record()[0]["plan"]["cluster"]
    lookalike(move, "other-cluster-wasimig-companion", {COMPANION: "true"},
              {COMPANION_OF: "web", CLUSTER_MARK: other, "wasimig.azure.com/nodepool": move.old})
    lookalike(move, "unmarked-wasimig-companion", {COMPANION: "true"}, {CLUSTER_MARK: mine})
    lookalike(move, "label-only", {COMPANION: "true"}, {})
    back = az("aks", "wasi-migrate", "rollback", "--subscription", SUB, "-g", RG, "-n", "aks-cutover",
              "--nodepool-name", move.old, "--new-nodepool-name", move.new, "--yes").json
    steps = {s["step"]: s for s in back["steps"]}
    assert steps["removeCompanions"]["action"] == "deleted"
    assert steps["removeCompanions"]["companions"] == [f"{move.ns}/Deployment/{NAME}"]
    assert companions(move) == ["label-only", "other-cluster-wasimig-companion", "unmarked-wasimig-companion"]
    wait_for(lambda: not companion_pods(move), 30, "the companion's pods gone")
    assert len(move.on_pool(move.old)) == move.replicas and not move.on_pool(move.new)
    again = az("aks", "wasi-migrate", "rollback", "--subscription", SUB, "-g", RG, "-n", "aks-cutover",
               "--nodepool-name", move.old, "--new-nodepool-name", move.new, "--yes").json
    assert {s["step"]: s["action"] for s in again["steps"]}["removeCompanions"] == "none"


def test_an_object_of_someone_else_under_the_companion_name_stops_the_parallel_phase_untouched(move):
    lookalike(move, NAME, {"team": "edge"}, {})
    stopped = move.cutover("--until", "parallel", expect=1)
    assert "is not the companion this cutover made" in stopped.err and stopped.json["failedGate"] == "companion"
    taken = deployments(move)[NAME]
    assert taken["metadata"]["labels"] == {"team": "edge"} and taken["spec"]["replicas"] == 0
    assert len(move.on_pool(move.old)) == move.replicas and not move.on_pool(move.new)
