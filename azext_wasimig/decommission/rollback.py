"""`rollback`: the whole way back to the old pool, in the reverse order of the migration (orchestration; plain
inputs, clients and callbacks in).

  0. a cutover of the pool must not be running; its record, when there is one, is told which phases to run again;
  1. uncordon the old pool (``drain`` cordoned it): its nodes take pods again;
  2. restore every workload of this move (old -> new) from the placement retarget saved (retarget's own rollback,
     which remains the step on its own: placement only);
  3. wait until those workloads are available again, on the old pool (kubectl's rollout-status rules), then delete
     the companion copies a cutover's parallel phase left on the new pool (``removeCompanions``: only Deployments
     with every companion mark naming this cluster and old pool; not with ``--aci``);
  4. only with ``--delete-new-pool``: delete the new pool, if its provenance tag says wasimig made it from the old
     one (``pair``, checked before the first change), once nothing but DaemonSet, mirror or finished pods runs there;
  5. only with ``--delete-aci``: delete the container groups wasimig made for this move (their provenance tags).
Every step is idempotent and reported, so a second run changes nothing. A deleted old pool cannot come back (AKS
makes no WASI pool any more): then the rollback is refused, saying what can still be done.
"""

from dataclasses import dataclass
from typing import Optional

from azext_wasimig import waiting
from azext_wasimig.decommission import aci_groups, cluster, pair, pool_delete, record
from azext_wasimig.errors import MigrationError

RESTORED = ("patched", "unchanged")   # retarget's row actions for a workload whose placement is the saved one


class NewPoolStillBusy(MigrationError):
    kind = "incomplete"


@dataclass(frozen=True)
class RollbackRequest:
    """``old``/``new``: the pools as the user named them (``new`` None with ``aci``: the move went to container
    groups, and ``cutover --aci`` scaled the in-cluster copies to 0); ``delete_aci``: the resource group of the
    move's container groups to delete (None: keep them); ``timeout``: seconds for each wait (workloads back, the new
    pool empty)."""
    old: str
    new: Optional[str]
    delete_new_pool: bool = False
    delete_aci: Optional[str] = None
    dry_run: bool = False
    timeout: int = 600
    aci: bool = False


def _ignore(_message):
    pass


def _step(name, action, **details):
    return {"step": name, "action": action, **details}


def _cutover_record(api_client, target, request):
    """First, before any change: a cutover of this pool must not be running, and its record will say that the
    phases undone here are to be run again (the new pool's creation too, when it is deleted)."""
    from azext_wasimig.cutover import run
    return run.reset_after_rollback(api_client, target, keep_prepare=not (request.delete_new_pool or
                                                                          request.delete_aci),
                                    dry_run=request.dry_run)


def _uncordon(api_client, old, dry_run):
    from azext_wasimig import drain
    changed = drain.cordon_pool(api_client, old, unschedulable=False, dry_run=dry_run)["changed"]
    action = ("wouldUncordon" if dry_run else "uncordoned") if changed else "unchanged"
    return _step("uncordon", action, nodepool=old, nodes=changed)


def _restore(api_client, target, request, note, info):
    from azext_wasimig.retarget.run import RetargetRequest, run
    rows = run(api_client, RetargetRequest(old=target.wasi_pool_name, new=target.new_pool_name, phase="rollback",
                                           dry_run=request.dry_run),
               cluster_name=target.cluster_name, wait_timeout=None,   # step 3 waits, with the old pool's gates
               note=note, progress=info, info=info)
    changed = [r for r in rows if r.get("action") in ("patched", "wouldPatch")]
    action = ("wouldRestore" if request.dry_run else "restored") if changed else "unchanged"
    return _step("restore", action, workloads=rows), rows


def _restore_replicas(api_client, old, request):
    """``cutover --aci``'s switch undone: the in-cluster copies it scaled to 0 get their saved replicas back."""
    from azext_wasimig.cutover import aci_switch
    rows = aci_switch.restore(api_client, old, dry_run=request.dry_run)
    changed = [r for r in rows if r["action"] in ("patched", "wouldPatch")]
    action = ("wouldRestore" if request.dry_run else "restored") if changed else "unchanged"
    return _step("restoreReplicas", action, workloads=rows), rows


def _wait_available(api_client, old, rows, request, note):
    keys = [(r["namespace"], r["kind"], r["name"]) for r in rows if r.get("action") in RESTORED]
    cluster.wait_rolled_out(api_client, keys, old, request.timeout, progress=note)
    return _step("waitAvailable", "available", nodepool=old, workloadCount=len(keys))


