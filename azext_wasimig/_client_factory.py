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


def cutover_azure(cli_ctx, target, options, *, connect, note, detail, progress):
    """The ARM calls of a cutover (``cutover.phases.Azure``), bound to ``target``: the phase commands' own run
    functions (create-pool, delete-pool, wait; with --aci create-aci and wait --container-group), each Azure wait
    reporting through ``progress``. ``connect()``: the cluster's ApiClient (the cutover's own)."""
    from functools import partial
    from azext_wasimig import arm
    from azext_wasimig.cutover.phases import Azure
    from azext_wasimig.prepare import pool_create, run

    def create_pool(name, dry_run):   # ARM read afresh: an earlier attempt may have made the pool meanwhile
        now = arm.resolve_target(cli_ctx, target.resource_group, target.cluster_name, target.wasi_pool_name)
        return run.create_pool(cf_agent_pools(cli_ctx), now, None, new_name=name, spin_shim=options.spin_shim,
                               dry_run=dry_run, note=note, progress=progress)

    def wait_while_deleting(name):
        from azext_wasimig import waiting
        still_deleting = waiting.condition(deleted=True, custom=lambda p: waiting.state_of(p).lower() != "deleting")
        pool_create.wait_for_pool(cf_agent_pools(cli_ctx), target, name, still_deleting, interval=5, timeout=3600,
                                  progress=progress)

    def delete_pool(old, new):
        """delete-pool's run function (its gates all checked again: the pair from ARM read afresh, no pods left,
        verify once), with no question: the cutover asked before it began."""
        from azext_wasimig.decommission import run as decommission
        now = arm.resolve_target(cli_ctx, target.resource_group, target.cluster_name, new_nodepool_name=new)
        home = (decommission.Home(aci_resource_group=options.aci_resource_group) if options.aci else
                decommission.Home(new=new))
        gates = decommission.Gates(soak_minutes=0, interval=options.interval, max_restarts=options.max_restarts)
        clients = decommission.Clients(connect=connect, agent_pools=cf_agent_pools(cli_ctx),
                                       container_groups=cf_container_groups(cli_ctx) if options.aci else None)
        return decommission.delete_pool(now, clients, decommission.DeletePoolRequest(old=old, home=home, gates=gates),
                                        confirm=lambda _question: None, note=note, progress=progress)

    azure = Azure(create_pool=create_pool, read_pool=lambda name: arm.pool_reader(cli_ctx, target, name)(),
                  freeze_pool=partial(arm.freeze_autoscaler, cli_ctx, target), delete_pool=delete_pool,
                  wait_while_deleting=wait_while_deleting)
    return _with_aci(cli_ctx, target, options, azure, note=note, detail=detail, progress=progress)


def _with_aci(cli_ctx, target, options, azure, *, note, detail, progress):
    """With --aci: the cutover's ACI calls, on create-aci, wait --container-group and verify --aci's reader."""
    if not options.aci:
        return azure
    from dataclasses import replace
    from azext_wasimig.cutover.aci_phases import AciAzure, running
    from azext_wasimig.decommission import aci_groups
    from azext_wasimig.prepare import aci, run
    client, group, cluster_id = cf_container_groups(cli_ctx), options.aci_resource_group, target.cluster.get("id")

    def create(api, workloads, dry_run):
        return run.create_aci(client, api, target, workloads, aci.Options(resource_group=group), dry_run=dry_run,
                              note=note, detail=detail, progress=progress)

    def wait(name):   # then the group as it is (the wait, as the command's, returns nothing)
        aci_groups.wait_for(client, group, name, cluster_id, running, interval=2, timeout=900, to_plain=None,
                            progress=progress)
        return aci_groups.read(client, group, name)
    return replace(azure, aci=AciAzure(resource_group=group, create=create, wait=wait,
                                       read_groups=aci_groups.reader(client, group, cluster_id, target.wasi_pool_name)))
