"""Each verify gate (verify/gates.py) passes on a clean migration and fails, naming the object, on its fault."""

import pytest

from azext_wasimig.verify import gates, scope
from tests.unit.verify.helpers import (NEW, OLD, agent_pool, cluster, deployment, group, node, pod, replicaset,
                                       warning)

WEB = ("demo", "Deployment", "web")


def scoped(snapshot, keys=(WEB,), new=NEW):
    return scope.build(snapshot, keys, OLD, new)


def objects(result):
    return [f["object"] for f in result["failures"]]


def test_new_pool_passes_with_its_nodes_ready():
    s = scoped(cluster())
    result = gates.new_pool(agent_pool(), NEW, s.new_nodes)
    assert result["passed"], result
    assert result["evidence"] == {"provisioningState": "Succeeded", "powerState": "Running", "nodesWanted": 2,
                                  "nodes": 2, "nodesUsable": 2}


@pytest.mark.parametrize("pool, nodes, expected", [
    (agent_pool(state="Updating"), None, ["AgentPool/std"]),
    (agent_pool(power="Stopped"), None, ["AgentPool/std"]),
    (agent_pool(), [node("std-0", NEW, ready=False), node("std-1", NEW)], ["Node/std-0", "AgentPool/std"]),
    (agent_pool(), [node("std-0", NEW), node("std-1", NEW, unschedulable=True)], ["Node/std-1", "AgentPool/std"]),
    (agent_pool(count=3), None, ["AgentPool/std"]),
    (agent_pool(count=1, autoscale_min=3), None, ["AgentPool/std"]),
    (None, None, ["AgentPool/std"]),
])
def test_new_pool_failures(pool, nodes, expected):
    snapshot = cluster() if nodes is None else cluster(nodes=[node("wasi-0", OLD)] + nodes)
    result = gates.new_pool(pool, NEW, scoped(snapshot).new_nodes)
    assert not result["passed"]
    assert objects(result) == expected


def test_new_pool_autoscale_minimum_met():
    assert gates.new_pool(agent_pool(count=5, autoscale_min=2), NEW, scoped(cluster()).new_nodes)["passed"]


def test_rollouts_name_a_deployment_mid_rollout():
    mid = deployment()
    mid["status"].update(updatedReplicas=1, replicas=3)
    result = gates.rollouts(scoped(cluster(workloads=[mid, replicaset()])))
    assert objects(result) == ["demo/Deployment/web"]
    assert "1 out of 2 new replicas" in result["failures"][0]["reason"]
    assert gates.rollouts(scoped(cluster()))["passed"]


def test_a_pod_still_on_the_old_pool_fails_both_placement_gates():
    s = scoped(cluster(pods=[pod("web-a", "std-0"), pod("web-b", "wasi-1")]))
    off = gates.off_old_pool(s, OLD)
    assert objects(off) == ["demo/Pod/web-b"] and "wasi's node wasi-1" in off["failures"][0]["reason"]
    assert objects(gates.on_new_pool(s, NEW)) == ["demo/Pod/web-b"]


def test_a_pending_pod_says_why_it_is_not_scheduled():
    result = gates.on_new_pool(scoped(cluster(pods=[pod("web-a", "std-0"), pod("web-b", None)])), NEW)
    assert objects(result) == ["demo/Pod/web-b"]
    assert "Pending" in result["failures"][0]["reason"] and "didn't match node selector" in \
        result["failures"][0]["reason"]


def test_daemonset_pods_and_finished_pods_are_left_aside():
    daemon = {"kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "demo", "generation": 1},
              "status": {"observedGeneration": 1, "desiredNumberScheduled": 1, "updatedNumberScheduled": 1,
                         "numberAvailable": 1}}
    daemon_pod = pod("agent-x", "wasi-0")
    daemon_pod["metadata"]["ownerReferences"] = [{"kind": "DaemonSet", "name": "agent", "controller": True}]
    done = pod("web-old", "wasi-0")
    done["status"]["phase"] = "Succeeded"
    snapshot = cluster(pods=[pod("web-a", "std-0"), pod("web-b", "std-1"), daemon_pod, done],
                       workloads=[deployment(), replicaset(), daemon])
    s = scoped(snapshot, keys=(WEB, ("demo", "DaemonSet", "agent")))
    assert gates.off_old_pool(s, OLD)["passed"] and gates.on_new_pool(s, NEW)["passed"]


