"""Where a drained pod's replacement could go, read from the cluster once: every node (one LIST) and, only when
a pod names one, the RuntimeClasses (one LIST). The judgement itself is placement's (pure).

The replacement is judged by the pod's own spec (its controller's template, as admitted when the pod was made):
it already carries its RuntimeClass's nodeSelector from then, and the class is merged again as it is now.
"""

import json

from azext_wasimig import placement
from azext_wasimig.kube import rest

RUNTIME_CLASS_VERSIONS = ("node.k8s.io/v1", "node.k8s.io/v1beta1")
PLACEMENT_FIELDS = ("nodeSelector", "affinity", "tolerations", "runtimeClassName")


class Landing:
    """``landing(pod)``: why no node outside ``pool_nodes`` (names) would take the pod's replacement, or None.

    Pods with the same placement (the replicas of one workload) are judged once.
    """

    def __init__(self, api_client, pool_nodes):
        self.api_client = api_client
        pool_nodes = set(pool_nodes)
        self.nodes = [n for n in _read(api_client, "/api/v1/nodes", "listing the cluster's nodes", "list nodes")
                      if placement.node_name(n) not in pool_nodes]
        self._runtime_classes = None
        self._verdicts = {}

    def __call__(self, pod):
        spec = {k: v for k, v in (pod.get("spec") or {}).items() if k in PLACEMENT_FIELDS}
        key = json.dumps(spec, sort_keys=True)
        if key not in self._verdicts:
            classes = self.runtime_classes() if spec.get("runtimeClassName") else {}
            self._verdicts[key] = placement.nowhere_to_land(spec, self.nodes, classes)
        return self._verdicts[key]

    def runtime_classes(self):
        """{name: RuntimeClass}, at the newest version the server serves (v1 since Kubernetes 1.20)."""
        if self._runtime_classes is None:
            self._runtime_classes = {}
            for version in RUNTIME_CLASS_VERSIONS:
                try:
                    items = rest.list_all(self.api_client, f"/apis/{version}/runtimeclasses")
                except rest.KubeApiError as ex:
                    if ex.status == 404 and version != RUNTIME_CLASS_VERSIONS[-1]:
                        continue
                    raise _api_error(self.api_client, ex, "listing the RuntimeClasses",
                                     "list runtimeclasses") from ex
                self._runtime_classes = {(rc.get("metadata") or {}).get("name"): rc for rc in items}
                break
        return self._runtime_classes


def _read(api_client, path, what, permission):
    try:
        return rest.list_all(api_client, path)
    except Exception as ex:  # pylint: disable=broad-except
        error = _api_error(api_client, ex, what, permission)
        if error is ex:   # not an API or connection failure: a bug, not something to word for the user
            raise
        raise error from ex


def _api_error(api_client, error, what, permission):
    return rest.api_error(error, f"{what} (to check that every evicted pod has somewhere to go)",
                          api_client.configuration.host, permission)
