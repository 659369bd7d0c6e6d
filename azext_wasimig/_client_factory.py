"""Client factories: the Azure SDK clients and the cluster's kubernetes ApiClient (``kube_client``). SDK imports
stay inside the functions: this module is loaded on every `az aks` call."""


def cf_container_service(cli_ctx, *_, subscription_id=None):
    from azure.cli.core.commands.client_factory import get_mgmt_service_client
    from azure.cli.core.profiles import ResourceType
    return get_mgmt_service_client(cli_ctx, ResourceType.MGMT_CONTAINERSERVICE, subscription_id=subscription_id)


def cf_managed_clusters(cli_ctx, *_, subscription_id=None):
    return cf_container_service(cli_ctx, subscription_id=subscription_id).managed_clusters


def cf_agent_pools(cli_ctx, *_):
    return cf_container_service(cli_ctx).agent_pools


def cf_subscriptions(cli_ctx, *_):
    from azure.cli.core.commands.client_factory import get_mgmt_service_client
    from azure.cli.core.profiles import ResourceType
    return get_mgmt_service_client(cli_ctx, ResourceType.MGMT_RESOURCE_SUBSCRIPTIONS,
                                   subscription_bound=False).subscriptions


def cf_container_groups(cli_ctx, *_):
    # ResourceType.MGMT_CONTAINERINSTANCE has no client class: pass the class, as core `container` does.
    from azure.cli.core.commands.client_factory import get_mgmt_service_client
    from azure.mgmt.containerinstance import ContainerInstanceManagementClient
    return get_mgmt_service_client(cli_ctx, ContainerInstanceManagementClient).container_groups


def as_dict(model):
    """An SDK model as the REST API's camelCase dict (containerservice >= 41 hybrid models are dict-like)."""
    return model.as_dict() if hasattr(model, "as_dict") else dict(model)


def current_subscription_id(cli_ctx):
    """The subscription in force: the global --subscription, else the signed-in default."""
    from azure.cli.core.commands.client_factory import get_subscription_id
    return get_subscription_id(cli_ctx)


def call_unlogged(operation, *args, **kwargs):
    """``operation(*args, **kwargs)`` with the HTTP network trace off for this one call: the way every SDK call
    whose request or response carries a secret is made (cluster credentials, container-group bodies with Secret
    values, anything returning keys).

    The trace is what prints request and response bodies: azure-cli's SafeNetworkTraceLoggingPolicy (``--debug``;
    and always into az's log file when logging.enable_log_file is on, as knack keeps the ``cli.*`` loggers at
    DEBUG) or azure-core's NetworkTraceLoggingPolicy in its place. Both read the per-call ``logging_enable``
    option first, for the request and its response; azure-core's HttpLoggingPolicy (which az turns off) never logs
    bodies. Long-running operations keep the option for their polling requests.
    """
    kwargs["logging_enable"] = False
    return operation(*args, **kwargs)


def kube_client(cli_ctx, target, access):
    """A kubernetes ApiClient for ``target``'s cluster (a MigrationTarget), checked to answer: from ``--kubeconfig``
    when given (and only once proven to be this cluster's, see ``kube.binding``), else from the cluster's ARM user
    (or ``--admin``) credentials, held in memory only. ``access`` is a migration_target.ClusterAccess."""
    from azext_wasimig import arm
    from azext_wasimig.kube import connect
    admin, kubeconfig, context = access.admin, access.kubeconfig, access.context
    resource_group_name, cluster_name = target.resource_group, target.cluster_name
    _require_running(target.cluster, resource_group_name)
    if kubeconfig:
        api = connect.load_kubeconfig_file(kubeconfig, context)
        connect.check_reachable(api)
        _require_kubeconfig_of(api, target, kubeconfig)
        return api
    config = arm.cluster_kubeconfig(cli_ctx, resource_group_name, cluster_name, admin=admin)
    api = connect.api_client_from_kubeconfig(config, context, source=f"the credentials of cluster '{cluster_name}'")
    connect.check_reachable(api)
    return api


def _require_running(cluster, resource_group_name):
    """A stopped cluster has no API server to reach: say so, and how to start it, before trying."""
    from azure.cli.core.azclierror import ValidationError
    from azext_wasimig.evaluate import inventory
    state = inventory.cluster_properties(cluster).get("powerState") or {}
    if str(state.get("code") if isinstance(state, dict) else state).lower() == "stopped":
        name = cluster.get("name")
        raise ValidationError(
            f"Cluster '{name}' in resource group '{resource_group_name}' is stopped (power state Stopped), so its "
            "API server does not answer. Nothing was changed.",
            recommendation=f"Start it with 'az aks start -g {resource_group_name} -n {name}', then run this command "
                           "again.")


def _require_kubeconfig_of(api, target, kubeconfig):
    from azure.cli.core.azclierror import InvalidArgumentValueError
    from azext_wasimig.kube import binding, rest
    try:
        binding.require_cluster(api, target.cluster, target.wasi_pool_name,
                                [p["name"] for p in target.pools if p.get("name")], source=f"--kubeconfig {kubeconfig}")
    except binding.NotThisCluster as ex:
        raise InvalidArgumentValueError(
            f"{ex} Nothing was changed.",
            recommendation="Pick the context of this cluster with --context, or leave out --kubeconfig to use the "
                           "cluster's credentials from Azure.") from None
    except Exception as ex:  # pylint: disable=broad-except
        raise rest.api_error(ex, "listing the pool's nodes to check that --kubeconfig is this cluster's",
                             api.configuration.host, "list nodes") from ex
