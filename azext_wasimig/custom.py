"""Command functions: each joins arguments, clients, a pure core and the output. No logic of its own.

They return plain dicts/lists (the CLI renders them with -o/--query) and never print; progress and
warnings go to stderr through knack's logger.
"""

import sys
from contextlib import contextmanager

from knack.log import get_logger

logger = get_logger(__name__)


def _as_dict(model):
    """SDK hybrid models (containerservice >= 41) are dict-like; keep the REST camelCase shape."""
    return model.as_dict() if hasattr(model, "as_dict") else dict(model)


def wasi_list(cmd, resource_group_name=None, cluster_name=None, all_subscriptions=False):
    from azext_wasimig import inventory
    from azext_wasimig._client_factory import current_subscription_id
    if cluster_name:
        return _list_one_cluster(cmd, resource_group_name, cluster_name)
    if all_subscriptions:
        return _list_all_subscriptions(cmd)
    subscription_id = current_subscription_id(cmd.cli_ctx)
    clusters = _list_clusters(cmd, subscription_id, resource_group_name)
    return inventory.sort_records(inventory.wasi_records(clusters, subscription_id))


def _list_clusters(cmd, subscription_id, resource_group_name=None):
    """Every cluster of a subscription (or one resource group) as dicts: one paged list call."""
    from azext_wasimig._client_factory import cf_managed_clusters
    from azext_wasimig._errors import raise_cli_error
    client = cf_managed_clusters(cmd.cli_ctx, subscription_id=subscription_id)
    scope = f"resource group '{resource_group_name}'" if resource_group_name else f"subscription {subscription_id}"
    try:
        pages = (client.list_by_resource_group(resource_group_name) if resource_group_name else client.list())
        return [_as_dict(cluster) for cluster in pages]
    except Exception as ex:  # pylint: disable=broad-except
        raise_cli_error(ex, f"listing the AKS clusters in {scope}")


def _list_one_cluster(cmd, resource_group_name, cluster_name):
    from azext_wasimig import inventory
    cluster, pools = _get_cluster_and_pools(cmd, resource_group_name, cluster_name)
    return inventory.sort_records(inventory.to_record(cluster, pool) for pool in pools if inventory.is_wasi_pool(
        inventory.flatten_agent_pool(pool)))


def _get_cluster_and_pools(cmd, resource_group_name, cluster_name, nodepool_name=None):
    """The cluster and its agent pools (or just ``nodepool_name``) as dicts, 404s made CLI errors."""
    from azext_wasimig._client_factory import cf_container_service
    from azext_wasimig._errors import raise_cli_error
    client = cf_container_service(cmd.cli_ctx)
    what = f"reading cluster '{cluster_name}' in resource group '{resource_group_name}'"
    try:
        cluster = _as_dict(client.managed_clusters.get(resource_group_name, cluster_name))
        if nodepool_name is None:
            return cluster, [_as_dict(p) for p in client.agent_pools.list(resource_group_name, cluster_name)]
        what = f"reading node pool '{nodepool_name}' of cluster '{cluster_name}'"
        return cluster, [_as_dict(client.agent_pools.get(resource_group_name, cluster_name, nodepool_name))]
    except Exception as ex:  # pylint: disable=broad-except
        raise_cli_error(ex, what)


def _list_all_subscriptions(cmd):
    from azext_wasimig import inventory
    subscriptions = _visible_subscriptions(cmd)
    logger.info("Searching %d subscriptions", len(subscriptions))
    with _progress(cmd) as progress:
        finished = []

        def on_done(subscription_id, _error):
            finished.append(subscription_id)
            progress(f"{len(finished)}/{len(subscriptions)} subscriptions searched")

        records, failures = inventory.find_in_subscriptions(
            sorted(subscriptions), lambda sub: _list_clusters(cmd, sub), on_done=on_done)
    for subscription_id, error in sorted(failures.items()):
        logger.warning("Skipped subscription %s (%s): %s", subscription_id, subscriptions[subscription_id],
                       _first_line(error))
    return records


def _visible_subscriptions(cmd):
    """{subscription id: display name} of every enabled subscription the signed-in identity can see."""
    from azext_wasimig._client_factory import cf_subscriptions
    from azext_wasimig._errors import raise_cli_error
    try:
        # azure-mgmt-resource models are msrest models: read attributes (as_dict() would be snake_case).
        found = list(cf_subscriptions(cmd.cli_ctx).list())
    except Exception as ex:  # pylint: disable=broad-except
        raise_cli_error(ex, "listing the subscriptions you can see")
    visible = {}
    for sub in found:
        if str(getattr(sub.state, "value", sub.state) or "Enabled").lower() == "disabled":
            logger.info("Not searching disabled subscription %s", sub.subscription_id)
            continue
        visible[sub.subscription_id] = sub.display_name or ""
    return visible


@contextmanager
def _progress(cmd):
    """A progress line on stderr while long work runs, only for a person at a terminal: a runbook's
    captured stderr should hold warnings and errors, not bars."""
    if not sys.stderr.isatty():
        yield lambda message: logger.info(message)
        return
    controller = cmd.cli_ctx.get_progress_controller(det=False)
    controller.begin()
    try:
        yield lambda message: controller.add(message=message)
    finally:
        controller.end()


def _first_line(error):
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def wasi_show(cmd, resource_group_name, cluster_name, nodepool_name):
    from azure.cli.core.azclierror import InvalidArgumentValueError
    from azext_wasimig import inventory
    cluster, (pool,) = _get_cluster_and_pools(cmd, resource_group_name, cluster_name, nodepool_name)
    flat = inventory.flatten_agent_pool(pool)
    if not inventory.is_wasi_pool(flat):
        runtime = flat.get("workloadRuntime") or "OCIContainer (the default)"
        raise InvalidArgumentValueError(
            f"Node pool '{nodepool_name}' of cluster '{cluster_name}' is not a WASI node pool: its workloadRuntime "
            f"is {runtime}. Nothing there needs migrating.",
            recommendation=f"Run 'az aks wasi-migrate list -g {resource_group_name} -n {cluster_name}' "
                           "to see the cluster's WASI pools.")
    return {**inventory.to_record(cluster, pool), "agentPool": pool}
