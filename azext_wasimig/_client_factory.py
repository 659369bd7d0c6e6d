"""Client factories. SDK imports stay inside the functions: this module is loaded on every `az aks` call."""


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
