"""The ARM edge: fetch clusters and pools as plain dicts and apply pool changes, with SDK errors turned
into CLI errors. Every function takes the CLI context; the pure cores never see a client.
"""

from knack.log import get_logger

logger = get_logger(__name__)


def as_dict(model):
    """SDK hybrid models (containerservice >= 41) are dict-like; keep the REST camelCase shape."""
    return model.as_dict() if hasattr(model, "as_dict") else dict(model)


def list_clusters(cli_ctx, subscription_id, resource_group_name=None):
    """Every cluster of a subscription (or one resource group) as dicts: one paged list call."""
    from azext_wasimig._client_factory import cf_managed_clusters
    from azext_wasimig._errors import raise_cli_error
    client = cf_managed_clusters(cli_ctx, subscription_id=subscription_id)
    scope = f"resource group '{resource_group_name}'" if resource_group_name else f"subscription {subscription_id}"
    try:
        pages = client.list_by_resource_group(resource_group_name) if resource_group_name else client.list()
        return [as_dict(cluster) for cluster in pages]
    except Exception as ex:  # pylint: disable=broad-except
        raise_cli_error(ex, f"listing the AKS clusters in {scope}")


def visible_subscriptions(cli_ctx):
    """{subscription id: display name} of every enabled subscription the signed-in identity can see."""
    from azext_wasimig._client_factory import cf_subscriptions
    from azext_wasimig._errors import raise_cli_error
    try:
        # azure-mgmt-resource models are msrest models: read attributes (as_dict() would be snake_case).
        found = list(cf_subscriptions(cli_ctx).list())
    except Exception as ex:  # pylint: disable=broad-except
        raise_cli_error(ex, "listing the subscriptions you can see")
    visible = {}
    for sub in found:
        if str(getattr(sub.state, "value", sub.state) or "Enabled").lower() == "disabled":
            logger.info("Not searching disabled subscription %s", sub.subscription_id)
            continue
        visible[sub.subscription_id] = sub.display_name or ""
    return visible


def get_cluster_and_pools(cli_ctx, resource_group_name, cluster_name, nodepool_name=None):
    """The cluster and its agent pools (or just ``nodepool_name``) as dicts; 404s become exit code 3."""
    from azext_wasimig._client_factory import cf_container_service
    from azext_wasimig._errors import raise_cli_error
    client = cf_container_service(cli_ctx)
    what = f"reading cluster '{cluster_name}' in resource group '{resource_group_name}'"
    try:
        cluster = as_dict(client.managed_clusters.get(resource_group_name, cluster_name))
        if nodepool_name is None:
            return cluster, [as_dict(p) for p in client.agent_pools.list(resource_group_name, cluster_name)]
        what = f"reading node pool '{nodepool_name}' of cluster '{cluster_name}'"
        return cluster, [as_dict(client.agent_pools.get(resource_group_name, cluster_name, nodepool_name))]
    except Exception as ex:  # pylint: disable=broad-except
        raise_cli_error(ex, what)


def find_pool(pools, name):
    return next((p for p in pools if str(p.get("name", "")).lower() == str(name).lower()), None)


def require_wasi_pool(cluster, pools, nodepool_name, resource_group_name, allow_other=False):
    """The named pool, proven to be a WASI pool; anything else is refused before any change (unless
    ``allow_other``, which only the reversible cordon/uncordon offer, as --force)."""
    from azure.cli.core.azclierror import InvalidArgumentValueError, ResourceNotFoundError
    from azext_wasimig import inventory
    pool = find_pool(pools, nodepool_name)
    cluster_name = cluster.get("name")
    if pool is None:
        raise ResourceNotFoundError(
            f"Cluster '{cluster_name}' has no node pool '{nodepool_name}'. "
            f"Run 'az aks wasi-migrate list -g {resource_group_name} -n {cluster_name}' to see its WASI pools.")
    flat = inventory.flatten_agent_pool(pool)
    if allow_other and not inventory.is_wasi_pool(flat):
        logger.warning("Node pool '%s' is not a WASI pool; going on because of --force.", nodepool_name)
    elif not inventory.is_wasi_pool(flat):
        runtime = flat.get("workloadRuntime") or "OCIContainer (the default)"
        raise InvalidArgumentValueError(
            f"Node pool '{nodepool_name}' of cluster '{cluster_name}' is not a WASI node pool: its workloadRuntime "
            f"is {runtime}. Nothing there needs migrating.",
            recommendation=f"Run 'az aks wasi-migrate list -g {resource_group_name} -n {cluster_name}' "
                           "to see the cluster's WASI pools.")
    return pool


