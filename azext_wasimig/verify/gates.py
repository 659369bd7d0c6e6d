"""The gates verify holds the new home to (pure: plain dicts in, one result per gate out).

One function per gate, as kubectl's drain has one per filter. Each returns
``{"name", "passed", "evidence", "failures": [{"object", "reason"}]}``: ``evidence`` says what was looked at (so a
passing gate shows what it passed on), ``failures`` name each object that fails and why.
Objects are named ``NAMESPACE/KIND/NAME`` as create-aci's --workload takes them (``Node/NAME``,
``AgentPool/NAME``, ``ContainerGroup/RG/NAME`` for the cluster-wide and Azure ones).
"""

from datetime import datetime, timezone

from azext_wasimig import placement
from azext_wasimig.evaluate import inventory
from azext_wasimig.verify import rollout
from azext_wasimig.verify.scope import show

SUCCEEDED, RUNNING = "Succeeded", "Running"
BAD_WAITING = ("CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError")
WARNING_REASONS = ("FailedScheduling", "FailedCreatePodSandBox", "BackOff", "Unhealthy")
NO_DAEMONS = "DaemonSet"   # a DaemonSet runs on every pool's nodes by design: placement gates leave it aside


def result(name, failures, evidence):
    return {"name": name, "passed": not failures, "evidence": evidence, "failures": failures}


def failure(obj, reason):
    return {"object": obj, "reason": reason}


def _pod_name(pod):
    return show(("default" if not pod["metadata"].get("namespace") else pod["metadata"]["namespace"], "Pod",
                 pod["metadata"]["name"]))


# --- the new pool --------------------------------------------------------------------------------------------

def new_pool(pool, name, nodes):
    """ARM says Succeeded and Running; its nodes are Ready and schedulable, as many as its count (or autoscale
    minimum). ``pool``: the agent pool as ARM returns it now (None: gone)."""
    if pool is None:
        return result("new-pool", [failure(f"AgentPool/{name}", "ARM has no such pool any more")], {})
    flat = inventory.flatten_agent_pool(pool)
    state = flat.get("provisioningState") or "unknown"
    power = (flat.get("powerState") or {}).get("code") if isinstance(flat.get("powerState"), dict) else \
        flat.get("powerState")
    wanted = int((flat.get("minCount") if flat.get("enableAutoScaling") else flat.get("count")) or 0)
    failures = []
    if state != SUCCEEDED:
        failures.append(failure(f"AgentPool/{name}", f"provisioning state is {state}, not {SUCCEEDED}"))
    if power != RUNNING:
        failures.append(failure(f"AgentPool/{name}", f"power state is {power or 'unknown'}, not {RUNNING}"))
    usable = 0
    for node in sorted(nodes, key=placement.node_name):
        why = _unusable(node)
        if why:
            failures.append(failure(f"Node/{placement.node_name(node)}", why))
        else:
            usable += 1
    if usable < wanted:
        failures.append(failure(f"AgentPool/{name}", f"{usable} usable node(s) carry its label, it should have "
                                                     f"{wanted}"))
    return result("new-pool", failures, {"provisioningState": state, "powerState": power, "nodesWanted": wanted,
                                         "nodes": len(nodes), "nodesUsable": usable})


def _unusable(node):
    if not placement.is_ready(node):
        return "not Ready"
    if (node.get("spec") or {}).get("unschedulable"):
        return "cordoned (unschedulable)"
    return None


# --- the workloads -------------------------------------------------------------------------------------------

def rollouts(scope):
    """kubectl's rollout-status rules (rollout.py) hold for every workload of the move."""
    failures, done = [], 0
    for key, obj in scope.workloads.items():
        status = rollout.status(obj, scope.jobs.get(key, ()))
        if status.done:
            done += 1
        else:
            failures.append(failure(show(key), ("rollout failed: " if status.failed else "rollout not done: ")
                                    + status.message))
    return result("rollouts", failures, {"workloads": [show(k) for k in scope.workloads], "rolledOut": done})


