"""Table transformers for `-o table`. They receive the serialized records (camelCase dicts)."""

from collections import OrderedDict


def _state(record):
    power, provisioning = record.get("powerState"), record.get("provisioningState")
    if provisioning and provisioning != "Succeeded":
        return f"{power} ({provisioning})" if power else provisioning
    return power or provisioning or ""


def _count(record):
    if record.get("enableAutoScaling"):
        return f"{record.get('count')} ({record.get('minCount')}-{record.get('maxCount')})"
    return record.get("count")


def pool_row(record):
    return OrderedDict([
        ("ResourceGroup", record.get("resourceGroup")),
        ("Cluster", record.get("clusterName")),
        ("NodePool", record.get("name")),
        ("VmSize", record.get("vmSize")),
        ("Count", _count(record)),
        ("KubernetesVersion", record.get("orchestratorVersion") or record.get("clusterKubernetesVersion")),
        ("State", _state(record)),
    ])


def pool_list_table_format(result):
    return [pool_row(record) for record in result or []]


def pool_show_table_format(result):
    return [pool_row(result)] if result else []


def scan_table_format(result):
    from azext_wasimig.evaluate.managers import short   # the evaluate package is not loaded for other commands
    return [OrderedDict([
        ("Namespace", finding.get("namespace")),
        ("Kind", finding.get("kind")),
        ("Name", finding.get("name")),
        ("Pools", ",".join(finding.get("pools") or []) or "unknown"),
        ("Payload", finding.get("payload")),
        ("Replicas", finding.get("replicas")),
        ("Target", finding.get("recommendedTarget")),
        ("Blockers", len(finding.get("blockers") or [])),
        ("Warnings", len(finding.get("warnings") or [])),
        ("ManagedBy", short(finding.get("managedBy"))),
    ]) for finding in result or []]


def cordon_table_format(result):
    changed = set(result.get("changed") or [])
    return [OrderedDict([("Node", node), ("Unschedulable", result.get("unschedulable")),
                         ("Changed", node in changed)]) for node in result.get("nodes") or []]


def drain_table_format(result):
    return [OrderedDict([("Node", row.get("name")), ("Pods", row.get("pods")), ("ToMove", row.get("toMove")),
                         ("Moved", row.get("moved")), ("Left", row.get("left")), ("Drained", row.get("drained"))])
            for row in result.get("nodes") or []]


def create_aci_table_format(result):
    return [OrderedDict([("Workload", row.get("workload")), ("Action", row.get("action")),
                         ("ResourceGroup", row.get("resourceGroup")), ("Groups", ",".join(row.get("groups") or [])),
                         ("Reason", row.get("reason") or "")]) for row in result or []]


def retarget_table_format(result):
    return [OrderedDict([("Namespace", row.get("namespace")), ("Kind", row.get("kind")), ("Name", row.get("name")),
                         ("Action", row.get("action")), ("Reason", row.get("reason") or "")]) for row in result or []]


def compare_table_format(result):
    """One row per compared figure: workload (or the load), figure, old, new, ratio and whether it regressed."""
    regressed = {(r.get("workload"), r["figure"]) for r in (result or {}).get("regressions") or []}
    return [OrderedDict([("Workload", row.get("workload") or "(load)"), ("Figure", row["figure"]),
                         ("Old", row.get("old")), ("New", row.get("new")), ("Ratio", row.get("ratio")),
                         ("Regressed", (row.get("workload"), row["figure"]) in regressed)])
            for row in (result or {}).get("figures") or []]


def verify_table_format(result):
    return [OrderedDict([("Gate", gate.get("name")), ("Passed", gate.get("passed")),
                         ("Failures", len(gate.get("failures") or [])),
                         ("Evidence", ", ".join(f"{k}={v}" for k, v in sorted((gate.get("evidence") or {}).items())))])
            for gate in (result or {}).get("gates") or []]


def rewrite_table_format(result):
    return [OrderedDict([("File", row.get("file")), ("Type", row.get("type")), ("Changed", row.get("changed")),
                         ("Objects", len(row.get("objects") or [])), ("Reported", len(row.get("reported") or [])),
                         ("Written", row.get("written") or "")]) for row in result or []]


def delete_pool_table_format(result):
    """One row per verification gate, then the deletion itself."""
    gates = (result.get("verification") or {}).get("gates") or []
    rows = [OrderedDict([("Step", "verify"), ("Name", gate.get("name")),
                         ("Result", "passed" if gate.get("passed") else "FAILED")]) for gate in gates]
    rows.append(OrderedDict([("Step", "delete"), ("Name", (result.get("nodepool") or {}).get("name")),
                             ("Result", result.get("action"))]))
    return rows


def rollback_table_format(result):
    def what(step):
        names = step.get("nodes") or step.get("containerGroups") or step.get("companions") or step.get("phases") or [
            f"{w['namespace']}/{w['kind']}/{w['name']}" for w in step.get("workloads") or []]
        return ",".join(names) or step.get("nodepool") or ""
    return [OrderedDict([("Step", step.get("step")), ("Action", step.get("action")), ("Objects", what(step))])
            for step in result.get("steps") or []]


def cutover_table_format(result):
    """One row per phase: its status, attempts and duration (the plan and gates are in the JSON)."""
    phases = (result or {}).get("phases") or {}
    names = ((result or {}).get("plan") or {}).get("phases") or list(phases)
    return [OrderedDict([("Phase", name), ("Status", (phases.get(name) or {}).get("status") or "pending"),
                         ("Attempts", (phases.get(name) or {}).get("attempts") or 0),
                         ("Seconds", (phases.get(name) or {}).get("durationSeconds")),
                         ("Next", "<-" if name == (result or {}).get("nextPhase") else "")])
            for name in names]
