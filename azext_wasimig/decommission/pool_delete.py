"""The ARM edge for agent pools in the decommission: read one, delete one (handed an AgentPools SDK client).

One DELETE, without ``ignore-pod-disruption-budget`` unless asked: AKS then honours the budgets while it removes
the nodes (the pods should be gone by then anyway: delete-pool refuses while any but DaemonSet pods are left). The
SDK (containerservice 41.x) sends the query parameter only when the keyword is given, so it is given only for
``--ignore-pdb``.
"""

from azext_wasimig import waiting
from azext_wasimig.errors import MigrationInterrupted, azure_call_failed

DELETED, DELETING = "deleted", "deleting"


class PoolDeleteInterrupted(MigrationInterrupted):
    pass


def wait_command(target, name):
    return (f"az aks wasi-migrate wait --subscription {target.subscription_id} -g {target.resource_group} "
            f"-n {target.cluster_name} --nodepool-name {name} --deleted")


def reader(client, target, name):
    """A function that reads pool ``name`` of ``target``'s cluster now: its REST dict, None when gone."""
    def read():
        from azure.core.exceptions import AzureError, ResourceNotFoundError
        try:
            found = client.get(target.resource_group, target.cluster_name, name)
        except ResourceNotFoundError:
            return None
        except AzureError as ex:
            raise azure_call_failed(ex, f"reading node pool '{name}' of cluster '{target.cluster_name}'") from ex
        return found.as_dict() if hasattr(found, "as_dict") else dict(found)
    return read


def delete_pool(client, target, name, *, ignore_pdb=False, no_wait=False, progress=waiting.no_progress):
    """Delete pool ``name`` of ``target``'s cluster; ``DELETED`` once AKS is done, ``DELETING`` with ``no_wait``.
    ``progress``: a context-manager factory yielding ``report(message)`` (waiting.no_progress)."""
    from azure.core.exceptions import AzureError
    options = {"ignore_pod_disruption_budget": True} if ignore_pdb else {}
    accepted = False
    try:
        poller = client.begin_delete(target.resource_group, target.cluster_name, name, polling=not no_wait,
                                     **options)
        accepted = True
        if no_wait:
            return DELETING
        waiting.wait_for_operation(poller, f"Deleting node pool '{name}'", progress=progress)
        return DELETED
    except KeyboardInterrupt:
        done = (f"Interrupted: AKS is deleting node pool '{name}' and goes on without this command." if accepted else
                f"Interrupted before Azure answered the request to delete node pool '{name}': it may or may not be "
                "being deleted.")
        raise PoolDeleteInterrupted(done, recommendation=f"Follow it with: {wait_command(target, name)}") from None
    except AzureError as ex:
        raise azure_call_failed(ex, f"deleting node pool '{name}' of cluster '{target.cluster_name}'") from ex
