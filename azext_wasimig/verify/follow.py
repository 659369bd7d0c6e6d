"""Follow rollouts until done or a timeout, as ``kubectl rollout status --timeout`` does (verify/rollout.py's rules),
and say why one that did not finish is stuck: a pod Pending because no node admits it (the scheduler's own
message), a container crash-looping or failing to pull its image. For retarget, which waits for the rollouts its
patches started: ``stuck = follow(api, rows, timeout=...)``, then ``raise incomplete_error(stuck, timeout)``.

One GET per workload still rolling per round (a round every ``interval`` seconds), and for the ones left at the
end one LIST of their namespace's pods: nothing is read per pod.
"""

import time

from azext_wasimig.errors import MigrationError
from azext_wasimig.verify import rollout

PATHS = {"Deployment": "apps/v1/namespaces/{ns}/deployments/{name}",
         "StatefulSet": "apps/v1/namespaces/{ns}/statefulsets/{name}",
         "DaemonSet": "apps/v1/namespaces/{ns}/daemonsets/{name}",
         "ReplicaSet": "apps/v1/namespaces/{ns}/replicasets/{name}"}
STUCK_WAITING = ("CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError",
                 "CreateContainerError", "RunContainerError")


class RolloutsIncomplete(MigrationError):
    """Patched, but some rollouts did not finish: the message names each and why."""
    kind = "incomplete"


# The rows whose rollouts are followed: the ones patched now, and the ones an earlier run patched (already as
# wanted, "unchanged"), so that running the same retarget again waits for what is still rolling out.
FOLLOWED_ACTIONS = ("patched", "unchanged")


def follow(api, rows, *, timeout, interval=2.0, progress=None, sleep=time.sleep, clock=time.monotonic):
    """Adds ``rollout`` (the last status message) and ``rolledOut`` (bool) to each row whose action is one of
    ``FOLLOWED_ACTIONS`` and whose kind has a rollout (rows: retarget's, with namespace, kind, name, action);
    returns the rows not rolled out by ``timeout`` seconds or failed (their ``reason`` says why)."""
    pending = [r for r in rows if r.get("action") in FOLLOWED_ACTIONS and r.get("kind") in PATHS]
    deadline = clock() + timeout
    objects = {}
    while pending:
        for row in list(pending):
            obj = _read(api, row)
            objects[id(row)] = obj
            status = rollout.status(obj) if obj else rollout.RolloutStatus(True, False, "deleted meanwhile")
            row["rollout"], row["rolledOut"] = status.message, status.done
            if status.done or status.failed:
                pending.remove(row)
        if not pending or clock() >= deadline:
            break
        if progress:
            progress(f"Waiting for {len(pending)} rollout(s): " + "; ".join(
                f"{r['namespace']}/{r['kind']}/{r['name']}: {r['rollout']}" for r in pending[:3]))
        sleep(max(0.0, min(interval, deadline - clock())))
    stuck = [r for r in rows if r.get("rolledOut") is False]
    for row in stuck:
        row["reason"] = _why(api, objects[id(row)], row["rollout"])
    return stuck


def _read(api, row):
    """The workload now, or None when it was deleted meanwhile."""
    from azext_wasimig.kube import rest
    try:
        obj = rest.call(api, "GET", "/apis/" + PATHS[row["kind"]].format(ns=row["namespace"], name=row["name"]))
    except rest.KubeApiError as ex:
        if ex.status == 404:
            return None
        raise
    obj["kind"] = row["kind"]
    return obj


def _why(api, obj, message):
    """The rollout's message, and what its pods say: Pending with the scheduler's reason, or a waiting container."""
    from azext_wasimig.kube import rest
    selector = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    if not selector:
        return message
    namespace = obj["metadata"]["namespace"]
    pods = rest.call(api, "GET", f"/api/v1/namespaces/{namespace}/pods", query={
        "labelSelector": ",".join(f"{k}={v}" for k, v in sorted(selector.items()))}).get("items") or []
    reasons = [r for r in (_pod_problem(p) for p in pods) if r]
    return "; ".join([message] + sorted(set(reasons)))


def _pod_problem(pod):
    name, status = pod["metadata"]["name"], pod.get("status") or {}
    if pod["metadata"].get("deletionTimestamp"):
        return None
    if status.get("phase") == "Pending" and not (pod.get("spec") or {}).get("nodeName"):
        scheduled = next((c for c in status.get("conditions") or [] if c.get("type") == "PodScheduled"), {})
        return f"pod {name} is Pending: {scheduled.get('message') or 'not scheduled yet'}"
    for container in status.get("containerStatuses") or []:
        waiting = (container.get("state") or {}).get("waiting") or {}
        if waiting.get("reason") in STUCK_WAITING:
            return f"pod {name}: container {container.get('name')} is waiting in {waiting['reason']}"
    return None


def incomplete_error(stuck, timeout):
    if not stuck:
        return None
    lines = "\n".join(f"  {r['namespace']}/{r['kind']}/{r['name']}: {r['reason']}" for r in stuck)
    return RolloutsIncomplete(
        f"The workloads were patched, but {len(stuck)} rollout(s) did not become available within {timeout} s:\n"
        f"{lines}",
        recommendation="Fix what each names (a node pool that admits the pods, the image or the app), then run the "
                       "same command again to wait (it changes nothing more), or --phase rollback to go back.")
