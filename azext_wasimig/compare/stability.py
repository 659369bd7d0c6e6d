"""Stability per side: restarts, OOM kills and the last termination reasons (pure).

A pod's containers report ``restartCount`` and ``lastState.terminated.reason`` (OOMKilled, Error, Completed...);
an ACI container reports ``restartCount`` and ``previousState`` (state Terminated, ``detailStatus`` the reason).
"""

from collections import Counter

OOM_KILLED = "OOMKilled"


def pod_terminations(pod):
    """(restarts, [last termination reasons]) of a pod's containers (init containers included: they restart too)."""
    status = pod.get("status") or {}
    containers = (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or [])
    restarts = sum(c.get("restartCount") or 0 for c in containers)
    reasons = [((c.get("lastState") or {}).get("terminated") or {}).get("reason") for c in containers]
    return restarts, [r for r in reasons if r]


def aci_terminations(group):
    views = [((c.get("properties") or {}).get("instanceView") or {})
             for c in (group.get("properties") or {}).get("containers") or []]
    restarts = sum(v.get("restartCount") or 0 for v in views)
    previous = [v.get("previousState") or {} for v in views]
    reasons = [p.get("detailStatus") or p.get("state") for p in previous if p.get("state") == "Terminated"]
    return restarts, [r for r in reasons if r]


def side_stability(terminations):
    """{restarts, oomKilled, lastTerminationReasons: {reason: count}} over ``[(restarts, reasons)]`` of a side."""
    reasons = Counter(reason for _, found in terminations for reason in found)
    return {"restarts": sum(r for r, _ in terminations), "oomKilled": reasons.get(OOM_KILLED, 0),
            "lastTerminationReasons": dict(sorted(reasons.items()))}
