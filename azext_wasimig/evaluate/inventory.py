"""Inventory: which node pools are WASI pools, as one flat record per pool.

The pure part works on plain camelCase dicts shaped like the ARM REST answers (what the SDK's
hybrid models give back from ``as_dict()``), so it can be tested with the real REST examples.
The managed-cluster list already carries ``agentPoolProfiles[].workloadRuntime``: one paged list
call per subscription finds every WASI pool, with no call per cluster.
"""

import re
from concurrent.futures import ThreadPoolExecutor

from azext_wasimig.vocabulary.wasi import is_wasi_pool

# How many subscriptions `list --all-subscriptions` queries at once: enough to hide ARM latency,
# few enough to stay far from ARM's per-principal read throttling.
MAX_PARALLEL_SUBSCRIPTIONS = 8

_RESOURCE_GROUP_IN_ID = re.compile(r"/resourcegroups/([^/]+)", re.IGNORECASE)
_SUBSCRIPTION_IN_ID = re.compile(r"/subscriptions/([^/]+)", re.IGNORECASE)

RECORD_FIELDS = (
    "id", "subscriptionId", "resourceGroup", "clusterName", "clusterLocation", "clusterKubernetesVersion",
    "name", "mode", "vmSize", "count", "enableAutoScaling", "minCount", "maxCount", "availabilityZones",
    "osType", "osSku", "orchestratorVersion", "maxPods", "vnetSubnetId", "nodeLabels", "nodeTaints",
    "provisioningState", "powerState", "workloadRuntime",
)


def flatten_agent_pool(agent_pool):
    """An agent-pool resource ({name, properties: {...}}) as a flat cluster-profile-shaped dict."""
    if "properties" not in (agent_pool or {}):
        return dict(agent_pool or {})
    return {"name": agent_pool.get("name"), **(agent_pool.get("properties") or {})}


def provisioning_state(agent_pool):
    """The pool's provisioningState ('' when absent), whether given as a resource or a flat profile."""
    return str(flatten_agent_pool(agent_pool).get("provisioningState") or "")


def cluster_properties(cluster):
    """The cluster's properties, whether given as a REST resource or already flattened."""
    cluster = cluster or {}
    return cluster.get("properties") or cluster


def pool_profiles(cluster):
    """The cluster's agent pool profiles; a cluster with none (or null) has an empty list."""
    return [p for p in (cluster_properties(cluster).get("agentPoolProfiles") or []) if p]


def resource_group_of(resource_id):
    match = _RESOURCE_GROUP_IN_ID.search(resource_id or "")
    return match.group(1) if match else None


def subscription_of(resource_id):
    match = _SUBSCRIPTION_IN_ID.search(resource_id or "")
    return match.group(1) if match else None


def _power_state(*candidates):
    for state in candidates:
        code = (state or {}).get("code") if isinstance(state, dict) else state
        if code:
            return str(code)
    return None


def to_record(cluster, pool, subscription_id=None):
    """One flat record for ``pool`` (a profile or an agent-pool resource) of ``cluster``."""
    pool = flatten_agent_pool(pool)
    props = cluster_properties(cluster)
    cluster_id = (cluster or {}).get("id") or ""
    return {
        "id": f"{cluster_id}/agentPools/{pool.get('name')}" if cluster_id else None,
        "subscriptionId": subscription_of(cluster_id) or subscription_id,
        "resourceGroup": resource_group_of(cluster_id),
        "clusterName": (cluster or {}).get("name"),
        "clusterLocation": (cluster or {}).get("location"),
        "clusterKubernetesVersion": props.get("currentKubernetesVersion") or props.get("kubernetesVersion"),
        "name": pool.get("name"),
        "mode": pool.get("mode"),
        "vmSize": pool.get("vmSize"),
        "count": pool.get("count"),
        "enableAutoScaling": pool.get("enableAutoScaling"),
        "minCount": pool.get("minCount"),
        "maxCount": pool.get("maxCount"),
        "availabilityZones": pool.get("availabilityZones"),
        "osType": pool.get("osType"),
        "osSku": pool.get("osSKU") or pool.get("osSku"),
        "orchestratorVersion": pool.get("currentOrchestratorVersion") or pool.get("orchestratorVersion"),
        "maxPods": pool.get("maxPods"),
        "vnetSubnetId": pool.get("vnetSubnetID") or pool.get("vnetSubnetId"),
        "nodeLabels": pool.get("nodeLabels"),
        "nodeTaints": pool.get("nodeTaints"),
        "provisioningState": pool.get("provisioningState"),
        "powerState": _power_state(pool.get("powerState"), props.get("powerState")),
        "workloadRuntime": pool.get("workloadRuntime"),
    }


def wasi_records(clusters, subscription_id=None):
    """Records for every WASI pool of ``clusters`` (any iterable of cluster dicts)."""
    return [to_record(cluster, pool, subscription_id)
            for cluster in clusters
            for pool in pool_profiles(cluster)
            if is_wasi_pool(pool)]


def sort_records(records):
    """A stable order for people and scripts: subscription, group, cluster, pool."""
    def key(record):
        return tuple(str(record.get(f) or "").lower()
                     for f in ("subscriptionId", "resourceGroup", "clusterName", "name"))
    return sorted(records, key=key)


def find_in_subscriptions(subscription_ids, list_clusters, recoverable, max_workers=MAX_PARALLEL_SUBSCRIPTIONS,
                          on_done=None):
    """Query several subscriptions concurrently (bounded); one failing subscription spoils nothing.

    ``list_clusters(subscription_id)`` returns the subscription's clusters as dicts. Returns
    ``(records, failures)`` where failures maps a subscription id to the exception it raised, if that is one of
    the ``recoverable`` types (the service's answers); anything else is a bug and propagates.
    ``on_done(subscription_id, error_or_None)`` is called as each subscription finishes (progress).
    """
    records, failures = [], {}
    if not subscription_ids:
        return records, failures

    def one(subscription_id):
        return wasi_records(list_clusters(subscription_id), subscription_id)

    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(subscription_ids)))) as pool:
        futures = {pool.submit(one, sub): sub for sub in subscription_ids}
        for future, subscription_id in futures.items():
            try:
                records.extend(future.result())
                error = None
            except recoverable as ex:  # reported per subscription
                failures[subscription_id] = error = ex
            if on_done:
                on_done(subscription_id, error)
    return sort_records(records), failures
