"""Reading the objects that own what Flux and Argo CD apply (Kustomizations, HelmReleases, Applications), so that
``managers`` can say whether their controller would put a live change back.

Only the kinds some workload names are read (``managers.owner_kinds_named``), each with one paged LIST across all
namespaces at the newest version the server serves. A kind whose CRD is not served, or that the identity may not
list, is recorded as not readable, with the reason, and the scan goes on: the findings say so.
"""

from azext_wasimig.evaluate.managers import Owners, owner_kinds_named
from azext_wasimig.kube import rest
from azext_wasimig.vocabulary.gitops import OWNER_RESOURCES


def read(api_client, snapshot):
    """The ``managers.Owners`` of ``snapshot`` (a ClusterSnapshot ``kube.snapshot.take`` made, whose ``served``
    group/versions say which CRDs exist). Connection failures and bugs propagate; an API answer (403, 404, 5xx
    after the retries) makes the kind not readable."""
    owners = Owners()
    for kind in sorted(owner_kinds_named(snapshot.workloads + snapshot.pods)):
        plural, versions = OWNER_RESOURCES[kind]
        version = next((v for v in versions if v in snapshot.served), None)
        if version is None:
            group = versions[0].split("/")[0]
            owners.unreadable[kind] = f"its CRD is not served by this cluster (no API group {group})"
            continue
        try:
            items = _list(api_client, snapshot, plural, f"/apis/{version}/{plural}")
        except rest.KubeApiError as ex:
            owners.unreadable[kind] = _why(ex, plural, version)
            continue
        owners.objects[kind] = {((i.get("metadata") or {}).get("namespace"), (i.get("metadata") or {}).get("name")):
                                {**i, "kind": kind, "apiVersion": version} for i in items}
    return owners


def _list(api_client, snapshot, plural, path):
    def count_page():
        snapshot.requests.lists[plural] = snapshot.requests.lists.get(plural, 0) + 1
    items = []
    for item in rest.iter_items(api_client, path, on_page=count_page, on_restart=items.clear):
        items.append(item)
    return items


def _why(error, plural, version):
    group = version.split("/")[0]
    if error.status == 403:
        return f"forbidden (it needs permission to list {plural}.{group} in all namespaces)"
    if error.status == 404:
        return f"its CRD is not served by this cluster ({version} has no {plural})"
    return f"the API server answered HTTP {error.status} listing {plural}.{group}"