def require_replacement_pool(cluster, pools, nodepool_name, resource_group_name, must_exist=True):
    """The named pool, proven not to be a WASI pool (workloads moved there must keep running); None when it
    does not exist and ``must_exist`` is False (a rollback needs no new pool)."""
    from azure.cli.core.azclierror import InvalidArgumentValueError, ResourceNotFoundError
    from azext_wasimig import inventory
    pool = find_pool(pools, nodepool_name)
    cluster_name = cluster.get("name")
    if pool is None and must_exist:
        raise ResourceNotFoundError(
            f"Cluster '{cluster_name}' has no node pool '{nodepool_name}' to move the workloads to.",
            recommendation=f"Create it first: az aks wasi-migrate create-pool -g {resource_group_name} "
                           f"-n {cluster_name} --nodepool-name <the WASI pool> --new-nodepool-name {nodepool_name}")
    if pool is not None and inventory.is_wasi_pool(inventory.flatten_agent_pool(pool)):
        raise InvalidArgumentValueError(
            f"Node pool '{nodepool_name}' of cluster '{cluster_name}' is itself a WASI node pool: workloads moved "
            "there would stop running when AKS recreates its nodes. Name a standard (OCIContainer) pool, e.g. one "
            "made by 'az aks wasi-migrate create-pool'.")
    return pool


def create_pool(cmd, resource_group_name, cluster_name, nodepool_name, body, no_wait=False):
    """PUT the new pool and wait for AKS (with progress), unless ``no_wait``. On a failed operation, say
    exactly what exists now."""
    from azure.cli.core.util import sdk_no_wait
    from azext_wasimig._client_factory import cf_agent_pools
    from azext_wasimig._progress import wait_for
    client = cf_agent_pools(cmd.cli_ctx)
    logger.warning("Creating node pool '%s' in cluster '%s' (AKS takes a few minutes)...", nodepool_name, cluster_name)
    try:
        poller = sdk_no_wait(no_wait, client.begin_create_or_update, resource_group_name, cluster_name,
                             nodepool_name, body)
        if no_wait:
            return None
        return as_dict(wait_for(poller, cmd.cli_ctx, f"Creating node pool '{nodepool_name}'"))
    except Exception as ex:  # pylint: disable=broad-except
        _raise_with_leftovers(cmd, ex, resource_group_name, cluster_name, nodepool_name)


def _raise_with_leftovers(cmd, error, resource_group_name, cluster_name, nodepool_name):
    from azure.cli.core.azclierror import AzureResponseError
    from azure.core.exceptions import AzureError
    from azext_wasimig._client_factory import cf_agent_pools
    from azext_wasimig._errors import service_message
    if not isinstance(error, AzureError):
        raise error
    try:
        state = as_dict(cf_agent_pools(cmd.cli_ctx).get(resource_group_name, cluster_name, nodepool_name))
        left = (f"Node pool '{nodepool_name}' now exists in provisioning state "
                f"{(state.get('properties') or {}).get('provisioningState')}. Delete it with 'az aks nodepool "
                f"delete -g {resource_group_name} --cluster-name {cluster_name} -n {nodepool_name}' and run this "
                "command again, or run it again as is once AKS has settled.")
    except AzureError:
        left = f"Node pool '{nodepool_name}' was not created; nothing was changed."
    raise AzureResponseError(f"Creating node pool '{nodepool_name}' failed: {service_message(error)}. {left}") \
        from error


