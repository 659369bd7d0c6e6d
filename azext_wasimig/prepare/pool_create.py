"""The ARM edge for the new node pool: create it with conditional PUTs, wait for it, and say how to resume when
interrupted. Every function is handed the agent-pools client (``_client_factory.cf_agent_pools``) and the
``MigrationTarget`` (which words the resume commands); azure-core errors become the domain's errors here. The
decisions are made by the pure cores (``pool_spec``, ``waiting``).

``progress`` is a context-manager factory yielding ``report(message)`` (see ``waiting.no_progress``); ``note(message)``
says something to the user (the CLI passes a warning).
"""

from azext_wasimig import waiting
from azext_wasimig._client_factory import as_dict
from azext_wasimig.errors import AzureCallFailed, MigrationError, MigrationInterrupted, azure_call_failed
from azext_wasimig.waiting import no_progress


class PoolWaitTimedOut(MigrationError):
    """`wait`'s timeout passed before its condition held."""
    kind = "incomplete"


class PoolFailed(MigrationError):
    """The pool is in a state it will not leave by itself (Failed, Canceled)."""
    kind = "service"


class PoolCreateInterrupted(MigrationInterrupted):
    """Ctrl-C while creating or waiting for the pool: AKS carries on; the recommendation says how to go on."""


def create_pool(client, target, name, body, *, existing=None, no_wait=False, note=None, progress=no_progress):
    """PUT pool ``name`` of ``target``'s cluster and wait for AKS (with progress) unless ``no_wait``; the pool made
    (None with ``no_wait``).

    A first PUT carries ``If-None-Match: *``: a pool someone else made meanwhile is never overwritten (412). Sending
    ``existing`` again (a pool this tool made that Failed) carries ``If-Match`` with its eTag: that very pool, as it
    was read. On a failed operation, or Ctrl-C, say what exists now and how to go on."""
    from azure.core import MatchConditions
    from azure.core.exceptions import AzureError
    etag = ((existing or {}).get("properties") or {}).get("eTag")
    condition = {"match_condition": MatchConditions.IfMissing} if existing is None else \
        {"etag": etag, "match_condition": MatchConditions.IfNotModified} if etag else {}
    if no_wait:
        condition["polling"] = False   # azure-cli's sdk_no_wait: start the operation, do not poll it
    (note or _silent)(f"{'Creating' if existing is None else 'Sending again'} node pool '{name}' in cluster "
                      f"'{target.cluster_name}' (AKS takes a few minutes)...")
    accepted = False
    try:
        poller = client.begin_create_or_update(target.resource_group, target.cluster_name, name, body, **condition)
        accepted = True
        if no_wait:
            return None
        return as_dict(waiting.wait_for_operation(poller, f"Creating node pool '{name}'", progress))
    except KeyboardInterrupt:
        raise interrupted(target, name, accepted) from None
    except AzureError as ex:
        raise _failure_with_leftovers(client, ex, target, name) from ex


def _silent(_message):
    pass


def wait_until_settled(client, target, name, *, progress=no_progress):
    """Wait until AKS has finished with pool ``name`` (Succeeded, Failed or Canceled), polling less and less often
    (up to every 15 s), with progress; returns the pool. Ctrl-C says how to resume."""
    from azure.core.exceptions import AzureError
    from azext_wasimig.prepare import pool_spec
    with progress() as report:
        try:
            return waiting.wait_until(
                lambda: as_dict(client.get(target.resource_group, target.cluster_name, name)), pool_spec.is_settled,
                waiting.backoff(), on_read=lambda pool: report(f"Node pool '{name}': {waiting.state_of(pool)}"))
        except KeyboardInterrupt:
            raise interrupted(target, name, True) from None
        except AzureError as ex:
            raise azure_call_failed(ex, f"reading node pool '{name}' of cluster '{target.cluster_name}'") from ex


def wait_for_pool(client, target, name, done, *, interval, timeout, to_plain=as_dict, progress=no_progress):
    """`az aks wasi-migrate wait`: read pool ``name`` every ``interval`` s until ``done`` (waiting.condition); fails
    (exit code 1) when ``timeout`` s pass or the pool Failed. ``to_plain`` turns the SDK model into the dict that
    ``done`` (az's --custom JMESPath) sees: the CLI passes az's own ``todict``, as its generic wait queries."""
    from azure.core.exceptions import AzureError, ResourceNotFoundError

    def read():
        try:
            return to_plain(client.get(target.resource_group, target.cluster_name, name))
        except ResourceNotFoundError:
            return None
        except AzureError as ex:
            raise azure_call_failed(ex, f"reading node pool '{name}' of cluster '{target.cluster_name}'") from ex

    what = f"node pool '{name}' of cluster '{target.cluster_name}'"
    try:
        waiting.wait_reporting(read, done, what, interval, timeout, timed_out=PoolWaitTimedOut, progress=progress)
    except waiting.ResourceFailed as ex:
        raise PoolFailed(
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
    if accepted:
        done = f"Interrupted: node pool '{name}' is being created by AKS, which goes on without this command."
    else:
        done = (f"Interrupted before Azure answered the request to create node pool '{name}': it may or may not be "
                "being created.")
    return PoolCreateInterrupted(done, recommendation=f"To go on, run the same command again (it waits for the "
                                                      f"pool), or: {resume_command(target, name)}")


def _failure_with_leftovers(client, error, target, name):
    """The error for a failed PUT: a pool that changed meanwhile (412), else what exists now and the way out."""
    from azure.core.exceptions import AzureError
    from azext_wasimig.errors import service_message, status_of
    if status_of(error) == 412:
        return AzureCallFailed(
            f"Node pool '{name}' appeared or changed while this command ran (someone else is making or changing "
            "it): nothing was sent.", recommendation="Run the command again: it looks at the pool as it is now.")
    try:
        state = as_dict(client.get(target.resource_group, target.cluster_name, name))
        left = (f"Node pool '{name}' now exists in provisioning state "
                f"{(state.get('properties') or {}).get('provisioningState')}. Run this command again as is (it sends "
                f"the pool again, as AKS advises for a failed operation), or delete it with 'az aks nodepool delete "
                f"-g {target.resource_group} --cluster-name {target.cluster_name} -n {name}' and start over.")
    except AzureError:
        left = f"Node pool '{name}' was not created; nothing was changed."
    return AzureCallFailed(f"Creating node pool '{name}' failed: {service_message(error)}. {left}")
