"""Start-up and stability from real status shapes: a pod as kube-apiserver v1.2x returns it after the kubelet's
status updates, and an ACI container group as Microsoft.ContainerInstance returns it (instance views)."""

import copy

from azext_wasimig.compare import run, sides, stability, startup

POD = {
    "metadata": {"name": "web-6b7c9d-x2k4q", "namespace": "shop", "creationTimestamp": "2026-11-30T10:00:00Z",
                 "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-6b7c9d",
                                      "uid": "1", "controller": True, "blockOwnerDeletion": True}]},
    "spec": {"nodeName": "aks-wasipool-12345678-vmss000000", "containers": [{"name": "app"}]},
    "status": {
        "phase": "Running",
        "conditions": [
            {"type": "Initialized", "status": "True", "lastProbeTime": None,
             "lastTransitionTime": "2026-11-30T10:00:01Z"},
            {"type": "Ready", "status": "True", "lastProbeTime": None, "lastTransitionTime": "2026-11-30T10:00:09Z"},
            {"type": "ContainersReady", "status": "True", "lastProbeTime": None,
             "lastTransitionTime": "2026-11-30T10:00:09Z"},
            {"type": "PodScheduled", "status": "True", "lastProbeTime": None,
             "lastTransitionTime": "2026-11-30T10:00:00Z"}],
        "hostIP": "10.224.0.4", "podIP": "10.244.1.7", "startTime": "2026-11-30T10:00:00Z",
        "containerStatuses": [{
            "name": "app", "ready": True, "started": True, "restartCount": 2,
            "image": "contoso.azurecr.io/web:1", "imageID": "contoso.azurecr.io/web@sha256:ab", "containerID": "c://1",
            "state": {"running": {"startedAt": "2026-11-30T10:05:00Z"}},
            "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled", "startedAt": "2026-11-30T10:00:05Z",
                                         "finishedAt": "2026-11-30T10:04:58Z", "containerID": "c://0"}}}],
        "qosClass": "Burstable"}}

GROUP = {
    "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/web-0",
    "name": "web-0", "type": "Microsoft.ContainerInstance/containerGroups", "location": "westeurope",
    "tags": {"wasimig.migratedFrom": "shop/Deployment/web", "wasimig.replica": "0"},
    "systemData": {"createdAt": "2026-11-30T10:00:00.1234567Z", "createdByType": "User"},
    "properties": {
        "provisioningState": "Succeeded", "osType": "Linux",
        "containers": [{"name": "app", "properties": {
            "image": "ghcr.io/fermyon/spin:v2", "resources": {"requests": {"cpu": 1, "memoryInGB": 1.5}},
            "instanceView": {
                "restartCount": 1,
                "currentState": {"state": "Running", "startTime": "2026-11-30T10:00:31Z", "detailStatus": ""},
                "previousState": {"state": "Terminated", "startTime": "2026-11-30T10:00:20Z", "exitCode": 137,
                                  "finishTime": "2026-11-30T10:00:29Z", "detailStatus": "OOMKilled"},
                "events": [
                    {"count": 1, "firstTimestamp": "2026-11-30T10:00:02Z", "lastTimestamp": "2026-11-30T10:00:02Z",
                     "name": "Pulling", "message": "pulling image", "type": "Normal"},
                    {"count": 1, "firstTimestamp": "2026-11-30T10:00:12Z", "lastTimestamp": "2026-11-30T10:00:12Z",
                     "name": "Pulled", "message": "Successfully pulled image", "type": "Normal"},
                    {"count": 2, "firstTimestamp": "2026-11-30T10:00:20Z", "lastTimestamp": "2026-11-30T10:00:31Z",
                     "name": "Started", "message": "Started container", "type": "Normal"}]}}}],
        "instanceView": {"events": [], "state": "Running"}}}


def test_pod_startup_runs_from_creation_through_the_conditions():
    row = startup.pod_startup(POD)
    assert (row["scheduledSeconds"], row["containersReadySeconds"], row["readySeconds"]) == (0, 9, 9)
    assert row["restarted"] and row["node"] == "aks-wasipool-12345678-vmss000000"


