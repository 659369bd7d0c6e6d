"""Is the API server a kubeconfig names the cluster that ARM vouched for? ARM proves that ``-g/-n`` has the WASI
pool; a ``--kubeconfig`` file may point anywhere (its current context on another cluster with a pool of the same
name), so before anything is read or written through it, one of two proofs must hold:

1. its server is the cluster's: the host of ``server`` is the managed cluster's ``fqdn``, ``privateFQDN`` or
   ``azurePortalFQDN`` (ports aside: AKS serves on 443, a tunnel may not);
2. the pool's nodes say so: every node of the pool (of the cluster's pools, when the pool has none) that has an
   Azure ``spec.providerID`` - ``azure:///subscriptions/<sub>/resourceGroups/<node resource group>/providers/...``,
   set by the Azure cloud provider and not by users - names the cluster's subscription and ``nodeResourceGroup``
   (case-insensitively: AKS writes the group in lower case), and there is at least one.
Either a node of another cluster, or nothing to go on, refuses the kubeconfig (``NotThisCluster``).
"""

import re
from urllib.parse import urlsplit

from azext_wasimig.evaluate import inventory
from azext_wasimig.vocabulary.kubernetes import POOL_LABELS
from azext_wasimig.kube import rest

FQDN_FIELDS = ("fqdn", "privateFQDN", "azurePortalFQDN")
_AZURE_PROVIDER_ID = re.compile(r"^azure:///subscriptions/([^/]+)/resourceGroups/([^/]+)/", re.IGNORECASE)


class NotThisCluster(Exception):
    """The kubeconfig's server is not, or cannot be shown to be, the ARM cluster; the message says which."""


def cluster_hosts(cluster):
    """The lower-case host names under which ARM says the cluster's API server answers."""
    props = inventory.cluster_properties(cluster)
    return {str(props[f]).lower().rstrip(".") for f in FQDN_FIELDS if props.get(f)}


def server_host(server):
    try:
        return (urlsplit(str(server)).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def node_owner(node):
    """(subscription, resource group) named by the node's Azure providerID, lower case; None for other ids."""
    match = _AZURE_PROVIDER_ID.match(str((node.get("spec") or {}).get("providerID") or ""))
    return (match.group(1).lower(), match.group(2).lower()) if match else None


def cluster_owner(cluster):
    """(subscription, node resource group) that the cluster's nodes' providerIDs name, lower case."""
    props = inventory.cluster_properties(cluster)
    return (str(inventory.subscription_of(cluster.get("id")) or "").lower(),
            str(props.get("nodeResourceGroup") or "").lower())


def judge_nodes(nodes, cluster, source, scope="the pool"):
    """Raise NotThisCluster unless ``nodes`` (Node dicts of ``scope``) prove they are ``cluster``'s (proof 2)."""
    want = cluster_owner(cluster)
    owners = [((n.get("metadata") or {}).get("name"), node_owner(n)) for n in nodes]
    foreign = [(name, owner) for name, owner in owners if owner and owner != want]
    name = cluster.get("name")
    if foreign:
        node, (subscription, group) = foreign[0]
        raise NotThisCluster(
            f"{source} is not cluster '{name}': its node {node} is in subscription {subscription}, resource group "
            f"{group}, while the cluster's nodes are in subscription {want[0]}, resource group {want[1]}.")
    if not any(owner == want for _, owner in owners):
        found = (f"none of the {len(nodes)} node(s) of {scope} has a providerID naming" if nodes
                 else f"it has no node of {scope} whose providerID could name")
        raise NotThisCluster(
            f"{source} cannot be shown to be cluster '{name}': its server is none of the cluster's host names "
            f"({', '.join(sorted(cluster_hosts(cluster))) or 'none known'}), and {found} the cluster's subscription "
            f"{want[0]} and node resource group {want[1]}.")


def require_cluster(api_client, cluster, pool, pool_names, source):
    """Check that the ApiClient reaches ``cluster`` (see the module doc): by its server, else by the nodes of
    ``pool`` (the pool the command acts on, as ARM spells it; None for none), else of all ``pool_names`` (the
    cluster's pools). Raises NotThisCluster, or rest/urllib3 errors from listing nodes."""
    server = api_client.configuration.host
    if server_host(server) in cluster_hosts(cluster):
        return
    nodes, scope = (_nodes_of_pools(api_client, [pool]), f"pool '{pool}'") if pool else ([], "")
    if not nodes:
        nodes, scope = _nodes_of_pools(api_client, pool_names), f"pools {', '.join(sorted(set(pool_names)))}"
    judge_nodes(nodes, cluster, f"{source} (server {server})", scope)


def _nodes_of_pools(api_client, pool_names):
    if not pool_names:
        return []
    values = ",".join(sorted(set(pool_names)))
    for label in POOL_LABELS:
        found = rest.list_all(api_client, "/api/v1/nodes", {"labelSelector": f"{label} in ({values})"})
        if found:
            return found
    return []
