"""Which pools `delete-pool` and `rollback` act on, proven from what ARM says (pure: a MigrationTarget in).

The old pool is the one irreversible thing in the migration: AKS creates no WASI pool any more (since 2025-05-05),
so a deleted one is gone for good. Before ``delete-pool`` may delete it, ARM must say that it exists, that it is a
WASI pool and that it is not the cluster's last System pool; and the replacement named must be a pool wasimig made
from it (its provenance tag ``wasimig.migratedFrom`` is the old pool's id). ``rollback`` needs the old pool to
exist (there is nothing to go back to otherwise) and deletes the new one only when that tag says so.
"""

import dataclasses

from azext_wasimig.errors import MigrationError
from azext_wasimig.evaluate import inventory
from azext_wasimig.prepare import pool_spec
from azext_wasimig.vocabulary.wasi import PROVENANCE_TAG, is_wasi_pool


class OldPoolGone(MigrationError):
    """The old pool is not in the cluster (deleted already, or misspelt)."""
    kind = "not_found"


class PoolNotDeletable(MigrationError):
    kind = "validation"


class NotMadeFromOld(MigrationError):
    kind = "invalid"


def _where(target):
    return f"cluster '{target.cluster_name}' in resource group '{target.resource_group}'"


def source_id(target, old_name):
    """The provenance value a pool made from ``old_name`` carries (the old pool's ARM id), also once it is gone."""
    return pool_spec.source_pool_id(target.pool(old_name) or {"name": old_name}, target.cluster)


def provenance_of(pool):
    """The pool's ``wasimig.migratedFrom`` tag (an agent-pool resource or a flat profile), or None."""
    pool = pool or {}
    return ((pool.get("properties") or pool).get("tags") or {}).get(PROVENANCE_TAG)


def made_from(pool, target, old_name):
    """Whether ``pool``'s provenance tag says wasimig made it from pool ``old_name`` of this cluster."""
    return pool is not None and pool_spec.compare_existing(pool, source_id(target, old_name)) == "same"


def _replacements(target, old_name):
    return sorted(p["name"] for p in target.pools if made_from(p, target, old_name))


def require_old_pool(target, old_name, *, doing, afterwards):
    """The old pool, or ``OldPoolGone`` saying so clearly (and whether a replacement made from it is there)."""
    old = target.pool(old_name)
    if old is not None:
        return old
    made = _replacements(target, old_name)
    seen = (f" Node pool(s) {', '.join(made)} were made from it by wasimig, so it existed and has been deleted."
            if made else "")
    where = _where(target)
    raise OldPoolGone(f"{where[0].upper()}{where[1:]} has no node pool '{old_name}': nothing to {doing}.{seen}",
                      recommendation=afterwards)


def _is_system(pool):
    return str(inventory.flatten_agent_pool(pool).get("mode") or "").lower() == "system"


def require_wasi(target, old, *, doing):
    """``PoolNotDeletable`` unless ARM says ``old`` is a WASI pool."""
    flat = inventory.flatten_agent_pool(old)
    if is_wasi_pool(flat):
        return
    runtime = flat.get("workloadRuntime") or "OCIContainer (the default)"
    raise PoolNotDeletable(
        f"Node pool '{old['name']}' of {_where(target)} is not a WASI node pool (its workloadRuntime is {runtime}): "
        f"wasimig will only {doing} the WASI pools this migration replaces. Nothing was changed.",
        recommendation=f"Run 'az aks wasi-migrate list -g {target.resource_group} -n {target.cluster_name}' to "
                       "see the cluster's WASI pools.")


def check_deletable(target, old):
    """``PoolNotDeletable`` unless ``old`` is a WASI pool and not the cluster's last System pool."""
    require_wasi(target, old, doing="delete")
    if _is_system(old) and not any(_is_system(p) for p in target.pools if p is not old):
        raise PoolNotDeletable(
            f"Node pool '{old['name']}' is the last System pool of {_where(target)}: a cluster must keep one at all "
            "times. Nothing was deleted.",
            recommendation="Add another System pool first (az aks nodepool add --mode System), then run delete-pool "
                           "again.")


def require_made_from_old(target, new, old_name, *, doing):
    """``NotMadeFromOld`` unless the provenance tag of pool ``new`` names the old pool."""
    if made_from(new, target, old_name):
        return
    made = _replacements(target, old_name)
    tag = provenance_of(new)
    why = f"its {PROVENANCE_TAG} tag names {tag}" if tag else f"it has no {PROVENANCE_TAG} tag"
    raise NotMadeFromOld(
        f"Node pool '{new['name']}' of {_where(target)} was not made from '{old_name}' by wasimig ({why}), so "
        f"wasimig will not {doing}. Nothing was changed.",
        recommendation=(f"Name the pool made from it: {', '.join(made)}." if made else
                        "Make the replacement with 'az aks wasi-migrate create-pool' (it tags it), or move the "
                        "workloads to ACI and pass --aci."))


def _after_deletion(target, old_name):
    return (f"A deleted WASI pool cannot be created again. See what runs where with 'az aks wasi-migrate scan -g "
            f"{target.resource_group} -n {target.cluster_name}', and follow a deletion still running with 'az aks "
            f"wasi-migrate wait -g {target.resource_group} -n {target.cluster_name} --nodepool-name {old_name} "
            "--deleted'.")


def _nothing_to_go_back_to(target, old_name):
    new = target.new_pool_name or "the new pool"
    return (f"A WASI pool cannot be created again (AKS refuses new WasmWasi pools since 2025-05-05), so there is "
            f"nothing to roll back to. What can still be done: keep the workloads on '{new}' and check them with "
            f"'az aks wasi-migrate verify -g {target.resource_group} -n {target.cluster_name} --nodepool-name "
            f"{old_name} --new-nodepool-name {new}', or run them in Azure Container Instances with 'az aks "
            "wasi-migrate create-aci'.")


def prove_for_delete(target, old_name):
    """``target`` with its old pool proven for delete-pool: it exists (``OldPoolGone``, exit code 3, says what can
    still be done), is a WASI pool and not the last System pool, and the new pool (when named) was made from it."""
    old = require_old_pool(target, old_name, doing="delete", afterwards=_after_deletion(target, old_name))
    check_deletable(target, old)
    if target.new_pool is not None:
        require_made_from_old(target, target.new_pool, old["name"], doing=f"delete '{old['name']}' for it")
    return dataclasses.replace(target, wasi_pool=old)


def prove_for_rollback(target, old_name, *, delete_new_pool=False):
    """``target`` with its old pool proven for rollback: it exists (else ``OldPoolGone``: nothing to go back to)
    and is a WASI pool; with ``delete_new_pool``, the new pool (when still there) was made from it."""
    old = require_old_pool(target, old_name, doing="roll back to", afterwards=_nothing_to_go_back_to(target, old_name))
    require_wasi(target, old, doing="roll back to")
    if delete_new_pool and target.new_pool is not None:
        require_made_from_old(target, target.new_pool, old["name"], doing=f"delete '{target.new_pool['name']}'")
    return dataclasses.replace(target, wasi_pool=old)
