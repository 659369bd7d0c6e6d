"""verify's orchestration: read what the gates need, evaluate them, and over a soak window do it again.

One check reads the cluster once (``kube.snapshot.take``: one paged LIST per kind), the Warning events once (one
paged LIST, ``fieldSelector=type=Warning``), and then Azure: the new pool from ARM (or the container groups). Azure
is read last, so that whatever happens after a check's last read is seen by the next check, not half by this one.
"""

import time
from datetime import datetime, timezone

from azext_wasimig.errors import MigrationError
from azext_wasimig.verify import gates, scope as scoping

EVENTS_PATH = "/api/v1/events"


class NoGroupsForMove(MigrationError):
    """--aci, but the tool made no container group for this cluster."""
    kind = "not_found"


class VerifyFailed(MigrationError):
    """A gate failed: the message names each gate and object."""
    kind = "validation"


def run_verify(api, *, old_pool, new_pool=None, read_pool=None, read_groups=None, aci_resource_group=None,
               max_restarts=0, soak_minutes=0, interval=30, progress=None, sleep=time.sleep,
               clock=time.monotonic, ignore=(), exclude=frozenset(), include=frozenset()):
    """Check the new home of the move ``old_pool`` -> ``new_pool`` (or -> ACI when ``read_groups`` is given).

    ``api``: a kubernetes ApiClient. ``read_pool()``: the new pool as ARM returns it now (None when gone).
    ``read_groups()``: the container groups the tool made for this cluster, each with its instance view (as ARM's
    GET returns them); ``aci_resource_group`` names where, in failures. ``soak_minutes``: 0 checks once; else checks
    every ``interval`` seconds until the window ends, and the first failing check ends it. ``progress(text)`` hears
    of each check. ``ignore``: names of gates that are evaluated and reported but neither fail nor end the soak (a
    cutover's parallel phase, where both pools serve, ignores off-old-pool and on-new-pool). ``exclude``/``include``:
    workload keys taken out of the move's scope / added to it (that phase checks each companion copy on the new
    pool in the stead of its original, which it leaves on the old one).

    Returns ``{"passed", "checks", "failedCheck", "oldPool", "newPool", "aci", "soakMinutes", "interval",
    "startedAt", "finishedAt", "gates"}``; ``gates`` (see gates.py) are the last check's. Raises
    ``NoGroupsForMove`` when ACI is the home and no group was made; a failed read of the cluster as
    ``evaluate.read_cluster`` words it.
    """
    started, begun = _now(), clock()
    window = soak_minutes * 60
    checks, results = 0, []
    while True:
        checks += 1
        results = check(api, old_pool=old_pool, new_pool=new_pool, read_pool=read_pool, read_groups=read_groups,
                        aci_resource_group=aci_resource_group, max_restarts=max_restarts, exclude=exclude,
                        include=include)
        failed = [g["name"] for g in results if not g["passed"] and g["name"] not in ignore]
        elapsed = clock() - begun
        if progress:
            progress(_progress_line(checks, results, failed, elapsed, window))
        if failed or elapsed >= window:
            break
        sleep(min(interval, window - elapsed))
    passed = all(g["passed"] for g in results if g["name"] not in ignore)
    return {"passed": passed, "checks": checks, "failedCheck": None if passed else checks, "oldPool": old_pool,
            "newPool": new_pool, "aci": read_groups is not None, "soakMinutes": soak_minutes, "interval": interval,
            "startedAt": started, "finishedAt": _now(), "gates": results}


