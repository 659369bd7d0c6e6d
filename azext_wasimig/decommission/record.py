"""What `delete-pool` says (pure): the pods still in the way, the question it asks, and the decommission record,
the JSON an operations team pastes into its change ticket (what was deleted, when, on what evidence)."""

from azext_wasimig.drain import filters
from azext_wasimig.drain.options import DrainOptions
from azext_wasimig.evaluate import inventory
from azext_wasimig.vocabulary.kubernetes import controller_of

# Pods that may go down with the pool: what `drain` skips (a DaemonSet runs one on every node, a mirror pod is its
# node's kubelet's, a finished pod runs nothing).
_MAY_STAY = (filters.finished_filter, filters.mirror_filter, filters.daemonset_filter)


def in_the_way(pod):
    """Whether a pod on a pool's nodes would go down with the pool (not a DaemonSet, mirror or finished pod)."""
    return filters.decide(pod, DrainOptions(), filters=_MAY_STAY).action != filters.SKIP


def leftovers(pods):
    """``[{"pod": "NS/NAME", "node", "controller"}]`` for the pods in the way, sorted."""
    found = [{"pod": filters.pod_key(p), "node": (p.get("spec") or {}).get("nodeName"),
              "controller": (controller_of(p) or {}).get("kind")} for p in pods if in_the_way(p)]
    return sorted(found, key=lambda item: (item["node"] or "", item["pod"]))


def leftovers_text(found, shown=20):
    lines = [f"  {item['pod']} on {item['node']} ({item['controller'] or 'no controller'})" for item in found[:shown]]
    if len(found) > shown:
        lines.append(f"  ... and {len(found) - shown} more")
    return "\n".join(lines)


def question(target, request, found):
    """The confirmation for the one irreversible step."""
    first = f"drain {len(found)} pod(s) still on it (as 'drain' does), " if found and request.drain else ""
    soak = f" for {request.gates.soak_minutes} minute(s)" if request.gates.soak_minutes else ""
    pdb = " ignoring PodDisruptionBudgets (--ignore-pdb)" if request.ignore_pdb else ""
    return (f"This will {first}check that every verify gate passes{soak}, then DELETE WASI node pool "
            f"'{target.wasi_pool_name}' of cluster '{target.cluster_name}'{pdb}. A WASI pool cannot be created "
            "again: this cannot be undone. Continue?")


def _pool_facts(pool):
    flat = inventory.flatten_agent_pool(pool)
    return {"name": pool.get("name"), "id": pool.get("id"), "vmSize": flat.get("vmSize"), "count": flat.get("count"),
            "mode": flat.get("mode"), "workloadRuntime": flat.get("workloadRuntime"),
            "orchestratorVersion": flat.get("orchestratorVersion")}


def decommission_record(target, request, *, action, verification, drained, started, finished):
    """The record (stable keys). ``action``: deleted | deleting | wouldDelete."""
    return {
        "action": action,
        "subscriptionId": target.subscription_id,
        "resourceGroup": target.resource_group,
        "clusterName": target.cluster_name,
        "nodepool": _pool_facts(target.wasi_pool),
        "replacement": {"kind": "aci" if request.home.aci else "nodepool",
                        "nodepoolName": None if request.home.aci else target.new_pool_name,
                        "aciResourceGroup": request.home.aci_resource_group},
        "ignorePodDisruptionBudget": bool(request.ignore_pdb),
        "drain": drained,
        "verification": verification,
        "startedAt": started,
        "finishedAt": finished,
    }
