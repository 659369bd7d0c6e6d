"""Shared by the decommission unit tests: a cluster's pools as ARM returns them, pods, a finished poller."""

from azext_wasimig.migration_target import resolve

CLUSTER_ID = "/subscriptions/s/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/c"


def _pool(name, mode="User", runtime=None, tags=None):
    props = {"mode": mode, "provisioningState": "Succeeded", "count": 2, "vmSize": "Standard_D2s_v5"}
    if runtime:
        props["workloadRuntime"] = runtime
    if tags:
        props["tags"] = tags
    return {"name": name, "id": f"{CLUSTER_ID}/agentPools/{name}", "properties": props}


def target(new="std", made_from="wasi", wasi_mode="User", system_pools=1, new_gone=False):
    """The cluster: System pool(s), the WASI pool, ``std`` made from ``made_from`` (none when ``new_gone``), and
    ``hand`` made by hand; ``new`` named as the new pool (as a rollback names one already deleted)."""
    pools = [_pool(f"sys{i}", "System") for i in range(system_pools)]
    pools += [_pool("wasi", wasi_mode, runtime="WasmWasi"), _pool("hand")]
    if not new_gone:
        pools.append(_pool("std", tags={"wasimig.migratedFrom": f"{CLUSTER_ID}/agentPools/{made_from}"}))
    return resolve({"name": "c", "id": CLUSTER_ID}, pools, "rg", new_nodepool_name=new, new_pool_must_exist=not new_gone)


def pod(name, kind=None, phase="Running"):
    refs = [{"kind": kind, "name": "x", "controller": True}] if kind else []
    return {"metadata": {"namespace": "ns", "name": name, "ownerReferences": refs},
            "spec": {"nodeName": "wasi-0"}, "status": {"phase": phase}}


class Done:
    def done(self):
        return True

    def result(self):
        return None
