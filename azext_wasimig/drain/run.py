"""The `cordon`, `uncordon` and `drain` of one node pool, minus argument parsing and output (kubectl's default.go).

Order of a drain, chosen so that a drain that cannot work changes nothing:
  1. find the pool's nodes (none: PoolHasNoNodes);  4. cordon (kubectl order: nothing new lands meanwhile);
  2. list their pods and every node, plan          5. list again and plan again (pods scheduled in between);
     (read only);                                   6. evict (Evictor); pods left behind: DrainIncomplete.
  3. refuse early: refused pods (bare, emptyDir, or
     nowhere to land, without flags) or missing RBAC rights (Forbidden);
A dry run stops after 2 and reports what would be evicted and what blocks. Ctrl-C from 4 on raises
DrainInterrupted, which says what was done (nodes left cordoned, pods evicted so far) and how to undo it.
"""

from azext_wasimig.drain import cordon, filters
from azext_wasimig.drain.errors import (DrainIncomplete, DrainInterrupted, EvictionInterrupted, Forbidden,
                                        is_incomplete)
from azext_wasimig.drain.evict import EVICT_PERMISSION, Evictor
from azext_wasimig.drain.landing import Landing


def _quiet(_message):
    pass


def cordon_pool(api_client, pool, unschedulable=True, *, dry_run=False):
    """Cordon (or uncordon) every node of the pool; {"pool", "nodes", "changed", "unschedulable", "dryRun"} -
    ``changed`` is what this call altered (empty on a repeat: idempotent), or with ``dry_run`` what it would."""
    found = cordon.nodes_of_pool(api_client, pool)
    if dry_run:
        changed = [cordon.node_name(n) for n in found
                   if bool((n.get("spec") or {}).get("unschedulable")) != unschedulable]
    else:
        changed = cordon.cordon(api_client, found, unschedulable)
    return {"pool": pool, "nodes": [cordon.node_name(n) for n in found], "changed": changed,
            "unschedulable": unschedulable, "dryRun": dry_run}


def drain_pool(api_client, target, options, *, progress=None, nodes=None):
    """Drain the WASI pool of ``target`` (a MigrationTarget: its names word the undo command on Ctrl-C) in the
    order of the module doc; returns the Evictor's summary plus ``pool`` and ``cordoned``.

    ``nodes``: only these nodes of the pool (a batch of a cutover's drain; names not in the pool are ignored): the
    others are neither cordoned nor drained here, and pods are not counted as landing on the batch's nodes."""
    pool, say = target.wasi_pool_name, progress or _quiet
    names = [cordon.node_name(n) for n in cordon.nodes_of_pool(api_client, pool)]
    if nodes is not None:
        names = [name for name in names if name in set(nodes)]
    landing = Landing(api_client, names)
    first = _plan_for(api_client, names, options, landing)
    scope = f"{len(names)} node(s)" if nodes is None else f"{len(names)} node(s) of this batch"
    say(f"pool {pool}: {scope}, {len(first.to_evict)} pod(s) to evict, "
        f"{len(first.skipped)} skipped, {len(first.refused)} refused")
    evictor = Evictor(api_client, options, say)
    if options.dry_run or first.refused:
        return _outcome(evictor.run(first), pool, cordoned=[])
    _require_permissions(api_client, {d.pod["metadata"]["namespace"] for d in first.to_evict})
    try:
        cordoned = cordon.cordon(api_client, names)
        if cordoned:
            say(f"pool {pool}: cordoned {', '.join(cordoned)}")
        final = _plan_for(api_client, names, options, landing)
        return _outcome(evictor.run(final), pool, cordoned=cordoned)
    except EvictionInterrupted as ex:
        raise DrainInterrupted(pool, names, uncordon_command(target), ex) from None
    except KeyboardInterrupt:
        raise DrainInterrupted(pool, names, uncordon_command(target)) from None


def uncordon_command(target):
    return (f"az aks wasi-migrate uncordon -g {target.resource_group} -n {target.cluster_name} "
            f"--nodepool-name {target.wasi_pool_name} --yes")


def _plan_for(api_client, names, options, landing):
    pods_by_node = cordon.pods_on_nodes(api_client, names)
    return filters.plan([pod for name in names for pod in pods_by_node.get(name, [])], options, names,
                        filters=(*filters.FILTERS, filters.landing_filter(landing)))


def _outcome(summary, pool, *, cordoned):
    """The summary the drain returns; a drain that left pods on the pool raises DrainIncomplete with it."""
    summary = dict(summary, pool=pool, cordoned=cordoned)
    if is_incomplete(summary):
        raise DrainIncomplete(summary)
    return summary


def _require_permissions(api_client, namespaces):
    missing = cordon.missing_drain_permissions(api_client, namespaces)
    if missing:
        raise Forbidden(
            f"The identity may not drain this pool: it lacks {', '.join(missing)}. Nothing was changed.",
            recommendation=f"Grant it {EVICT_PERMISSION} and `patch` on `nodes` (e.g. the 'Azure Kubernetes "
                           "Service RBAC Cluster Admin' role, or a ClusterRole bound to it), then run again.")