def test_a_pod_not_ready_yet_has_no_ready_figure():
    pod = copy.deepcopy(POD)
    pod["status"]["conditions"][1]["status"] = "False"
    assert startup.pod_startup(pod)["readySeconds"] is None


def test_pod_stability_counts_restarts_and_last_reasons():
    assert stability.pod_terminations(POD) == (2, ["OOMKilled"])
    totals = stability.side_stability([(2, ["OOMKilled"]), (1, ["Error"]), (0, [])])
    assert totals == {"restarts": 3, "oomKilled": 1, "lastTerminationReasons": {"Error": 1, "OOMKilled": 1}}


def test_aci_startup_runs_from_creation_to_the_last_container_running():
    row = startup.aci_startup(GROUP)
    assert (row["pulledSeconds"], row["readySeconds"]) == (11.877, 30.877)
    assert row["restarted"] and row["pod"] == "web-0"


def test_aci_without_system_data_starts_at_its_first_event_and_pending_has_no_ready():
    group = copy.deepcopy(GROUP)
    del group["systemData"]
    assert startup.aci_startup(group)["readySeconds"] == 29
    group["properties"]["containers"][0]["properties"]["instanceView"]["currentState"]["state"] = "Waiting"
    assert startup.aci_startup(group)["readySeconds"] is None


def test_aci_stability_reads_the_previous_state():
    assert stability.aci_terminations(GROUP) == (1, ["OOMKilled"])


def test_pods_are_sided_by_their_nodes_pool_and_grouped_by_workload():
    rs = {"metadata": {"name": "web-6b7c9d", "namespace": "shop", "ownerReferences": [
        {"kind": "Deployment", "name": "web", "controller": True}]}}
    nodes = [{"metadata": {"name": n, "labels": {"kubernetes.azure.com/agentpool": pool}}}
             for n, pool in (("aks-wasipool-12345678-vmss000000", "wasipool"), ("new-0", "std"))]
    on_new = copy.deepcopy(POD)
    on_new["metadata"]["name"], on_new["spec"]["nodeName"] = "web-6b7c9d-zz", "new-0"
    gone = copy.deepcopy(on_new)
    gone["metadata"]["deletionTimestamp"] = "2026-11-30T11:00:00Z"
    found = sides.pods_by_side([POD, on_new, gone], {("shop", "ReplicaSet", "web-6b7c9d"): rs}, nodes, "wasipool",
                               "std")
    key = ("shop", "Deployment", "web")
    assert [p["metadata"]["name"] for p in found[key]["old"]] == ["web-6b7c9d-x2k4q"]
    assert [p["metadata"]["name"] for p in found[key]["new"]] == ["web-6b7c9d-zz"]
    assert sides.on_both_sides(found, [], "pool 'std'") == [key]
    summary = run.side_summary(found[key]["old"], None)
    assert summary["startup"]["median"] == 9 and summary["stability"]["oomKilled"] == 1 and summary["resources"] is None


def test_a_named_workload_missing_on_a_side_is_refused_with_the_side():
    import pytest
    from azext_wasimig.compare.errors import NotOnBothSides
    found = {("shop", "Deployment", "web"): {"old": [POD], "new": []}}
    with pytest.raises(NotOnBothSides) as raised:
        sides.on_both_sides(found, [("shop", "Deployment", "web"), ("shop", "Deployment", "api")], "pool 'std'")
    assert "shop/Deployment/web (no running pod on pool 'std')" in str(raised.value)
    assert "shop/Deployment/api (no running pod on the old pool nor on pool 'std')" in str(raised.value)


def test_aci_groups_join_the_new_side_of_their_workload_for_this_cluster_only():
    other = copy.deepcopy(GROUP)
    other["tags"]["wasimig.cluster"] = "/subscriptions/s/resourcegroups/rg/providers/x/managedClusters/other"
    found = sides.add_aci_groups({}, [GROUP, other], "/subscriptions/s/resourceGroups/rg/providers/x/managedClusters/me")
    assert [g["name"] for g in found[("shop", "Deployment", "web")]["new"]] == ["web-0"]
