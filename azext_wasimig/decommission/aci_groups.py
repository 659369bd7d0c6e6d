"""Container groups wasimig made, found by their provenance tags and never by name alone (pure rules, and an ACI
edge handed a ContainerGroups SDK client).

create-aci tags every group with the workload it runs (``PROVENANCE_TAG``: ``NAMESPACE/Kind/NAME``), the cluster
it came from (``CLUSTER_TAG``: its ARM id), the WASI pool its workload left (``POOL_TAG``) and the replica. A group
is *this cluster's* when the first two say so; a group of the same name without them (someone else's, or another
cluster's) is never waited on, verified or deleted. The groups of a move are those whose pool tag also names the
move's old pool (``of_move``): another WASI pool's move on the same cluster keeps its groups.
``vocabulary.wasi.made_for`` is the one test of these tags.

Used by ``wait --container-group`` (create-aci's pair), the ACI gates of ``verify`` and ``delete-pool --aci``, and
``rollback --delete-aci``.
"""

from azext_wasimig import waiting
from azext_wasimig.errors import MigrationError, azure_call_failed, service_message
from azext_wasimig.vocabulary.wasi import CLUSTER_TAG, PROVENANCE_TAG, made_for


class NotMadeForCluster(MigrationError):
    """A container group of that name exists, but its tags do not say wasimig made it for this cluster."""
    kind = "invalid"


class GroupWaitTimedOut(MigrationError):
    kind = "incomplete"


class GroupFailed(MigrationError):
    kind = "service"


class GroupDeleteFailed(MigrationError):
    kind = "incomplete"


def _tags(group):
    return (group or {}).get("tags") or {}


def source_of(group):
    """The workload a group was made from (``NAMESPACE/Kind/NAME``), or None when wasimig did not make it."""
    return _tags(group).get(PROVENANCE_TAG)


def made_for_cluster(group, cluster_id):
    """Whether the group's provenance tags say wasimig made it from a workload of cluster ``cluster_id``."""
    return bool(cluster_id) and made_for(_tags(group), cluster_id)


def of_move(group, cluster_id, old_pool):
    """Whether the group's tags say wasimig made it for the move off ``old_pool`` of cluster ``cluster_id``."""
    return bool(cluster_id) and made_for(_tags(group), cluster_id, old_pool)


def require_made_for(group, name, resource_group, cluster_id):
    """``NotMadeForCluster`` unless ``group`` (None: absent, which is fine) carries this cluster's tags."""
    if group is None or made_for_cluster(group, cluster_id):
        return
    theirs = _tags(group).get(CLUSTER_TAG)
    made = (f"was made by wasimig for another cluster ({theirs})" if source_of(group) and theirs else
            f"was not made by wasimig (it has no {PROVENANCE_TAG} tag)" if not source_of(group) else
            "names no cluster in its tags")
    raise NotMadeForCluster(
        f"Container group '{name}' in resource group '{resource_group}' {made}: wasimig only acts on groups it made "
        "from this cluster's workloads. Nothing was done.",
        recommendation="Check --container-group and --aci-resource-group (create-aci prints the groups it makes), "
                       "or use 'az container' for groups wasimig did not make.")


# --- the ACI edge ------------------------------------------------------------------------------------------------

def _rest_json(response, _model, _headers):
    return response.http_response.json()


def read(client, resource_group, name, *, to_plain=None):
    """The group (``to_plain(model)`` when given, else the REST JSON), or None when there is none."""
    from azure.core.exceptions import AzureError, ResourceNotFoundError
    try:
        if to_plain is None:
            return client.get(resource_group, name, cls=_rest_json)
        return to_plain(client.get(resource_group, name))
    except ResourceNotFoundError:
        return None
    except AzureError as ex:
        raise azure_call_failed(ex, f"reading container group '{name}' in resource group '{resource_group}'") \
            from ex


def names_of_move(client, resource_group, cluster_id, old_pool):
    """The names of the groups of the move in ``resource_group`` (one paged list; none when it does not exist)."""
    from azure.core.exceptions import AzureError, ResourceNotFoundError
    try:
        found = [{"name": g.name, "tags": g.tags} for g in client.list_by_resource_group(resource_group)]
    except ResourceNotFoundError:
        return []
    except AzureError as ex:
        raise azure_call_failed(ex, f"listing the container groups in resource group '{resource_group}'") from ex
    return sorted(g["name"] for g in found if of_move(g, cluster_id, old_pool))


def reader(client, resource_group, cluster_id, old_pool):
    """A function returning the groups of the move, each read whole (GET: the list leaves the instance view out)
    as the REST API serves it: verify's ``read_groups``."""
    def read_all():
        names = names_of_move(client, resource_group, cluster_id, old_pool)
        return [g for g in (read(client, resource_group, name) for name in names) if g is not None]
    return read_all


def wait_for(client, resource_group, name, cluster_id, done, *, interval, timeout, to_plain,
             progress=waiting.no_progress):
    """`wait --container-group`: read the group every ``interval`` s until ``done`` (waiting.condition) holds,
    refusing a group that is not this cluster's (at any read: one may appear meanwhile); fails when ``timeout`` s
    pass or the group Failed."""
    def read_ours():
        group = read(client, resource_group, name, to_plain=to_plain)
        require_made_for(group, name, resource_group, cluster_id)
        return group

    what = f"container group '{name}' in resource group '{resource_group}'"
    try:
        waiting.wait_reporting(read_ours, done, what, interval, timeout, timed_out=GroupWaitTimedOut,
                               progress=progress)
    except waiting.ResourceFailed as ex:
        raise GroupFailed(
            f"Container group '{name}' in resource group '{resource_group}' is in provisioning state {ex.state}: "
            "it will not become Succeeded by itself.",
            recommendation=f"See why with 'az container show -g {resource_group} -n {name}', then run "
                           "create-aci again (it re-sends groups left Failed).") from ex


def delete_all(client, resource_group, names, *, progress=waiting.no_progress):
    """Delete the named groups (start every DELETE, then wait for each); the names deleted. A group already gone
    counts as deleted (ACI answers 204)."""
    from azure.core.exceptions import AzureError
    pollers, current = [], None
    try:
        for current in names:
            pollers.append((current, client.begin_delete(resource_group, current)))
        for current, poller in pollers:
            waiting.wait_for_operation(poller, f"Deleting container group '{current}'", progress=progress)
    except AzureError as ex:
        done = [n for n, _ in pollers if n != current]
        raise GroupDeleteFailed(
            f"Deleting container group '{current}' in resource group '{resource_group}' failed: "
            f"{service_message(ex).rstrip('.')}. Deleted before it: {', '.join(done) or 'none'}.",
            recommendation="Run the same command again: it deletes what is left.") from ex
    return list(names)