def _remove_companions(api_client, target, request, note):
    from azext_wasimig.cutover import companion
    from azext_wasimig.vocabulary.kubernetes import object_key
    found = companion.find(api_client, companion.cluster_mark(target), target.wasi_pool_name)
    names = [companion.show(object_key(c)) for c in found]
    if not found:
        return _step("removeCompanions", "none", companions=[])
    if request.dry_run:
        return _step("removeCompanions", "wouldDelete", companions=names)
    note(f"Deleting the companion copies {', '.join(names)} (made by the cutover's parallel phase)...")
    results = {name: companion.delete(api_client, c) for name, c in zip(names, found)}
    return _step("removeCompanions", "deleted", companions=names, results=results)


def _in_the_way(api_client, pool):
    return record.leftovers(cluster.pods_on_pool(api_client, pool))


def _delete_new_pool(api_client, target, clients, request, *, progress, note):
    if target.new_pool is None:
        return _step("deleteNewPool", "alreadyGone", nodepool=target.new_pool_name)
    name = target.new_pool_name
    if request.dry_run:
        return _step("deleteNewPool", "wouldDelete", nodepool=name, podsInTheWay=_in_the_way(api_client, name))
    try:
        waiting.wait_until(lambda: _in_the_way(api_client, name), lambda found: not found, 2, request.timeout)
    except waiting.WaitTimeout as ex:
        raise NewPoolStillBusy(
            f"Node pool '{name}' still runs pods other than DaemonSet pods after {request.timeout} s, so it was not "
            f"deleted (the workloads are back on '{target.wasi_pool_name}'):\n{record.leftovers_text(ex.last)}",
            recommendation="Move or delete those pods, then run rollback again.") from ex
    note(f"Deleting node pool '{name}' (made from '{target.wasi_pool_name}')...")
    return _step("deleteNewPool", pool_delete.delete_pool(clients.agent_pools, target, name, progress=progress),
                 nodepool=name)


def _delete_groups(target, clients, request, progress, note):
    resource_group = request.delete_aci
    names = aci_groups.names_of_move(clients.container_groups, resource_group, target.cluster.get("id"),
                                     target.wasi_pool_name)
    if not names:
        return _step("deleteAci", "none", resourceGroup=resource_group, containerGroups=[])
    if request.dry_run:
        return _step("deleteAci", "wouldDelete", resourceGroup=resource_group, containerGroups=names)
    note(f"Deleting container group(s) {', '.join(names)} in resource group '{resource_group}'...")
    return _step("deleteAci", "deleted", resourceGroup=resource_group,
                 containerGroups=aci_groups.delete_all(clients.container_groups, resource_group, names,
                                                       progress=progress))


def question(target, request):
    moved = ("scale the workloads moved to container groups back to their saved replicas" if request.aci else
             f"restore the saved placement of the workloads moved to '{target.new_pool_name}' (rolling updates)")
    parts = [f"uncordon WASI pool '{target.wasi_pool_name}'", f"{moved} and wait for them there"]
    if request.delete_new_pool and target.new_pool is not None:
        parts.append(f"DELETE node pool '{target.new_pool_name}'")
    if request.delete_aci:
        parts.append(f"DELETE the container groups made for this move in resource group '{request.delete_aci}'")
    return f"This will {', '.join(parts)} in cluster '{target.cluster_name}'. Continue?"


def run_rollback(target, clients, request, *, confirm, note=_ignore, info=_ignore, progress=waiting.no_progress):
    """``{"resourceGroup", "clusterName", "nodepool", "newNodepool", "dryRun", "steps": [{"step", "action", ...}]}``:
    cutoverRecord, uncordon, restore, waitAvailable (not in a dry run), removeCompanions (not with --aci),
    deleteNewPool, deleteAci (when asked)."""
    target = pair.prove_for_rollback(target, request.old, delete_new_pool=request.delete_new_pool)
    api_client, old = clients.connect(), target.wasi_pool_name
    if not request.dry_run:
        confirm(question(target, request))
    done = [_cutover_record(api_client, target, request)]
    done.append(_uncordon(api_client, old, request.dry_run))
    note(f"Node pool '{old}': {done[-1]['action']}")
    restored, rows = (_restore_replicas(api_client, old, request) if request.aci else
                      _restore(api_client, target, request, note, info))
    done.append(restored)
    if not request.dry_run:
        done.append(_wait_available(api_client, old, rows, request, note))
    if not request.aci:
        done.append(_remove_companions(api_client, target, request, note))
    if request.delete_new_pool:
        done.append(_delete_new_pool(api_client, target, clients, request, progress=progress, note=note))
    if request.delete_aci:
        done.append(_delete_groups(target, clients, request, progress, note))
    return {"resourceGroup": target.resource_group, "clusterName": target.cluster_name, "nodepool": old,
            "newNodepool": target.new_pool_name, "dryRun": request.dry_run, "steps": done}