@pytest.mark.parametrize("waiting", ["CrashLoopBackOff", "ImagePullBackOff", "CreateContainerConfigError"])
def test_containers_waiting_badly_fail(waiting):
    result = gates.containers(scoped(cluster(pods=[pod("web-a", "std-0", waiting=waiting), pod("web-b", "std-1")])))
    assert objects(result) == ["demo/Pod/web-a"] and waiting in result["failures"][0]["reason"]


def test_oom_killed_last_state_fails():
    result = gates.containers(scoped(cluster(pods=[pod("web-a", "std-0", last_terminated="OOMKilled")])))
    assert objects(result) == ["demo/Pod/web-a"] and "OOMKilled" in result["failures"][0]["reason"]
    assert gates.containers(scoped(cluster(pods=[pod("web-a", "std-0", last_terminated="Completed")])))["passed"]


def test_restarts_against_max_restarts():
    s = scoped(cluster(pods=[pod("web-a", "std-0", restarts=2), pod("web-b", "std-1")]))
    assert objects(gates.restarts(s, 0)) == ["demo/Pod/web-a"]
    assert objects(gates.restarts(s, 1)) == ["demo/Pod/web-a"]
    assert gates.restarts(s, 2)["passed"]
    assert gates.restarts(s, 2)["evidence"] == {"maxRestarts": 2, "restarts": 2}


@pytest.mark.parametrize("reason", ["FailedCreatePodSandBox", "BackOff", "Unhealthy", "FailedScheduling"])
def test_warning_events_of_current_pods_fail(reason):
    result = gates.events(scoped(cluster()), [warning(reason, "web-a")])
    assert objects(result) == ["demo/Pod/web-a"] and reason in result["failures"][0]["reason"]


def test_events_that_do_not_count():
    s = scoped(cluster())
    gone = warning("BackOff", "web-gone")               # a pod that no longer exists
    other = warning("FailedMount", "web-a")               # not one of the reasons
    overcome = warning("FailedScheduling", "web-a", last="2026-12-01T09:59:00Z")   # scheduled at 10:00 after it
    normal = {**warning("BackOff", "web-a"), "type": "Normal"}
    assert gates.events(s, [gone, other, overcome, normal])["passed"]


def test_event_without_uid_matches_by_name():
    assert objects(gates.events(scoped(cluster()), [warning("Unhealthy", "web-b", uid=False)])) == ["demo/Pod/web-b"]


def spin(selector=None, tolerations=None):
    rc = {"kind": "RuntimeClass", "metadata": {"name": "wasmtime-spin-v2"}, "handler": "spin"}
    if selector or tolerations:
        rc["scheduling"] = {"nodeSelector": selector or {}, "tolerations": tolerations or []}
    return rc


def spin_cluster(classes):
    return cluster(workloads=[deployment(runtime_class="wasmtime-spin-v2"), replicaset()],
                   nodes=[node("wasi-0", OLD, labels={"kubernetes.azure.com/wasmtime-spin-v2": "true"}),
                          node("std-0", NEW, labels={"spin": "true"}), node("std-1", NEW, labels={"spin": "true"})],
                   runtime_classes=classes)


def runtime_gate(classes):
    snapshot = spin_cluster(classes)
    by_name = {rc["metadata"]["name"]: rc for rc in classes}
    return gates.runtime_classes(scoped(snapshot), by_name, OLD, NEW)


def test_runtime_class_that_selects_the_new_nodes_passes():
    assert runtime_gate([spin({"spin": "true"})])["passed"]
    assert runtime_gate([spin()])["passed"]   # no scheduling: the pods' own placement decides


def test_runtime_class_still_selecting_old_nodes_fails():
    result = runtime_gate([spin({"kubernetes.azure.com/wasmtime-spin-v2": "true"})])
    reasons = [f["reason"] for f in result["failures"]]
    assert objects(result) == ["RuntimeClass/wasmtime-spin-v2"] * 2
    assert "admits none of std's nodes" in reasons[0] and "still selects wasi's nodes" in reasons[1]