def _placed(scope):
    return [(key, pod) for key in sorted(scope.pods) if key[1] != NO_DAEMONS for pod in scope.pods[key]]


def off_old_pool(scope, old):
    """No pod of the move's workloads (DaemonSets aside) left on OLD's nodes."""
    old_names = {placement.node_name(n) for n in scope.old_nodes}
    left = [(key, pod) for key, pod in _placed(scope) if pod.get("spec", {}).get("nodeName") in old_names]
    return result("off-old-pool", [failure(_pod_name(pod), f"of {show(key)} still runs on {old}'s node "
                                                           f"{pod['spec']['nodeName']}") for key, pod in left],
                  {"oldNodes": len(old_names), "podsOnOldPool": len(left)})


def on_new_pool(scope, new):
    """Every pod of the move's workloads (DaemonSets aside) runs on NEW's nodes."""
    new_names = {placement.node_name(n) for n in scope.new_nodes}
    failures, placed = [], 0
    for key, pod in _placed(scope):
        node = (pod.get("spec") or {}).get("nodeName")
        if node in new_names:
            placed += 1
        elif not node:
            failures.append(failure(_pod_name(pod), f"of {show(key)} is Pending, on no node: "
                                                    + _unscheduled_reason(pod)))
        else:
            failures.append(failure(_pod_name(pod), f"of {show(key)} runs on node {node}, not in pool {new}"))
    return result("on-new-pool", failures, {"newNodes": len(new_names), "podsOnNewPool": placed})


def _unscheduled_reason(pod):
    scheduled = next((c for c in (pod.get("status") or {}).get("conditions") or [] if c.get("type") ==
                      "PodScheduled"), None) or {}
    return scheduled.get("message") or "not scheduled yet"


def containers(scope):
    """No container waiting in CrashLoopBackOff, ImagePullBackOff/ErrImagePull or CreateContainerConfigError, and
    none whose last termination was OOMKilled."""
    failures, checked = [], 0
    for pod in scope.live_pods():
        for status in _container_statuses(pod):
            checked += 1
            waiting = (status.get("state") or {}).get("waiting") or {}
            if waiting.get("reason") in BAD_WAITING:
                failures.append(failure(_pod_name(pod), f"container {status.get('name')} is waiting in "
                                                        f"{waiting['reason']}: {waiting.get('message') or ''}".rstrip(
                                                            ": ")))
            last = (status.get("lastState") or {}).get("terminated") or {}
            if last.get("reason") == "OOMKilled":
                failures.append(failure(_pod_name(pod), f"container {status.get('name')} was OOMKilled"))
    return result("containers", failures, {"containers": checked})


def _container_statuses(pod):
    status = pod.get("status") or {}
    return list(status.get("initContainerStatuses") or []) + list(status.get("containerStatuses") or [])


def restarts(scope, max_restarts):
    """Restarts of the pods the move made (their restartCount: the pods were created by it) at most
    ``max_restarts`` per pod."""
    failures, total = [], 0
    for pod in scope.live_pods():
        count = sum(int(s.get("restartCount") or 0) for s in _container_statuses(pod))
        total += count
        if count > max_restarts:
            failures.append(failure(_pod_name(pod), f"restarted {count} time(s) (--max-restarts {max_restarts})"))
    return result("restarts", failures, {"maxRestarts": max_restarts, "restarts": total})


