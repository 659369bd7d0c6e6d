"""Which new home verify checks, proven from what ARM says before the cluster is read (pure: a MigrationTarget in).

The new pool must exist (a name ARM does not know is exit code 3, not a failed gate), and when it carries the
provenance tag create-pool writes, that tag must name OLD: a pool made from another WASI pool belongs to another
move. A pool made by hand (no tag) is taken as the user says: retarget accepts any standard pool too.
"""

from azext_wasimig.errors import MigrationError


class NewPoolNotFound(MigrationError):
    kind = "not_found"


class NotThisMovesPool(MigrationError):
    kind = "invalid"


def check_new_pool(target):
    """Raise unless ``target.new_pool`` exists and was not made from another pool than ``target.wasi_pool``."""
    from azext_wasimig.evaluate import inventory
    from azext_wasimig.prepare import pool_spec
    where = f"-g {target.resource_group} -n {target.cluster_name}"
    if target.new_pool is None:
        raise NewPoolNotFound(
            f"Cluster '{target.cluster_name}' has no node pool '{target.new_pool_name}' to verify.",
            recommendation=f"Name the pool the workloads moved to (az aks wasi-migrate list {where} shows the WASI "
                           "pools; az aks nodepool list shows all), or use --aci for a move to container groups.")
    made_from = (inventory.flatten_agent_pool(target.new_pool).get("tags") or {}).get(pool_spec.PROVENANCE_TAG)
    source = pool_spec.source_pool_id(target.wasi_pool, target.cluster)
    if made_from and pool_spec.compare_existing(target.new_pool, source) != "same":
        raise NotThisMovesPool(
            f"Node pool '{target.new_pool_name}' was made by create-pool from {made_from}, not from "
            f"'{target.wasi_pool_name}': it is the new home of another move.",
            recommendation="Pass the --nodepool-name it was made from, or the --new-nodepool-name made from "
                           f"'{target.wasi_pool_name}'.")