def test_missing_runtime_class_fails():
    result = runtime_gate([])
    assert objects(result) == ["RuntimeClass/wasmtime-spin-v2"] and "does not exist" in result["failures"][0]["reason"]


def test_runtime_class_tolerations_must_cover_new_nodes_taints():
    snapshot = spin_cluster([spin({"spin": "true"})])
    for n in snapshot.nodes:
        n["spec"]["taints"] = [{"key": "wasm", "value": "true", "effect": "NoSchedule"}]
    classes = {"wasmtime-spin-v2": spin({"spin": "true"})}
    assert not gates.runtime_classes(scoped(snapshot), classes, OLD, NEW)["passed"]
    classes = {"wasmtime-spin-v2": spin({"spin": "true"}, [{"key": "wasm", "operator": "Exists"}])}
    assert gates.runtime_classes(scoped(snapshot), classes, OLD, NEW)["passed"]


def aci_gate(groups, pods=()):
    s = scoped(cluster(pods=list(pods)), new=None)
    return gates.aci_groups(groups, s, "rg-aci")


def test_aci_groups_pass_when_running():
    result = aci_gate([group()])
    assert result["passed"] and result["evidence"] == {"groups": ["web-0"]}


@pytest.mark.parametrize("bad, words", [
    (group(state="Failed", view_state="Pending", container_state="Waiting"), "provisioning state is Failed"),
    (group(restarts=3), "restarted 3 time(s)"),
    (group(view_state="Stopped"), "group state is Stopped"),
    (group(events=[{"name": "FailedMount", "type": "Normal", "message": "mount error(2)"}]), "FailedMount"),
    (group(events=[{"name": "Killing", "type": "Warning", "message": "liveness probe failed"}]), "Killing"),
])
def test_aci_group_faults(bad, words):
    result = aci_gate([bad])
    assert set(objects(result)) == {"ContainerGroup/rg-aci/web-0"}
    assert any(words in f["reason"] for f in result["failures"])


def test_aci_workload_without_a_group_fails():
    result = aci_gate([group(source="demo/Deployment/other")])
    assert "demo/Deployment/web" in objects(result)


def test_aci_get_failed_example_fails_on_every_count():
    """The real ContainerGroups_Get_Failed example: provisioning Failed, group Pending, container Waiting, and a
    FailedMount event the service types Normal."""
    from tests.conftest import example_body
    body = example_body("ContainerGroupsGet_Failed.json")
    body["tags"] = {"wasimig.migratedFrom": "demo/Deployment/web"}
    reasons = [f["reason"] for f in aci_gate([body])["failures"]]
    assert reasons == ["provisioning state is Failed, not Succeeded", "group state is Pending, not Running",
                       "event FailedMount: Output: mount error(2): Permission denied",
                       "container demo1 is Waiting"]


def _flux(reverts, kind="Kustomization"):
    return {"tool": "flux", "owner": {"kind": kind, "namespace": "flux-system", "name": "apps"}, "evidence": [],
            "confidence": "strong", "reverts": reverts, "state": "suspended (spec.suspend: true)"}


@pytest.mark.parametrize("reverts", [False, None])
def test_managed_sources_fails_a_live_patch_under_a_paused_controller(reverts):
    result = gates.managed_sources(scoped(cluster()), {WEB: _flux(reverts)}, {WEB}, OLD)
    assert objects(result) == ["demo/Deployment/web"]
    reason = result["failures"][0]["reason"]
    assert "Flux Kustomization flux-system/apps" in reason and f"may still pin {OLD}" in reason
    assert reason.endswith("then flux resume kustomization apps -n flux-system")
    assert result["evidence"] == {"managed": ["demo/Deployment/web"], "pendingRevert": 1}


@pytest.mark.parametrize("records, patched", [
    ({WEB: _flux(True)}, {WEB}),             # the controller reconciles: the other gates hold it on the new pool
    ({WEB: _flux(False)}, set()),            # paused, but retarget never patched it: its source moved it
    ({WEB: None}, {WEB}),                    # nobody manages it
    ({WEB: {**_flux(False), "tool": "helm"}}, {WEB}),   # plain Helm: no controller to resume
])
def test_managed_sources_passes(records, patched):
    assert gates.managed_sources(scoped(cluster()), records, patched, OLD)["passed"]