def events(scope, warning_events):
    """No Warning event (FailedScheduling, FailedCreatePodSandBox, BackOff, Unhealthy) about the pods the move's
    workloads have now. A FailedScheduling the scheduler overcame since (the pod was scheduled after it) is
    history, not a failure."""
    pods = {(p["metadata"].get("uid") or _pod_name(p)): p for p in scope.live_pods()}
    failures = []
    for event in sorted(warning_events, key=_last_seen):
        pod = _pod_of(event, pods)
        if pod is None or event.get("type") != "Warning" or event.get("reason") not in WARNING_REASONS:
            continue
        if event["reason"] == "FailedScheduling" and _scheduled_after(pod, event):
            continue
        count = int(event.get("count") or (event.get("series") or {}).get("count") or 1)
        failures.append(failure(_pod_name(pod), f"Warning {event['reason']} (x{count}): "
                                                f"{(event.get('message') or '').strip()}"))
    return result("events", failures, {"pods": len(pods), "warningEventsRead": len(warning_events),
                                       "reasons": list(WARNING_REASONS)})


def _pod_of(event, pods):
    involved = event.get("involvedObject") or event.get("regarding") or {}
    if involved.get("kind") != "Pod":
        return None
    if involved.get("uid"):
        return pods.get(involved["uid"])
    name = show((involved.get("namespace") or "default", "Pod", involved.get("name")))
    return next((p for p in pods.values() if _pod_name(p) == name), None)


def _when(stamp):
    """An API server time (RFC 3339, seconds or microseconds) as a datetime; None when absent or unreadable."""
    if not stamp:
        return None
    text = str(stamp).replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _last_seen(event):
    stamps = (event.get("lastTimestamp"), (event.get("series") or {}).get("lastObservedTime"),
              event.get("eventTime"), event.get("firstTimestamp"))
    return next((w for w in map(_when, stamps) if w), datetime.min.replace(tzinfo=timezone.utc))


def _scheduled_after(pod, event):
    scheduled = next((c for c in (pod.get("status") or {}).get("conditions") or []
                      if c.get("type") == "PodScheduled" and c.get("status") == "True"), None)
    moment = _when((scheduled or {}).get("lastTransitionTime"))
    return moment is not None and moment >= _last_seen(event)


# --- the source of truth: Flux and Argo CD --------------------------------------------------------------------

def managed_sources(scope, records, patched_live, old):
    """No workload of the move is waiting for a revert: managed by Flux or Argo CD whose controller is paused (or
    cannot be read), while its live object carries retarget's saved placement of this move. retarget patched it
    live; nothing shows that its source was changed too, and resuming the controller would put the old placement
    back, onto the old pool. (A controller that reconciles and leaves the workload on the new pool is the proof
    that the source pins the new one: the other gates hold it there.) ``records``: key -> ``evaluate.managers``
    record; ``patched_live``: the keys whose saved placement is this move's."""
    from azext_wasimig.evaluate.managers import is_gitops, show as show_manager
    from azext_wasimig.retarget.managed import resume_commands
    managed = {key: r for key, r in records.items() if key in scope.workloads and is_gitops(r)}
    failures = []
    for key in sorted(k for k, r in managed.items() if k in patched_live and r["reverts"] is not True):
        record = managed[key]
        resume = " and ".join(resume_commands(record)) or "resume its controller"
        failures.append(failure(show(key), f"managed by {show_manager(record)}; retarget patched it live, so its "
                                           f"source may still pin {old}, and resuming the controller would put it "
                                           "back: change the source (az aks wasi-migrate rewrite), commit it, then "
                                           f"{resume}"))
    return result("managed-sources", failures, {"managed": sorted(show(k) for k in managed),
                                                "pendingRevert": len(failures)})


# --- Spin: the RuntimeClass --------------------------------------------------------------------------------------

