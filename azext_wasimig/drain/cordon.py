"""A pool's nodes and pods on the API server: find them by label, cordon/uncordon them, check RBAC up front.

Model: kubectl's cordon helper (k8s.io/kubectl/pkg/drain/cordon.go): patch only when ``spec.unschedulable``
differs, so cordon and uncordon are idempotent and report which nodes they changed.
"""

from concurrent.futures import ThreadPoolExecutor

from azext_wasimig.drain.errors import PoolHasNoNodes
from azext_wasimig.kube import rest
from azext_wasimig.vocabulary.kubernetes import MERGE_PATCH_CONTENT_TYPE, POOL_LABELS

MAX_PARALLEL_LISTS = 8
CORDON_ATTEMPTS = 5     # reads and patches of one node when others keep changing it (409 Conflict)


def node_name(node):
    return (node.get("metadata") or {}).get("name")


def nodes_of_pool(api_client, pool, require=True):
    """The pool's Node dicts, by ``kubernetes.azure.com/agentpool=<pool>`` (falling back to ``agentpool=<pool>``).

    With ``require``, a pool without nodes is an error: nothing can be cordoned or drained, and it usually means
    a wrong name or a pool scaled to zero.
    """
    server = api_client.configuration.host
    for label in POOL_LABELS:
        try:
            nodes = rest.list_all(api_client, "/api/v1/nodes", {"labelSelector": f"{label}={pool}"})
        except Exception as ex:  # pylint: disable=broad-except
            raise rest.api_error(ex, f"listing the nodes of pool '{pool}'", server, "list nodes") from ex
        if nodes:
            return sorted(nodes, key=node_name)
    if require:
        raise PoolHasNoNodes(
            f"Node pool '{pool}' has no nodes in the cluster (no node carries the label "
            f"{POOL_LABELS[0]}={pool} or {POOL_LABELS[1]}={pool}).",
            recommendation="Check the pool name (az aks nodepool list) and that the pool is not scaled to zero.")
    return []


def cordon(api_client, nodes, unschedulable=True):
    """Mark ``nodes`` (Node dicts or names) unschedulable (or schedulable again); returns the names it changed.

    Idempotent: a node already in the wanted state is not patched. Names are re-read, so a stale dict is fine.
    """
    changed = []
    verb = "cordoning" if unschedulable else "uncordoning"
    for name in [n if isinstance(n, str) else node_name(n) for n in nodes]:
        try:
            if _set_unschedulable(api_client, name, unschedulable):
                changed.append(name)
        except Exception as ex:  # pylint: disable=broad-except
            rest.raise_api_error(ex, f"{verb} node {name}", api_client.configuration.host, "get and patch nodes")
    return changed


def _set_unschedulable(api_client, name, unschedulable):
    """Patch one node unless it already is as wanted; True when patched. The patch carries the resourceVersion
    read just before, so the transport may retry it (a 5xx) without risk, and a node changed in between (409) is
    read again."""
    path = f"/api/v1/nodes/{name}"
    for attempt in range(1, CORDON_ATTEMPTS + 1):
        current = rest.call(api_client, "GET", path)
        if bool((current.get("spec") or {}).get("unschedulable")) == unschedulable:
            return False
        # merge patch: null removes the field, which is how kubectl leaves an uncordoned node
        patch = {"metadata": {"resourceVersion": (current.get("metadata") or {}).get("resourceVersion")},
                 "spec": {"unschedulable": True if unschedulable else None}}
        try:
            rest.call(api_client, "PATCH", path, body=patch, content_type=MERGE_PATCH_CONTENT_TYPE)
            return True
        except rest.KubeApiError as ex:
            if ex.status != 409 or attempt == CORDON_ATTEMPTS:
                raise
    return False


def pods_on_nodes(api_client, names):
    """{node name: [pod dicts]} - one paged list per node (field selector spec.nodeName), a few at a time."""
    def one(name):
        return name, rest.list_all(api_client, "/api/v1/pods", {"fieldSelector": f"spec.nodeName={name}"})

    try:
        with ThreadPoolExecutor(max_workers=max(1, min(MAX_PARALLEL_LISTS, len(names)))) as pool:
            return dict(pool.map(one, names))
    except Exception as ex:  # pylint: disable=broad-except
        raise rest.api_error(ex, "listing the pods on the pool's nodes", api_client.configuration.host,
                             "list pods in all namespaces") from ex


def can_i(api_client, verb, resource, *, namespace=None, subresource=None, group=""):
    """True when the current identity may do it (SelfSubjectAccessReview; every authenticated user may ask)."""
    attributes = {"verb": verb, "resource": resource, "group": group}
    if namespace:
        attributes["namespace"] = namespace
    if subresource:
        attributes["subresource"] = subresource
    review = rest.call(api_client, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                       body={"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                             "spec": {"resourceAttributes": attributes}},
                       idempotent=True)   # a review stores nothing: asking twice is safe
    return bool((review.get("status") or {}).get("allowed"))


def missing_drain_permissions(api_client, namespaces):
    """The RBAC rights a drain of pods in ``namespaces`` lacks, as readable strings (empty: all there).

    Asked before anything changes, so a forbidden drain fails without having cordoned a node. A review that
    fails is an error, never a yes: the drain would otherwise start on rights nobody checked.
    """
    wanted = [("patch", "nodes", None, None)]
    wanted += [("create", "pods", ns, "eviction") for ns in sorted(set(namespaces))]
    missing = []
    for verb, resource, namespace, subresource in wanted:
        try:
            allowed = can_i(api_client, verb, resource, namespace=namespace, subresource=subresource)
        except Exception as ex:  # pylint: disable=broad-except
            rest.raise_api_error(ex, "checking the identity's rights with a SelfSubjectAccessReview",
                                 api_client.configuration.host, "create selfsubjectaccessreviews "
                                 "(authorization.k8s.io), which every signed-in identity normally may")
        if not allowed:
            where = f" in namespace {namespace}" if namespace else ""
            missing.append(f"`{verb}` on `{resource}{'/' + subresource if subresource else ''}`{where}")
    return missing