def kube_client(cli_ctx, resource_group_name, cluster, pools, nodepool_name=None, admin=False, kubeconfig=None,
                context=None):
    """A kubernetes ApiClient for ``cluster`` (the ARM dict), checked to answer: from ``--kubeconfig`` when given
    (and only once proven to be this cluster's, see ``kube.binding``), else from the cluster's ARM user (or
    ``--admin``) credentials, held in memory only. ``nodepool_name`` is the pool the command acts on, if any."""
    from azext_wasimig.kube import connect
    cluster_name = cluster.get("name")
    _require_running(cluster, resource_group_name)
    if kubeconfig:
        api = connect.load_kubeconfig_file(kubeconfig, context)
        connect.check_reachable(api)
        _require_kubeconfig_of(api, cluster, pools, nodepool_name, kubeconfig)
        return api
    config = cluster_kubeconfig(cli_ctx, resource_group_name, cluster_name, admin=admin)
    api = connect.api_client_from_kubeconfig(config, context, source=f"the credentials of cluster '{cluster_name}'")
    connect.check_reachable(api)
    return api


def _require_running(cluster, resource_group_name):
    """A stopped cluster has no API server to reach: say so, and how to start it, before trying."""
    from azure.cli.core.azclierror import ValidationError
    from azext_wasimig import inventory
    state = inventory.cluster_properties(cluster).get("powerState") or {}
    if str(state.get("code") if isinstance(state, dict) else state).lower() == "stopped":
        name = cluster.get("name")
        raise ValidationError(
            f"Cluster '{name}' in resource group '{resource_group_name}' is stopped (power state Stopped), so its "
            "API server does not answer. Nothing was changed.",
            recommendation=f"Start it with 'az aks start -g {resource_group_name} -n {name}', then run this command "
                           "again.")


def _require_kubeconfig_of(api, cluster, pools, nodepool_name, kubeconfig):
    from azure.cli.core.azclierror import InvalidArgumentValueError
    from azext_wasimig.kube import binding, rest
    pool = find_pool(pools, nodepool_name) if nodepool_name else None
    try:
        binding.require_cluster(api, cluster, pool and pool["name"], [p["name"] for p in pools if p.get("name")],
                                source=f"--kubeconfig {kubeconfig}")
    except binding.NotThisCluster as ex:
        raise InvalidArgumentValueError(
            f"{ex} Nothing was changed.",
            recommendation="Pick the context of this cluster with --context, or leave out --kubeconfig to use the "
                           "cluster's credentials from Azure.") from None
    except Exception as ex:  # pylint: disable=broad-except
        raise rest.as_cli_error(ex, "listing the pool's nodes to check that --kubeconfig is this cluster's",
                                api.configuration.host, "list nodes") from ex


def cluster_kubeconfig(cli_ctx, resource_group_name, cluster_name, admin=False):
    """The cluster's kubeconfig as a dict, from ARM's user (or ``admin``) credentials, fetched with the network
    trace off (``call_unlogged``: the answer holds tokens and keys).

    User credentials are asked for in ``exec`` format: Entra ID clusters then get a kubelogin kubeconfig (the
    Python client has no 'azure' auth-provider).
    """
    from azext_wasimig._client_factory import call_unlogged, cf_managed_clusters
    from azext_wasimig._errors import raise_cli_error
    from azext_wasimig.kube import connect
    client = cf_managed_clusters(cli_ctx)
    kind = "admin" if admin else "user"
    try:
        if admin:
            result = call_unlogged(client.list_cluster_admin_credentials, resource_group_name, cluster_name)
        else:
            result = call_unlogged(client.list_cluster_user_credentials, resource_group_name, cluster_name,
                                   format="exec")
    except Exception as ex:  # pylint: disable=broad-except
        if admin and _local_accounts_disabled(ex):
            from azure.cli.core.azclierror import ValidationError
            raise ValidationError(
                f"Cluster '{cluster_name}' disables local accounts, so it has no admin credentials.",
                recommendation="Leave out --admin to use your Microsoft Entra ID user credentials (needs kubelogin), "
                               "or pass --kubeconfig with a kubeconfig you already have.") from ex
        raise_cli_error(ex, f"getting the {kind} credentials of cluster '{cluster_name}' in resource group "
                            f"'{resource_group_name}'")
    return connect.kubeconfig_from_credentials(result, cluster_name, kind)


def _local_accounts_disabled(error):
    from azext_wasimig._errors import status_of
    return status_of(error) == 400 and "local accounts" in str(getattr(error, "message", None) or error).lower()


def wasi_pool_names(pools):
    from azext_wasimig import inventory
    return sorted(p["name"] for p in pools if inventory.is_wasi_pool(inventory.flatten_agent_pool(p)))
