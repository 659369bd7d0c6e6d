"""The `cordon`, `uncordon` and `drain` commands for one node pool, minus argument parsing and output.

Order of a drain, chosen so that a drain that cannot work changes nothing:
  1. find the pool's nodes (none: error);           4. cordon (kubectl order: nothing new lands meanwhile);
  2. list their pods and every node, plan          5. list again and plan again (pods scheduled in between);
     (read only);                                   6. evict (Evictor) and return its summary.
  3. refuse early: refused pods (bare, emptyDir, or
     nowhere to land, without flags) or missing RBAC rights;
A dry run stops after 2 and reports what would be evicted and what blocks. Ctrl-C from 4 on raises
DrainInterrupted, which says what was done (nodes left cordoned, pods evicted so far).
"""

from azext_wasimig.drain import cordon as kube_nodes
from azext_wasimig.drain import filters
from azext_wasimig.drain.evict import EVICT_PERMISSION, EvictionInterrupted, Evictor
from azext_wasimig.drain.landing import Landing


def _quiet(_message):
    pass


def cordon_pool(api_client, pool, unschedulable=True, dry_run=False):
    """Cordon (or uncordon) every node of the pool; {"pool", "nodes", "changed", "unschedulable", "dryRun"} -
    ``changed`` is what this call altered (empty on a repeat: idempotent), or with ``dry_run`` what it would."""
    found = kube_nodes.nodes_of_pool(api_client, pool)
    if dry_run:
        changed = [kube_nodes.node_name(n) for n in found
                   if bool((n.get("spec") or {}).get("unschedulable")) != unschedulable]
    else:
        changed = kube_nodes.cordon(api_client, found, unschedulable)
    return {"pool": pool, "nodes": [kube_nodes.node_name(n) for n in found], "changed": changed,
            "unschedulable": unschedulable, "dryRun": dry_run}


def _plan_for(api_client, names, options, landing):
    pods_by_node = kube_nodes.pods_on_nodes(api_client, names)
    return filters.plan([pod for name in names for pod in pods_by_node.get(name, [])], options, names,
                        filters=(*filters.FILTERS, filters.landing_filter(landing)))


def drain_pool(api_client, pool, options, progress=None):
    """Drain the pool (see the module doc); returns the Evictor's summary plus ``pool`` and ``cordoned``."""
    progress = progress or _quiet
    names = [kube_nodes.node_name(n) for n in kube_nodes.nodes_of_pool(api_client, pool)]
    landing = Landing(api_client, names)
    first = _plan_for(api_client, names, options, landing)
    progress(f"pool {pool}: {len(names)} node(s), {len(first.to_evict)} pod(s) to evict, "
             f"{len(first.skipped)} skipped, {len(first.refused)} refused")
    evictor = Evictor(api_client, options, progress)
    if options.dry_run or first.refused:
        return dict(evictor.run(first), pool=pool, cordoned=[])
    _require_permissions(api_client, {d.pod["metadata"]["namespace"] for d in first.to_evict})
    try:
        cordoned = kube_nodes.cordon(api_client, names)
        if cordoned:
            progress(f"pool {pool}: cordoned {', '.join(cordoned)}")
        final = _plan_for(api_client, names, options, landing)
        return dict(evictor.run(final), pool=pool, cordoned=cordoned)
    except EvictionInterrupted as ex:
        raise DrainInterrupted(pool, names, ex.evicted, ex.not_evicted) from None
    except KeyboardInterrupt:
        raise DrainInterrupted(pool, names) from None


class DrainInterrupted(KeyboardInterrupt):
    """Ctrl-C once the drain has started changing things; its message says what was done."""

    def __init__(self, pool, nodes, evicted=None, not_evicted=None):
        super().__init__(pool)
        self.pool, self.nodes, self.evicted, self.not_evicted = pool, nodes, evicted, not_evicted

    def __str__(self):
        nodes = ", ".join(self.nodes)
        if self.evicted is None:
            return (f"Drain of pool '{self.pool}' interrupted while cordoning: some of its nodes ({nodes}) may be "
                    "cordoned; no pod was evicted.")
        return (f"Drain of pool '{self.pool}' interrupted. Its nodes stay cordoned (nothing new is scheduled "
                f"there): {nodes}. Evicted so far (their controllers recreate them elsewhere): "
                f"{_pods(self.evicted)}. Not evicted yet: {_pods(self.not_evicted)}.")


def _pods(keys, shown=10):
    if not keys:
        return "none"
    more = f" and {len(keys) - shown} more" if len(keys) > shown else ""
    return f"{len(keys)} pod(s): {', '.join(keys[:shown])}{more}"


def _require_permissions(api_client, namespaces):
    missing = kube_nodes.missing_drain_permissions(api_client, namespaces)
    if missing:
        from azure.cli.core.azclierror import ForbiddenError
        raise ForbiddenError(
            f"The identity may not drain this pool: it lacks {', '.join(missing)}. Nothing was changed.",
            recommendation=f"Grant it {EVICT_PERMISSION} and `patch` on `nodes` (e.g. the 'Azure Kubernetes "
                           "Service RBAC Cluster Admin' role, or a ClusterRole bound to it), then run again.")
