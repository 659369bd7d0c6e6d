"""The prepare phase runs without the CLI: create-pool's decisions on a scripted agent-pools client."""

import pytest

from azext_wasimig import migration_target
from azext_wasimig.prepare import pool_create, pool_spec, run

CLUSTER = {"name": "aks-prod", "id": "/subscriptions/sub1/resourceGroups/rg/providers/Microsoft.ContainerService/"
                                    "managedClusters/aks-prod", "properties": {"kubernetesVersion": "1.30.4"}}
OLD = {"name": "wasi", "id": CLUSTER["id"] + "/agentPools/wasi",
       "properties": {"workloadRuntime": "WasmWasi", "mode": "User", "count": 2, "vmSize": "Standard_D2s_v5",
                      "provisioningState": "Succeeded", "orchestratorVersion": "1.30.4"}}


def made(state, name="wasi2"):
    return {"name": name, "properties": {"provisioningState": state, "eTag": "e1",
                                         "tags": {pool_spec.PROVENANCE_TAG: OLD["id"]}}}


class Poller:
    def __init__(self, pool):
        self.pool = pool

    def done(self):
        return True

    def result(self):
        return self.pool


class AgentPools:
    """The SDK client's calls the phase makes, answered from a script; every call recorded."""

    def __init__(self, reads=()):
        self.reads, self.calls = list(reads), []

    def get(self, *args):
        self.calls.append(("get", args))
        return self.reads.pop(0)

    def begin_create_or_update(self, resource_group, cluster, name, body, **conditions):
        self.calls.append(("put", (resource_group, cluster, name), conditions))
        return Poller({"name": name, **body})


def target(*pools):
    return migration_target.resolve(CLUSTER, [OLD, *pools], "rg", nodepool_name="wasi")


def test_a_dry_run_derives_the_name_and_sends_nothing():
    client, notes = AgentPools(), []
    result = run.create_pool(client, target(), pool_spec.PoolOverrides.parse(node_count=3), dry_run=True,
                             note=notes.append)
    assert (result["action"], result["nodepoolName"]) == ("wouldCreate", "wasi2")
    assert result["agentPool"]["properties"]["count"] == 3 and client.calls == []


def test_a_pool_an_earlier_run_made_that_failed_is_sent_again_with_its_etag():
    client = AgentPools()
    result = run.create_pool(client, target(made("Failed")), note=lambda _: None)
    assert result["action"] == "created" and result["notes"][0].startswith("Node pool 'wasi2' (made from 'wasi')")
    (_, where, conditions), = client.calls
    assert where == ("rg", "aks-prod", "wasi2") and conditions["etag"] == "e1"


def test_an_earlier_run_still_in_flight_is_waited_for_and_a_failure_named():
    client = AgentPools([made("Creating"), made("Succeeded")])
    assert run.create_pool(client, target(made("Creating")))["notes"] == [
        "It was being created by an earlier run: waited for it."]
    with pytest.raises(run.PoolEndedUnfinished, match="ended in provisioning state Canceled") as failed:
        run.create_pool(AgentPools([made("Canceled")]), target(made("Updating")))
    assert failed.value.kind == "service"


def test_ctrl_c_while_waiting_says_how_to_resume():
    class Interrupted(AgentPools):
        def get(self, *args):
            raise KeyboardInterrupt
    with pytest.raises(pool_create.PoolCreateInterrupted) as stopped:
        run.create_pool(Interrupted(), target(made("Creating")))
    assert "az aks wasi-migrate wait --subscription sub1 -g rg -n aks-prod --nodepool-name wasi2 --created" in \
        stopped.value.recommendation
