"""`az aks wasi-migrate wait --container-group`, create-aci's pair, through the real az against the emulated Azure:
a group is found by its provenance tags (the cluster and the workload create-aci made it from), never by name
alone; a timeout fails; a group deleted meanwhile satisfies --deleted. Nothing here needs a Kubernetes cluster.
"""

import pytest

from tests.conftest import arm_calls, serving_estate
from tests.emulator.testing import Arm

pytestmark = pytest.mark.e2e

SUB, RG, CLUSTER, ACI_RG = "cccccccc-cccc-cccc-cccc-cccccccccccc", "rg-waitaci", "aks-waitaci", "rg-waitaci-groups"
CLUSTER_ID = f"/subscriptions/{SUB}/resourcegroups/{RG}/providers/Microsoft.ContainerService/managedClusters/{CLUSTER}"
ACI_API = "2024-05-01-preview"


def _group(name, resource_group=ACI_RG, **tags):
    return {"name": name, "resourceGroup": resource_group, "location": "westeurope", "tags": tags,
            "properties": {"osType": "Linux", "containers": [{"name": "app", "properties": {
                "image": "ghcr.io/fermyon/spin:v2.7.0", "resources": {"requests": {"cpu": 1, "memoryInGB": 1.5}}}}]}}


OURS = {"wasimig.migratedFrom": "demo/Deployment/spin-web", "wasimig.replica": "0", "wasimig.cluster": CLUSTER_ID}
ESTATE = {"tenantId": "72f988bf-0000-0000-0000-000000000001", "subscriptions": [{
    "subscriptionId": SUB, "displayName": "Wait ACI",
    "containerGroups": [_group("spin-web-0", **OURS), _group("spin-web-1", RG, **OURS),
                        _group("theirs-0", owner="someone else"),
                        _group("elsewhere-0", **{**OURS, "wasimig.cluster": CLUSTER_ID + "2"})],
    "clusters": [{"name": CLUSTER, "resourceGroup": RG, "location": "westeurope", "kubernetesVersion": "1.30.4",
                  "agentPools": [{"name": "sys", "mode": "System", "vmSize": "Standard_D2s_v5", "count": 1}]}]}]}


@pytest.fixture(scope="module")
def groups_estate(arm, az):
    with serving_estate(arm, az, ESTATE):
        yield


@pytest.fixture
def fresh(arm, groups_estate):
    arm.set_estate(ESTATE)
    arm.clear_requests()
    before = arm.settings()
    yield
    arm.settings(lroPolls=before["lroPolls"])


def wait(az, group, *args, expect=0):
    return az("aks", "wasi-migrate", "wait", "--subscription", SUB, "-g", RG, "-n", CLUSTER, "--container-group",
              group, "--interval", "1", *args, expect=expect)


def test_a_group_made_for_this_cluster_is_waited_for(az, arm, fresh):
    assert wait(az, "spin-web-0", "--aci-resource-group", ACI_RG, "--created").out.strip() == ""
    assert wait(az, "spin-web-1", "--created").rc == 0, "the cluster's resource group by default"
    wait(az, "spin-web-0", "--aci-resource-group", ACI_RG, "--custom",
         "provisioningState=='Succeeded' && containers[0].image=='ghcr.io/fermyon/spin:v2.7.0'")
    gets = arm_calls(arm.requests(), "GET", "/containerGroups/spin-web-0")
    assert gets and all(e["query"]["api-version"] == ACI_API for e in gets)


@pytest.mark.parametrize("group, words", [
    ("theirs-0", "was not made by wasimig"),
    ("elsewhere-0", "was made by wasimig for another cluster"),
])
def test_a_group_of_that_name_not_made_for_this_cluster_is_refused(az, arm, fresh, group, words):
    for condition in ("--created", "--deleted", "--exists"):
        result = wait(az, group, "--aci-resource-group", ACI_RG, condition, expect=1)
        assert words in result.err and f"Container group '{group}'" in result.err and "Traceback" not in result.err
    assert [e for e in arm_calls(arm.requests()) if e["method"] != "GET"] == []


def test_a_timeout_fails_and_a_deleted_group_satisfies_deleted(az, arm, fresh):
    result = wait(az, "never-0", "--created", "--timeout", "2", expect=1)
    assert "Timed out after 2 s waiting for container group 'never-0'" in result.err and "not found" in result.err
    wait(az, "never-0", "--deleted")

    arm.settings(lroPolls=3)   # the group stays Deleting for a few reads
    started = Arm(arm, api_version=ACI_API).delete(
        f"/subscriptions/{SUB}/resourceGroups/{ACI_RG}/providers/Microsoft.ContainerInstance/containerGroups/spin-web-0")
    assert started.status_code == 202
    arm.clear_requests()
    wait(az, "spin-web-0", "--aci-resource-group", ACI_RG, "--deleted")
    assert len(arm_calls(arm.requests(), "GET", "/containerGroups/spin-web-0")) >= 2, "it waited for the delete"
    assert "spin-web-0" not in {g["name"] for g in arm.dump()["containerGroups"]}
