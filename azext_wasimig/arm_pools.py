"""The ARM edge for the new node pool: create it with conditional PUTs, wait for it, and say how to resume when
interrupted. SDK errors become CLI errors; the decisions are made by the pure cores (targets.pool_spec, waiting).
"""

from knack.log import get_logger

from azext_wasimig.arm import as_dict

logger = get_logger(__name__)


def create_pool(cmd, target, name, body, *, existing=None, no_wait=False):
    """PUT pool ``name`` of ``target``'s cluster and wait for AKS (with progress) unless ``no_wait``.

    A first PUT carries ``If-None-Match: *``: a pool someone else made meanwhile is never overwritten (412). Sending
    ``existing`` again (a pool this tool made that Failed) carries ``If-Match`` with its eTag: that very pool, as it
    was read. On a failed operation, or Ctrl-C, say what exists now and how to go on."""
    from azure.cli.core.util import sdk_no_wait
    from azure.core import MatchConditions
    from azext_wasimig._client_factory import cf_agent_pools
    from azext_wasimig._progress import wait_for
    etag = ((existing or {}).get("properties") or {}).get("eTag")
    condition = {"match_condition": MatchConditions.IfMissing} if existing is None else \
        {"etag": etag, "match_condition": MatchConditions.IfNotModified} if etag else {}
    client = cf_agent_pools(cmd.cli_ctx)
    logger.warning("%s node pool '%s' in cluster '%s' (AKS takes a few minutes)...",
                   "Creating" if existing is None else "Sending again", name, target.cluster_name)
    accepted = False
    try:
        poller = sdk_no_wait(no_wait, client.begin_create_or_update, target.resource_group, target.cluster_name,
                             name, body, **condition)
        accepted = True
        if no_wait:
            return None
        return as_dict(wait_for(poller, cmd.cli_ctx, f"Creating node pool '{name}'"))
    except KeyboardInterrupt:
        raise interrupted(target, name, accepted) from None
    except Exception as ex:  # pylint: disable=broad-except
        _raise_with_leftovers(cmd, ex, target, name)


def wait_until_settled(cmd, target, name):
    """Wait until AKS has finished with pool ``name`` (Succeeded, Failed or Canceled), polling less and less often
    (up to every 15 s), with progress; returns the pool. Ctrl-C says how to resume."""
    from azure.core.exceptions import AzureError
    from azext_wasimig import waiting
    from azext_wasimig._client_factory import cf_agent_pools
    from azext_wasimig._errors import cli_error_for
    from azext_wasimig._progress import progress
    from azext_wasimig.targets import pool_spec
    client = cf_agent_pools(cmd.cli_ctx)
    with progress(cmd.cli_ctx) as report:
        try:
            return waiting.wait_until(
                lambda: as_dict(client.get(target.resource_group, target.cluster_name, name)), pool_spec.is_settled,
                waiting.backoff(), on_read=lambda pool: report(f"Node pool '{name}': {waiting.state_of(pool)}"))
        except KeyboardInterrupt:
            raise interrupted(target, name, True) from None
        except AzureError as ex:
            raise cli_error_for(ex, f"reading node pool '{name}' of cluster '{target.cluster_name}'") from ex


def wait_for_pool(cmd, target, name, done, *, interval, timeout):
    """`az aks wasi-migrate wait`: read pool ``name`` every ``interval`` s until ``done`` (waiting.condition); fails
    (exit code 1) when ``timeout`` s pass or the pool Failed."""
    from azure.cli.core.azclierror import AzureResponseError, UnclassifiedUserFault
    from azure.cli.core.util import todict
    from azure.core.exceptions import AzureError, ResourceNotFoundError
    from azext_wasimig import waiting
    from azext_wasimig._client_factory import cf_agent_pools
    from azext_wasimig._errors import cli_error_for
    from azext_wasimig._progress import progress
    client = cf_agent_pools(cmd.cli_ctx)

    def read():
        try:   # az's own view of the pool, which --custom queries, as in azure-cli's generic wait
            return todict(client.get(target.resource_group, target.cluster_name, name))
        except ResourceNotFoundError:
            return None
        except AzureError as ex:
            raise cli_error_for(ex, f"reading node pool '{name}' of cluster '{target.cluster_name}'") from ex

    what = f"node pool '{name}' of cluster '{target.cluster_name}'"
    with progress(cmd.cli_ctx) as report:
        try:
            waiting.wait_until(read, done, interval, timeout, on_read=lambda pool: report(
                f"Waiting for {what}: {waiting.state_of(pool) if pool else 'not found'}"))
        except waiting.WaitTimeout as ex:
            now = f"in provisioning state {waiting.state_of(ex.last) or 'unknown'}" if ex.last else "not found"
            raise UnclassifiedUserFault(f"Timed out after {timeout} s waiting for {what}: it is {now}.",
                                        recommendation="Run the same wait again, or give a longer --timeout.") \
                from ex
        except waiting.ResourceFailed as ex:
            raise AzureResponseError(
                f"{what[0].upper()}{what[1:]} is in provisioning state {ex.state}: it will not become Succeeded by "
                "itself.", recommendation=_failed_advice(target, name)) from ex


def _failed_advice(target, name):
    return (f"Run 'az aks wasi-migrate create-pool' again (it sends a pool it made again), or see why with 'az aks "
            f"nodepool show -g {target.resource_group} --cluster-name {target.cluster_name} -n {name}'.")


def resume_command(target, name):
    return (f"az aks wasi-migrate wait --subscription {target.subscription_id} -g {target.resource_group} "
            f"-n {target.cluster_name} --nodepool-name {name} --created")


def interrupted(target, name, accepted):
    """The error for Ctrl-C: what was done, and how to go on (AKS carries on without this command)."""
    from azure.cli.core.azclierror import ManualInterrupt
    if accepted:
        done = f"Interrupted: node pool '{name}' is being created by AKS, which goes on without this command."
    else:
        done = (f"Interrupted before Azure answered the request to create node pool '{name}': it may or may not be "
                "being created.")
    return ManualInterrupt(done, recommendation=f"To go on, run the same command again (it waits for the pool), "
                                                f"or: {resume_command(target, name)}")


def _raise_with_leftovers(cmd, error, target, name):
    from azure.cli.core.azclierror import AzureResponseError
    from azure.core.exceptions import AzureError
    from azext_wasimig._client_factory import cf_agent_pools
    from azext_wasimig._errors import service_message, status_of
    if not isinstance(error, AzureError):
        raise error
    if status_of(error) == 412:
        raise AzureResponseError(
            f"Node pool '{name}' appeared or changed while this command ran (someone else is making or changing "
            "it): nothing was sent.", recommendation="Run the command again: it looks at the pool as it is now.") \
            from error
    try:
        state = as_dict(cf_agent_pools(cmd.cli_ctx).get(target.resource_group, target.cluster_name, name))
        left = (f"Node pool '{name}' now exists in provisioning state "
                f"{(state.get('properties') or {}).get('provisioningState')}. Run this command again as is (it sends "
                f"the pool again, as AKS advises for a failed operation), or delete it with 'az aks nodepool delete "
                f"-g {target.resource_group} --cluster-name {target.cluster_name} -n {name}' and start over.")
    except AzureError:
        left = f"Node pool '{name}' was not created; nothing was changed."
    raise AzureResponseError(f"Creating node pool '{name}' failed: {service_message(error)}. {left}") from error
