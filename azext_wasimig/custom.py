"""Command functions: each joins arguments, clients, a pure core and the output. No logic of its own.

They return plain dicts/lists (the CLI renders them with -o/--query) and never print; progress and
warnings go to stderr through knack's logger.
"""

from knack.log import get_logger

logger = get_logger(__name__)


def wasi_list(cmd, resource_group_name=None, cluster_name=None, all_subscriptions=False):
    from azext_wasimig import inventory
    from azext_wasimig._client_factory import current_subscription_id
    from azext_wasimig.arm import list_clusters
    if cluster_name:
        return _list_one_cluster(cmd, resource_group_name, cluster_name)
    if all_subscriptions:
        return _list_all_subscriptions(cmd)
    subscription_id = current_subscription_id(cmd.cli_ctx)
    clusters = list_clusters(cmd.cli_ctx, subscription_id, resource_group_name)
    return inventory.sort_records(inventory.wasi_records(clusters, subscription_id))


def _list_one_cluster(cmd, resource_group_name, cluster_name):
    from azext_wasimig import inventory
    from azext_wasimig.arm import get_cluster_and_pools
    cluster, pools = get_cluster_and_pools(cmd.cli_ctx, resource_group_name, cluster_name)
    return inventory.sort_records(inventory.to_record(cluster, pool) for pool in pools
                                  if inventory.is_wasi_pool(inventory.flatten_agent_pool(pool)))


def _list_all_subscriptions(cmd):
    from azext_wasimig import inventory
    from azext_wasimig._progress import progress
    from azext_wasimig.arm import list_clusters, visible_subscriptions
    subscriptions = visible_subscriptions(cmd.cli_ctx)
    logger.info("Searching %d subscriptions", len(subscriptions))
    with progress(cmd.cli_ctx) as report:
        finished = []

        def on_done(subscription_id, _error):
            finished.append(subscription_id)
            report(f"{len(finished)}/{len(subscriptions)} subscriptions searched")

        records, failures = inventory.find_in_subscriptions(
            sorted(subscriptions), lambda sub: list_clusters(cmd.cli_ctx, sub), on_done=on_done)
    for subscription_id, error in sorted(failures.items()):
        logger.warning("Skipped subscription %s (%s): %s", subscription_id, subscriptions[subscription_id],
                       _first_line(error))
    return records


def _first_line(error):
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def wasi_show(cmd, resource_group_name, cluster_name, nodepool_name):
    from azext_wasimig import inventory
    from azext_wasimig.arm import get_cluster_and_pools, require_wasi_pool
    cluster, pools = get_cluster_and_pools(cmd.cli_ctx, resource_group_name, cluster_name, nodepool_name)
    pool = require_wasi_pool(cluster, pools, nodepool_name, resource_group_name)
    return {**inventory.to_record(cluster, pool), "agentPool": pool}


def wasi_create_pool(cmd, resource_group_name, cluster_name, nodepool_name, new_nodepool_name=None,
                     vm_size=None, node_count=None, min_count=None, max_count=None, zones=None, labels=None,
                     spin_shim=False, dry_run=False, no_wait=False):
    from azext_wasimig import arm
    from azext_wasimig._errors import user_errors
    from azext_wasimig.targets import pool_spec
    cluster, pools = arm.get_cluster_and_pools(cmd.cli_ctx, resource_group_name, cluster_name)
    old = arm.require_wasi_pool(cluster, pools, nodepool_name, resource_group_name)
    source = pool_spec.source_pool_id(old, cluster)
    overrides = dict(vm_size=vm_size, node_count=node_count, min_count=min_count, max_count=max_count,
                     zones=zones, labels=labels)
    with user_errors(pool_spec.PoolSpecError):
        name = new_nodepool_name or pool_spec.derive_pool_name(old["name"], pools, source)
        existing = arm.find_pool(pools, name)
        if pool_spec.check_existing(existing, source, name):
            logger.warning("Node pool '%s' already exists and was made from '%s': nothing to do.", name,
                           nodepool_name)
            return _pool_result("unchanged", name, source, existing, [])
        body, notes = pool_spec.replacement(old, cluster, name, overrides, spin_shim)
    for note in notes:
        logger.warning(note)
    if dry_run:
        return _pool_result("wouldCreate", name, source, body, notes)
    created = arm.create_pool(cmd, resource_group_name, cluster_name, name, body, no_wait=no_wait)
    return None if no_wait else _pool_result("created", name, source, created, notes)


def _pool_result(action, name, source, pool, notes):
    """What create-pool prints: stable keys for runbooks (action: created | unchanged | wouldCreate)."""
    return {"action": action, "nodepoolName": name, "sourceNodepoolId": source, "notes": notes, "agentPool": pool}


def wasi_pool_get(cmd, resource_group_name, cluster_name, nodepool_name):
    """The getter behind `wait`: the agent pool as the SDK returns it (the CLI reads provisioningState)."""
    from azext_wasimig._client_factory import cf_agent_pools
    return cf_agent_pools(cmd.cli_ctx).get(resource_group_name, cluster_name, nodepool_name)