def check(api, *, old_pool, new_pool=None, read_pool=None, read_groups=None, aci_resource_group=None,
          max_restarts=0, exclude=frozenset(), include=frozenset()):
    """The gates, once: a list of gate results (gates.py); ``exclude``/``include`` as run_verify."""
    from azext_wasimig.evaluate import read_cluster, scan
    taken = read_cluster(api)
    warnings = _read_warning_events(api)
    findings = scan.assess(taken, [old_pool], only_pool=old_pool)
    keys, groups = scoping.moved_keys(taken, findings, old_pool, new_pool, _saved_move), []
    if read_groups is not None:
        groups = require_groups(list(read_groups()), old_pool, aci_resource_group)
        keys |= {tuple(g["tags"]["wasimig.migratedFrom"].split("/", 2)) for g in groups
                 if str((g.get("tags") or {}).get("wasimig.migratedFrom", "")).count("/") == 2}
    scope = scoping.build(taken, (keys - set(exclude)) | set(include), old_pool, new_pool)
    results = [gates.rollouts(scope), gates.off_old_pool(scope, old_pool)]
    if new_pool:
        results.append(gates.on_new_pool(scope, new_pool))
    results += [gates.containers(scope), gates.restarts(scope, max_restarts), gates.events(scope, warnings)]
    if new_pool:
        classes = {rc["metadata"]["name"]: rc for rc in taken.runtime_classes}
        results.append(gates.runtime_classes(scope, classes, old_pool, new_pool))
        results.append(_managed_sources(taken, scope, old_pool, new_pool))
        results.insert(0, gates.new_pool(read_pool() if read_pool else None, new_pool, scope.new_nodes))
    else:
        results.append(gates.aci_groups(groups, scope, aci_resource_group))
    return results


def _managed_sources(taken, scope, old_pool, new_pool):
    from azext_wasimig.evaluate import managers
    records = {key: managers.manager_of(obj, taken.owners or managers.FILES) for key, obj in scope.workloads.items()}
    patched = {key for key, obj in scope.workloads.items() if _saved_move(obj) == (old_pool, new_pool)}
    return gates.managed_sources(scope, records, patched, old_pool)


def require_groups(groups, old_pool, aci_resource_group=None):
    """``groups`` (the move's container groups), or ``NoGroupsForMove`` when there are none."""
    if groups:
        return groups
    raise NoGroupsForMove(
        f"No container group made by this tool was found for the workloads of pool '{old_pool}'"
        + (f" in resource group '{aci_resource_group}'" if aci_resource_group else "") + ".",
        recommendation="Create them with 'az aks wasi-migrate create-aci', or name the resource group "
                       "they are in with --aci-resource-group; to verify a move to a pool, pass "
                       "--new-nodepool-name instead of --aci.")


def _saved_move(obj):
    from azext_wasimig.retarget import rewrite
    try:
        move, _ = rewrite.saved(obj)
    except ValueError:   # an annotation that is not JSON is nobody's move
        return None
    return move


def warning_events(api):
    """Every Warning event of the cluster, one paged LIST (events expire after an hour by default: the API
    server's --event-ttl)."""
    from azext_wasimig.kube import rest
    items = []
    for item in rest.iter_items(api, EVENTS_PATH, {"fieldSelector": "type=Warning"}, on_restart=items.clear):
        items.append(item)
    return items


def _read_warning_events(api):
    from azext_wasimig.kube import rest
    try:
        return warning_events(api)
    except Exception as ex:  # pylint: disable=broad-except  # raise_api_error re-raises anything but API errors
        rest.raise_api_error(ex, "reading the cluster's Warning events", api.configuration.host,
                             "list events in all namespaces")
    return []


def failure_message(summary):
    """The error text for a failed verify: each failed gate, then each object and why."""
    failed = [g for g in summary["gates"] if not g["passed"]]
    when = f" at check {summary['checks']} of the soak" if summary["soakMinutes"] else ""
    lines = [f"{len(failed)} of {len(summary['gates'])} verify gate(s) failed{when}:"]
    for gate in failed:
        lines.append(f"  {gate['name']}:")
        lines += [f"    {f['object']}: {f['reason']}" for f in gate["failures"]]
    return "\n".join(lines)


def raise_unless_passed(summary):
    if not summary["passed"]:
        raise VerifyFailed(failure_message(summary),
                           recommendation="Fix what each gate names and run verify again (with --report FILE for "
                                          "the evidence of every gate).")


def _progress_line(checks, results, failed, elapsed, window):
    head = f"Check {checks}: {len(results) - len(failed)} of {len(results)} gates pass"
    if failed:
        return f"{head}; failed: {', '.join(failed)}"
    if elapsed < window:
        return f"{head}; soak {int(elapsed)} of {int(window)} s"
    return head


def _now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
