"""An eviction the API server granted but never carried out: finish it instead of waiting two minutes.

The eviction subresource (kube-apiserver, pkg/registry/core/pod/storage/eviction.go) first writes the budget
(``disruptionsAllowed`` one less, the pod's name into ``status.disruptedPods`` with the time), then deletes the pod
under the request's context. A client that dies between the two (a drain or a cutover SIGKILLed inside an eviction
call: its connection closes and the context is cancelled) leaves the pod running while the budget counts it as
disrupted: every other eviction under that budget is refused (429) until the disruption controller gives up waiting
for the deletion (its DeletionTimeout, two minutes) and drops the entry. A re-run would wait those two minutes.

The budget already paid for that pod's disruption, so deleting that very pod (its UID as precondition) is exactly
what the granted eviction would have done, and no more: availability falls to what the budget allowed when it
granted it. Only a pod still listed in ``disruptedPods`` of a budget covering it, and not terminating, qualifies;
when the deletion is refused (no RBAC right to delete pods) the drain waits for the controller as before.
"""

from azext_wasimig.drain import filters
from azext_wasimig.kube import rest


def granting_budgets(pod, pdbs, empty_matches_all=False):
    """Names of the budgets covering ``pod`` that list it as disrupted: an eviction of it was granted."""
    name = (pod.get("metadata") or {}).get("name")
    return sorted(pdb["metadata"]["name"] for pdb in filters.pdbs_covering(pod, pdbs, empty_matches_all)
                  if name in ((pdb.get("status") or {}).get("disruptedPods") or {}))


def finish(api_client, pod, grace_period=None):
    """Delete ``pod`` as its granted eviction would have: "deleted", "gone" (404, or the name is another pod's now:
    409 on the UID precondition), or None when the server refused (then wait for the controller instead)."""
    meta = pod["metadata"]
    body = {"apiVersion": "v1", "kind": "DeleteOptions", "preconditions": {"uid": meta["uid"]}}
    if grace_period is not None:
        body["gracePeriodSeconds"] = grace_period
    try:
        rest.call(api_client, "DELETE", f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}", body=body)
    except rest.KubeApiError as ex:
        return "gone" if ex.status in (404, 409) else None
    return "deleted"
