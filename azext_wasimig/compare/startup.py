"""Start-up per pod, and per ACI container group, from the status the platform reports (pure).

A pod's cold start is read the way the kubelet records it: ``metadata.creationTimestamp`` (the API server
accepted the pod) -> condition ``PodScheduled`` -> ``ContainersReady`` -> ``Ready``, each condition's
``lastTransitionTime`` (status True). The timestamps have one-second resolution (RFC 3339 without fractions, as
the API server writes them), so every figure is whole seconds. A condition's time is its *last* transition: a pod
whose containers restarted became Ready again later, so its figures include that; ``restarted`` marks such pods.

An ACI container group has no conditions: its start-up runs from the group's creation (``systemData.createdAt``,
else its earliest instance-view event) to the last container's ``currentState.startTime`` while Running, with
the image pull (the last ``Pulled`` event) on the way.
"""

import datetime

PHASES = ("PodScheduled", "ContainersReady", "Ready")


def parse_time(stamp):
    """An RFC 3339 timestamp as an aware datetime; None for a missing or malformed one."""
    if not isinstance(stamp, str) or not stamp:
        return None
    try:
        moment = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def _seconds(start, end):
    return None if start is None or end is None else round((end - start).total_seconds(), 3)


def _condition_times(status):
    return {c.get("type"): parse_time(c.get("lastTransitionTime"))
            for c in status.get("conditions") or [] if c.get("status") == "True"}


def pod_startup(pod):
    """{pod, node, created, scheduledSeconds, containersReadySeconds, readySeconds, restarted} of one pod."""
    meta, status = pod.get("metadata") or {}, pod.get("status") or {}
    created = parse_time(meta.get("creationTimestamp"))
    times = _condition_times(status)
    restarted = any((c.get("restartCount") or 0) > 0 for c in status.get("containerStatuses") or [])
    return {"pod": meta.get("name"), "node": (pod.get("spec") or {}).get("nodeName"),
            "created": meta.get("creationTimestamp"),
            "scheduledSeconds": _seconds(created, times.get("PodScheduled")),
            "containersReadySeconds": _seconds(created, times.get("ContainersReady")),
            "readySeconds": _seconds(created, times.get("Ready")), "restarted": restarted}


def _group_events(group):
    props = group.get("properties") or {}
    events = list((props.get("instanceView") or {}).get("events") or [])
    for container in props.get("containers") or []:
        events += ((container.get("properties") or {}).get("instanceView") or {}).get("events") or []
    return events


def _container_views(group):
    return [((c.get("properties") or {}).get("instanceView") or {})
            for c in (group.get("properties") or {}).get("containers") or []]


def aci_startup(group):
    """{pod (the group's name), node: None, created, pulledSeconds, readySeconds, restarted} of one group.
    ``readySeconds`` is None until every container is Running."""
    events = _group_events(group)
    created = parse_time((group.get("systemData") or {}).get("createdAt"))
    if created is None:
        firsts = [t for t in (parse_time(e.get("firstTimestamp")) for e in events) if t]
        created = min(firsts) if firsts else None
    pulled = [t for t in (parse_time(e.get("lastTimestamp")) for e in events if e.get("name") == "Pulled") if t]
    views = _container_views(group)
    states = [v.get("currentState") or {} for v in views]
    running = bool(states) and all(s.get("state") == "Running" for s in states)
    started = [parse_time(s.get("startTime")) for s in states]
    ready = max(started) if running and all(started) else None
    return {"pod": group.get("name"), "node": None,
            "created": created.strftime("%Y-%m-%dT%H:%M:%SZ") if created else None,
            "pulledSeconds": _seconds(created, max(pulled) if pulled else None),
            "readySeconds": _seconds(created, ready),
            "restarted": any((v.get("restartCount") or 0) > 0 for v in views)}
