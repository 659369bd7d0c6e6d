"""What a command acts on, proven against what Azure says and named as Azure spells it (pure: plain dicts in).

ARM looks names up case-insensitively (``--nodepool-name WASI`` finds pool ``wasi``), but Kubernetes labels,
and so the pins retarget writes and the nodes cordon looks for, compare exactly. ``resolve`` is the one place
that turns what the user typed into a ``MigrationTarget``; everything downstream uses its canonical names.

Proven here, before anything is read from or written to the cluster:
- the old pool exists and is a WASI pool (``allow_other`` lets the reversible cordon/uncordon act on another);
- the new pool, when named, is not a WASI pool (its nodes would be recreated without the workloads' runtime) and
  not a System pool (AKS's system pods live there; user workloads are kept off it), and when it must take
  workloads, AKS has finished making it (provisioningState Succeeded).
"""

from dataclasses import dataclass
from typing import Optional, Tuple

from azext_wasimig.evaluate import inventory
from azext_wasimig.vocabulary.wasi import is_wasi_pool

SUCCEEDED = "Succeeded"


class TargetError(ValueError):
    """What the user named does not fit; the message says why, ``recommendation`` what to run."""

    def __init__(self, message, recommendation=None):
        super().__init__(message)
        self.recommendation = recommendation


class PoolNotFound(TargetError):
    pass


class PoolUnfit(TargetError):
    pass


@dataclass(frozen=True)
class MigrationTarget:
    """The cluster and its pools as ARM returned them, the proven old (WASI) pool and the proven new pool (None when
    not named, or named but absent where that is allowed, e.g. a rollback after the new pool was deleted)."""
    resource_group: str
    cluster: dict
    pools: Tuple[dict, ...]
    wasi_pool: Optional[dict] = None
    new_pool: Optional[dict] = None
    missing_new_pool_name: Optional[str] = None

    @property
    def cluster_name(self):
        return self.cluster.get("name")

    @property
    def subscription_id(self):
        return inventory.subscription_of(self.cluster.get("id"))

    @property
    def wasi_pool_name(self):
        return self.wasi_pool.get("name") if self.wasi_pool else None

    @property
    def new_pool_name(self):
        return self.new_pool.get("name") if self.new_pool else self.missing_new_pool_name

    @property
    def wasi_pool_names(self):
        """Every WASI pool of the cluster, sorted."""
        return sorted(p["name"] for p in self.pools if is_wasi_pool(p))

    def pool(self, name):
        return find_pool(self.pools, name)


def find_pool(pools, name):
    """The pool ARM would find under ``name`` (pool names are case-insensitive in ARM)."""
    return next((p for p in pools if str(p.get("name", "")).lower() == str(name).lower()), None)


def _is_system(pool):
    return str(inventory.flatten_agent_pool(pool).get("mode") or "").lower() == "system"


def resolve(cluster, pools, resource_group, *, nodepool_name=None, new_nodepool_name=None, allow_other=False,
            new_pool_must_exist=True, acting_on_pool=False):
    """The ``MigrationTarget`` for what the user named; ``TargetError`` for anything that does not fit.
    ``acting_on_pool``: the command changes the old pool's nodes (cordon, uncordon, drain), which is never done
    to a System pool, whatever ``allow_other`` says."""
    pools = tuple(pools)
    where = _Where(resource_group, cluster.get("name"))
    wasi = _old_pool(pools, nodepool_name, where, allow_other, acting_on_pool) if nodepool_name else None
    new, missing = None, None
    if new_nodepool_name:
        new = _new_pool(pools, new_nodepool_name, where, must_exist=new_pool_must_exist)
        missing = None if new else new_nodepool_name.lower()   # AKS pool names are lowercase
    return MigrationTarget(resource_group, cluster, pools, wasi, new, missing)


@dataclass(frozen=True)
class _Where:
    resource_group: str
    cluster_name: str

    @property
    def list_command(self):
        return f"az aks wasi-migrate list -g {self.resource_group} -n {self.cluster_name}"


def _old_pool(pools, name, where, allow_other, acting_on_pool=False):
    pool = find_pool(pools, name)
    if pool is None:
        raise PoolNotFound(f"Cluster '{where.cluster_name}' has no node pool '{name}'. Run '{where.list_command}' "
                           "to see its WASI pools.")
    if acting_on_pool and _is_system(pool):
        raise PoolUnfit(f"Node pool '{pool['name']}' of cluster '{where.cluster_name}' is a System node pool: it runs "
                        "the cluster's own pods, and this extension never cordons, uncordons or drains one, --force "
                        "included. Nothing was changed.",
                        recommendation=f"Run '{where.list_command}' to see the cluster's WASI pools.")
    flat = inventory.flatten_agent_pool(pool)
    if not is_wasi_pool(flat) and not allow_other:
        runtime = flat.get("workloadRuntime") or "OCIContainer (the default)"
        raise PoolUnfit(f"Node pool '{pool['name']}' of cluster '{where.cluster_name}' is not a WASI node pool: its "
                        f"workloadRuntime is {runtime}. Nothing there needs migrating.",
                        recommendation=f"Run '{where.list_command}' to see the cluster's WASI pools.")
    return pool


def _new_pool(pools, name, where, must_exist):
    pool = find_pool(pools, name)
    if pool is None:
        if not must_exist:
            return None
        raise PoolNotFound(
            f"Cluster '{where.cluster_name}' has no node pool '{name}' to move the workloads to.",
            recommendation=f"Create it first: az aks wasi-migrate create-pool -g {where.resource_group} "
                           f"-n {where.cluster_name} --nodepool-name <the WASI pool> --new-nodepool-name {name}")
    name = pool["name"]
    if is_wasi_pool(pool):
        raise PoolUnfit(f"Node pool '{name}' of cluster '{where.cluster_name}' is itself a WASI node pool: workloads "
                        "moved there would stop running when AKS recreates its nodes. Name a standard (OCIContainer) "
                        "pool, e.g. one made by 'az aks wasi-migrate create-pool'.")
    if _is_system(pool):
        raise PoolUnfit(f"Node pool '{name}' of cluster '{where.cluster_name}' is a System pool: it runs the cluster's "
                        "own system pods and must not take the workloads. Name a User pool, e.g. one made by "
                        "'az aks wasi-migrate create-pool'.")
    state = inventory.provisioning_state(pool)
    if must_exist and state != SUCCEEDED:
        raise PoolUnfit(
            f"Node pool '{name}' of cluster '{where.cluster_name}' is in provisioning state {state or 'unknown'}, "
            f"not {SUCCEEDED}: it cannot take the workloads yet.",
            recommendation=_not_ready_advice(state, where, name))
    return pool


def _not_ready_advice(state, where, name):
    if state.lower() in ("failed", "canceled"):
        return (f"Run create-pool again (it re-sends a pool it made), or see 'az aks nodepool show -g "
                f"{where.resource_group} --cluster-name {where.cluster_name} -n {name}' for what went wrong.")
    return (f"Wait for it: az aks wasi-migrate wait -g {where.resource_group} -n {where.cluster_name} "
            f"--nodepool-name {name} --created")


@dataclass(frozen=True)
class ClusterAccess:
    """How to reach the cluster's API server: ARM's user credentials (default), its admin credentials
    (--admin), or a kubeconfig file (--kubeconfig, optionally --context) proven to be this cluster's."""
    admin: bool = False
    kubeconfig: str = None
    context: str = None
