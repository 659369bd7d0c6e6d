"""One place resolves what the user named against ARM's answer: canonical names, proven pools, clear refusals."""

import dataclasses

import pytest

from azext_wasimig import migration_target as mt

CLUSTER = {"name": "aks-prod", "id": "/subscriptions/sub1/resourcegroups/rg/providers/Microsoft.ContainerService/"
                                    "managedClusters/aks-prod"}


def pool(name, runtime="OCIContainer", mode="User", state="Succeeded"):
    return {"name": name, "properties": {"workloadRuntime": runtime, "mode": mode, "provisioningState": state}}


POOLS = [pool("sys", mode="System"), pool("wasi", "WasmWasi"), pool("wasib", "wasmwasi"), pool("std2"),
         pool("making", state="Creating"), pool("broken", state="Failed")]


def resolve(old=None, new=None, **kw):
    return mt.resolve(CLUSTER, POOLS, "rg", nodepool_name=old, new_nodepool_name=new, **kw)


def test_names_come_back_as_azure_spells_them():
    target = resolve("WASI", "STD2")
    assert (target.cluster_name, target.wasi_pool_name, target.new_pool_name) == ("aks-prod", "wasi", "std2")
    assert target.subscription_id == "sub1" and target.wasi_pool_names == ["wasi", "wasib"]
    assert target.pool("Broken")["name"] == "broken"


def test_the_target_is_a_frozen_value():
    target = resolve("wasi")
    assert target.new_pool is None and target.new_pool_name is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        target.wasi_pool = None


def test_the_old_pool_must_exist_and_be_wasi_unless_allowed():
    with pytest.raises(mt.PoolNotFound, match="no node pool 'gone'"):
        resolve("gone")
    with pytest.raises(mt.PoolUnfit, match="not a WASI node pool") as refused:
        resolve("STD2")
    assert "wasi-migrate list -g rg -n aks-prod" in refused.value.recommendation
    assert resolve("std2", allow_other=True).wasi_pool_name == "std2"


def test_a_system_pool_is_never_acted_on_even_when_other_pools_are_allowed():
    with pytest.raises(mt.PoolUnfit, match="is a System node pool.*--force included"):
        resolve("SYS", allow_other=True, acting_on_pool=True)
    assert resolve("sys", allow_other=True).wasi_pool_name == "sys", "reading it (show, scan) is fine"
    assert resolve("std2", allow_other=True, acting_on_pool=True).wasi_pool_name == "std2"


@pytest.mark.parametrize("new, words", [
    ("wasib", "itself a WASI node pool"), ("SYS", "is a System pool"), ("making", "Creating"), ("broken", "Failed"),
])
def test_a_new_pool_that_cannot_take_the_workloads_is_refused(new, words):
    with pytest.raises(mt.PoolUnfit, match=words):
        resolve("wasi", new)


def test_advice_for_a_pool_not_ready_names_the_way_on():
    with pytest.raises(mt.PoolUnfit) as making:
        resolve("wasi", "making")
    assert "az aks wasi-migrate wait -g rg -n aks-prod --nodepool-name making --created" in making.value.recommendation
    with pytest.raises(mt.PoolUnfit) as broken:
        resolve("wasi", "broken")
    assert "create-pool again" in broken.value.recommendation


def test_a_rollback_needs_no_new_pool_nor_a_ready_one():
    with pytest.raises(mt.PoolNotFound, match="no node pool 'gone' to move the workloads to"):
        resolve("wasi", "gone")
    gone = resolve("wasi", "Gone", new_pool_must_exist=False)
    assert gone.new_pool is None and gone.new_pool_name == "gone"
    assert resolve("wasi", "broken", new_pool_must_exist=False).new_pool_name == "broken"
    with pytest.raises(mt.PoolUnfit, match="itself a WASI node pool"):
        resolve("wasi", "wasib", new_pool_must_exist=False)
