"""A cluster read once: every object the scan needs, as the API server's own JSON (camelCase dicts).

``take`` makes one paged LIST per kind across all namespaces (or one namespace) and nothing per
object, so a scan of thousands of workloads costs a handful of requests. It reads the raw JSON and
skips the client's model deserialisation (``kube.rest``), which is slow and roughly doubles the memory. Kinds that
moved between API versions (PodDisruptionBudget, CronJob, RuntimeClass) are read at the newest
version the server serves, found by discovery as kubectl does: a v1.20 server has only
policy/v1beta1 PDBs and batch/v1beta1 CronJobs.
"""

from dataclasses import dataclass, field

from azext_wasimig.kube import rest

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob")
PAGE_SIZE = 500
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


@dataclass(frozen=True)
class Resource:
    kind: str
    plural: str
    versions: tuple      # "group/version" (or "v1" for core), newest first
    namespaced: bool = True


RESOURCES = (
    Resource("Node", "nodes", ("v1",), namespaced=False),
    Resource("Pod", "pods", ("v1",)),
    Resource("Deployment", "deployments", ("apps/v1",)),
    Resource("StatefulSet", "statefulsets", ("apps/v1",)),
    Resource("DaemonSet", "daemonsets", ("apps/v1",)),
    Resource("ReplicaSet", "replicasets", ("apps/v1",)),
    Resource("Job", "jobs", ("batch/v1",)),
    Resource("CronJob", "cronjobs", ("batch/v1", "batch/v1beta1")),
    Resource("PodDisruptionBudget", "poddisruptionbudgets", ("policy/v1", "policy/v1beta1")),
    Resource("RuntimeClass", "runtimeclasses", ("node.k8s.io/v1", "node.k8s.io/v1beta1"), namespaced=False),
)


@dataclass
class Requests:
    """What a read cost: ``lists`` counts the LIST requests per resource (one per page), ``discovery`` the
    discovery requests, so a benchmark can check that nothing is read per object."""
    lists: dict = field(default_factory=dict)
    discovery: int = 0

    @property
    def total(self):
        return sum(self.lists.values()) + self.discovery


@dataclass
class ClusterSnapshot:  # pylint: disable=too-many-instance-attributes  # one field per kind of thing read
    """Objects by role. ``workloads`` holds the controllers, each with ``kind`` and ``apiVersion`` set.

    ``requests`` counts what reading the cluster took (none for manifests). ``sources`` maps ``id(obj)`` of an
    object held here to ``"file:line"`` when it was read from manifests (overlays can hold the same name twice, so
    the name is no key); ``source_of`` reads it.
    """
    nodes: list = field(default_factory=list)
    pods: list = field(default_factory=list)
    workloads: list = field(default_factory=list)
    pdbs: list = field(default_factory=list)
    runtime_classes: list = field(default_factory=list)
    requests: Requests = field(default_factory=Requests)
    sources: dict = field(default_factory=dict)
    served: frozenset = frozenset()   # the "group/version"s the server serves (discovery), empty for manifests
    owners: object = None             # what owns the workloads (Helm, Flux, Argo CD): evaluate.managers.Owners

    @property
    def api_calls(self):
        return self.requests.total

    def source_of(self, obj):
        return self.sources.get(id(obj))

    def add(self, obj):
        """File ``obj`` under its kind; False (and nothing kept) for kinds the scan does not read."""
        bucket = self._bucket(obj.get("kind"))
        if bucket is None:
            return False
        bucket.append(obj)
        return True

    def _bucket(self, kind):
        if kind in WORKLOAD_KINDS:
            return self.workloads
        return {"Node": self.nodes, "Pod": self.pods, "PodDisruptionBudget": self.pdbs,
                "RuntimeClass": self.runtime_classes}.get(kind)


def take(api_client, namespace=None, page_size=PAGE_SIZE):
    """Read the cluster through ``api_client`` (a kubernetes ``ApiClient``) into a ClusterSnapshot.

    ``namespace`` limits the namespaced kinds; nodes and RuntimeClasses are always read in full.
    Kinds the server does not serve at all are skipped. A failed call raises ``rest.KubeApiError``
    (``rest.api_error`` words it).
    """
    snapshot = ClusterSnapshot()
    served = snapshot.served = frozenset(_served_group_versions(api_client, snapshot))
    for resource in RESOURCES:
        version = _pick_version(api_client, snapshot, resource, served)
        if version is None:
            continue
        path = _collection_path(resource, version, namespace)
        for item in _list_all(api_client, snapshot, resource.plural, path, page_size):
            item["kind"], item["apiVersion"] = resource.kind, version
            snapshot.add(item)
    return snapshot


def _served_group_versions(api_client, snapshot):
    """Every "group/version" the server serves (one GET /apis), plus the core "v1"."""
    snapshot.requests.discovery += 1
    groups = rest.call(api_client, "GET", "/apis").get("groups") or []
    return {"v1"} | {v.get("groupVersion") for g in groups for v in (g.get("versions") or [])}


def _pick_version(api_client, snapshot, resource, served):
    """The newest served version that has the resource.

    Group versions say nothing about their resources (batch/v1 existed years before it had
    CronJobs), so when several candidates are served the newer ones are asked for their resource
    list; the oldest served one is taken on trust.
    """
    candidates = [v for v in resource.versions if v in served]
    for version in candidates[:-1]:
        snapshot.requests.discovery += 1
        listed = rest.call(api_client, "GET", _group_version_path(version)).get("resources") or []
        if any(r.get("name") == resource.plural for r in listed):
            return version
    return candidates[-1] if candidates else None


def _group_version_path(version):
    return "/api/v1" if version == "v1" else f"/apis/{version}"


def _collection_path(resource, version, namespace):
    base = _group_version_path(version)
    if namespace and resource.namespaced:
        return f"{base}/namespaces/{namespace}/{resource.plural}"
    return f"{base}/{resource.plural}"


def _list_all(api_client, snapshot, plural, path, page_size):
    """Every item of a collection, counting the requests per kind. Each item is slimmed as its page arrives, so
    raw pages never pile up; a list that restarts (410 Expired) drops what the first try had read."""
    def count_page():
        snapshot.requests.lists[plural] = snapshot.requests.lists.get(plural, 0) + 1
    items = []
    for item in rest.iter_items(api_client, path, page_size=page_size, on_page=count_page, on_restart=items.clear):
        items.append(_slim(item))
    return items


def _slim(obj):
    """Drop what the scan never reads and what dominates memory: managedFields (all but the names of the field
    managers, which say who applies the object: Helm, Flux, Argo CD), the last-applied copy of the whole object,
    and the image list every node status carries."""
    metadata = obj.get("metadata") or {}
    managers = {entry.get("manager"): None for entry in metadata.pop("managedFields", None) or [] if entry}
    if managers:
        metadata["managedFields"] = [{"manager": name} for name in managers if name]
    (metadata.get("annotations") or {}).pop(LAST_APPLIED, None)
    if obj.get("kind") == "Node":
        (obj.get("status") or {}).pop("images", None)
    return obj
