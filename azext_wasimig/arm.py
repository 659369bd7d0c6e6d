"""The ARM edge: fetch clusters and pools as plain dicts and apply pool changes, with SDK errors turned
into CLI errors. Every function takes the CLI context; the pure cores never see a client.
"""

from knack.log import get_logger

from azext_wasimig._client_factory import as_dict

logger = get_logger(__name__)


def list_clusters(cli_ctx, subscription_id, resource_group_name=None):
    """Every cluster of a subscription (or one resource group) as dicts: one paged list call."""
    from azure.core.exceptions import AzureError
    from azext_wasimig._client_factory import cf_managed_clusters
    from azext_wasimig._errors import cli_error_for
    client = cf_managed_clusters(cli_ctx, subscription_id=subscription_id)
    scope = f"resource group '{resource_group_name}'" if resource_group_name else f"subscription {subscription_id}"
    try:
        pages = client.list_by_resource_group(resource_group_name) if resource_group_name else client.list()
        return [as_dict(cluster) for cluster in pages]
    except AzureError as ex:   # only Azure's answers: a bug here must not read as a failed subscription
        raise cli_error_for(ex, f"listing the AKS clusters in {scope}") from ex


def visible_subscriptions(cli_ctx):
    """{subscription id: display name} of every enabled subscription the signed-in identity can see."""
    from azure.core.exceptions import AzureError
    from azext_wasimig._client_factory import cf_subscriptions
    from azext_wasimig._errors import raise_cli_error
    try:
        # azure-mgmt-resource models are msrest models: read attributes (as_dict() would be snake_case).
        found = list(cf_subscriptions(cli_ctx).list())
    except AzureError as ex:
        raise_cli_error(ex, "listing the subscriptions you can see")
    visible = {}
    for sub in found:
        if str(getattr(sub.state, "value", sub.state) or "Enabled").lower() == "disabled":
            logger.info("Not searching disabled subscription %s", sub.subscription_id)
            continue
        visible[sub.subscription_id] = sub.display_name or ""
    return visible


def get_cluster_and_pools(cli_ctx, resource_group_name, cluster_name):
    """The cluster and its agent pools as dicts; 404s become exit code 3."""
    from azure.core.exceptions import AzureError
    from azext_wasimig._client_factory import cf_container_service
    from azext_wasimig._errors import cli_error_for
    client = cf_container_service(cli_ctx)
    try:
        cluster = as_dict(client.managed_clusters.get(resource_group_name, cluster_name))
        return cluster, [as_dict(p) for p in client.agent_pools.list(resource_group_name, cluster_name)]
    except AzureError as ex:   # only Azure's answers become CLI errors; anything else is a bug and stays itself
        raise cli_error_for(ex, f"reading cluster '{cluster_name}' in resource group '{resource_group_name}'") \
            from ex


def resolve_target(cli_ctx, resource_group_name, cluster_name, nodepool_name=None, *, new_nodepool_name=None,
                   allow_other_pool=False, new_pool_must_exist=True, acting_on_pool=False):
    """The one place where what the user named meets ARM: a ``MigrationTarget`` with the cluster, its pools and the
    proven old (and new) pool under Azure's spelling (see migration_target). Refusals become azclierror (a pool
    that does not exist: exit code 3), before anything else is read or written."""
    from azure.cli.core.azclierror import InvalidArgumentValueError, ResourceNotFoundError
    from azext_wasimig import migration_target
    from azext_wasimig.vocabulary.wasi import is_wasi_pool
    cluster, pools = get_cluster_and_pools(cli_ctx, resource_group_name, cluster_name)
    try:
        target = migration_target.resolve(cluster, pools, resource_group_name, nodepool_name=nodepool_name,
                                          new_nodepool_name=new_nodepool_name,
                                          allow_other=allow_other_pool, new_pool_must_exist=new_pool_must_exist,
                                          acting_on_pool=acting_on_pool)
    except migration_target.PoolNotFound as ex:
        raise ResourceNotFoundError(str(ex), recommendation=ex.recommendation) from ex
    except migration_target.TargetError as ex:
        raise InvalidArgumentValueError(str(ex), recommendation=ex.recommendation) from ex
    if target.wasi_pool and not is_wasi_pool(target.wasi_pool):
        logger.warning("Node pool '%s' is not a WASI pool; going on because of --force.", target.wasi_pool_name)
    return target


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
    from azext_wasimig.errors import status_of
    return status_of(error) == 400 and "local accounts" in str(getattr(error, "message", None) or error).lower()


def pool_reader(cli_ctx, target, name):
    """A function that reads pool ``name`` of ``target``'s cluster from ARM now: its REST dict, None when gone."""
    from azure.core.exceptions import AzureError, ResourceNotFoundError
    from azext_wasimig._client_factory import cf_agent_pools
    from azext_wasimig._errors import cli_error_for
    client = cf_agent_pools(cli_ctx)

    def read():
        try:
            return as_dict(client.get(target.resource_group, target.cluster_name, name))
        except ResourceNotFoundError:
            return None
        except AzureError as ex:
            raise cli_error_for(ex, f"reading node pool '{name}' of cluster '{target.cluster_name}'") from ex
    return read


def freeze_autoscaler(cli_ctx, target, name, count):
    """Turn the cluster autoscaler of pool ``name`` off at ``count`` nodes: the pool as ARM has it, sent back with
    enableAutoScaling false and no min/max, under If-Match with its eTag (what `az aks nodepool update
    --disable-cluster-autoscaler` sends, a GET then a PUT: AKS has no PATCH for agent pools); waits for AKS.
    What AKS does with a write to a retired WASI pool is unverified (README, the main path)."""
    from azure.core import MatchConditions
    from azure.core.exceptions import AzureError
    from azext_wasimig._client_factory import cf_agent_pools
    from azext_wasimig._errors import cli_error_for
    client = cf_agent_pools(cli_ctx)
    what = f"turning off the autoscaler of node pool '{name}' of cluster '{target.cluster_name}'"
    try:
        pool = client.get(target.resource_group, target.cluster_name, name)
        pool.enable_auto_scaling, pool.min_count, pool.max_count, pool.count = False, None, None, count
        condition = {"etag": pool.e_tag, "match_condition": MatchConditions.IfNotModified} if pool.e_tag else {}
        poller = client.begin_create_or_update(target.resource_group, target.cluster_name, name, pool, **condition)
        return as_dict(poller.result())
    except AzureError as ex:
        raise cli_error_for(ex, what) from ex