def runtime_classes(scope, classes, old, new):
    """Each RuntimeClass the move's workloads use exists; its scheduling admits NEW's nodes and selects none of
    OLD's. ``classes``: name -> RuntimeClass."""
    users = {}
    for key, obj in scope.workloads.items():
        name = (_pod_spec(obj) or {}).get("runtimeClassName")
        if name:
            users.setdefault(name, []).append(show(key))
    failures = []
    for name in sorted(users):
        who = ", ".join(users[name])
        if name not in classes:
            failures.append(failure(f"RuntimeClass/{name}", f"does not exist (used by {who}): the API server "
                                                            "refuses their pods"))
            continue
        scheduling = classes[name].get("scheduling") or {}
        if scope.new_nodes and not any(_class_admits(scheduling, n) for n in scope.new_nodes):
            failures.append(failure(f"RuntimeClass/{name}", f"its scheduling admits none of {new}'s nodes (used "
                                                            f"by {who})"))
        if scheduling.get("nodeSelector") and any(_class_admits(scheduling, n) for n in scope.old_nodes):
            failures.append(failure(f"RuntimeClass/{name}", f"its scheduling.nodeSelector still selects {old}'s "
                                                            f"nodes (used by {who})"))
    return result("runtime-classes", failures, {"runtimeClasses": sorted(users)})


def _pod_spec(obj):
    spec = obj.get("spec") or {}
    if obj.get("kind") == "Pod":
        return spec
    if obj.get("kind") == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    return (spec.get("template") or {}).get("spec")


def _class_admits(scheduling, node):
    labels = (node.get("metadata") or {}).get("labels") or {}
    if any(labels.get(k) != v for k, v in (scheduling.get("nodeSelector") or {}).items()):
        return False
    taints = [t for t in (node.get("spec") or {}).get("taints") or [] if t.get("key") !=
              placement.UNSCHEDULABLE_TAINT["key"]]
    return placement.untolerated_taint(taints, scheduling.get("tolerations")) is None


# --- Azure Container Instances -----------------------------------------------------------------------------------

def aci_groups(groups, scope, resource_group):
    """Each container group the tool made for the move: Succeeded, its instance view Running, each container
    Running with restartCount 0, no Warning event (nor a Failed* one: ACI types some of those Normal)."""
    failures = []
    for group in sorted(groups, key=lambda g: g.get("name") or ""):
        where = f"ContainerGroup/{resource_group}/{group.get('name')}"
        failures += [failure(where, reason) for reason in _group_problems(group)]
    sources = {(g.get("tags") or {}).get("wasimig.migratedFrom") for g in groups}
    for key, obj in scope.workloads.items():
        if show(key) not in sources and obj.get("kind") != NO_DAEMONS:
            failures.append(failure(show(key), "no container group was made from it"))
    return result("aci-groups", failures, {"groups": sorted(g.get("name") for g in groups)})


def _group_problems(group):
    props = group.get("properties") or {}
    view = props.get("instanceView") or {}
    problems = []
    if props.get("provisioningState") != SUCCEEDED:
        problems.append(f"provisioning state is {props.get('provisioningState') or 'unknown'}, not {SUCCEEDED}")
    if view.get("state") != RUNNING:
        problems.append(f"group state is {view.get('state') or 'unknown'}, not {RUNNING}")
    problems += [f"event {e.get('name')}: {e.get('message') or ''}".rstrip(": ") for e in view.get("events") or []
                 if _bad_aci_event(e)]
    for container in props.get("containers") or []:
        name = container.get("name")
        cview = (container.get("properties") or {}).get("instanceView") or {}
        state = (cview.get("currentState") or {}).get("state")
        if state != RUNNING:
            detail = (cview.get("currentState") or {}).get("detailStatus")
            problems.append(f"container {name} is {state or 'not reported'}" + (f" ({detail})" if detail else ""))
        if int(cview.get("restartCount") or 0):
            problems.append(f"container {name} restarted {cview['restartCount']} time(s)")
        problems += [f"container {name} event {e.get('name')}: {e.get('message') or ''}".rstrip(": ")
                     for e in cview.get("events") or [] if _bad_aci_event(e)]
    return problems


def _bad_aci_event(event):
    return event.get("type") == "Warning" or str(event.get("name") or "").startswith("Failed") or \
        event.get("name") == "BackOff"
