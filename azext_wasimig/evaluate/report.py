"""Report: scan findings as a Markdown document a person can hand to stakeholders.

Plain string building: a header with the scope, summary counts, one table row per workload, then
per-workload details (blockers, warnings, evidence, what to do). Pure: no clock unless the context
has no date, no I/O.
"""

import datetime

from azext_wasimig.evaluate import managers, scan
from azext_wasimig.markdown import cell, code, text

PAYLOAD_NAMES = {"spin": "Spin", "container": "Container", "wagi": "Krustlet WAGI",
                 "slight": "Slight (SpiderLightning)", "wws": "Wasm Workers Server"}
TARGET_NAMES = {"standard-pool-spinkube": "Standard pool + SpinKube", "standard-pool": "Standard pool",
                "none": "None: rewrite first"}
PLAN = (
    "Never scale, upgrade or reimage the WASI pool: nodes made since June 2025 lack the Wasm shims, so Wasm pods "
    "on them fail.",
    "Resolve the blockers below (apps with no successor, budgets that allow no disruption).",
    "Create a standard node pool; for Spin apps install SpinKube on it.",
    "Rewrite what ties each workload to the WASI pool (the evidence below), then cordon and drain the WASI pool.",
    "Delete the WASI pool once nothing runs there.",
)


def render(findings, context=None):
    """The whole report. ``context`` may carry ``cluster``, ``resourceGroup``, ``subscription``,
    ``pools`` (the WASI pools scanned), ``generated`` (str or datetime), ``source`` (e.g. "cluster"
    or the manifest paths) and ``title``."""
    context = context or {}
    parts = [_header(context), _summary(findings)]
    if findings:
        parts += [_plan(), _table(findings), _details(findings)]
    return "\n\n".join(parts) + "\n"


def _header(context):
    cluster = context.get("cluster")
    title = context.get("title") or (f"WASI node pool migration assessment: {cluster}" if cluster
                                     else "WASI node pool migration assessment")
    rows = [("Cluster", _cluster_name(context)), ("Subscription", context.get("subscription")),
            ("WASI pools", ", ".join(context.get("pools") or []) or None),
            ("Scanned from", _source(context.get("source"))), ("Date", _date(context.get("generated")))]
    table = ["| | |", "|---|---|"] + [f"| {name} | {cell(value)} |" for name, value in rows if value]
    return f"# {text(title)}\n\n" + "\n".join(table)


def _cluster_name(context):
    cluster, group = context.get("cluster"), context.get("resourceGroup")
    return f"{cluster} (resource group {group})" if cluster and group else cluster


def _source(source):
    if isinstance(source, (list, tuple)):
        return "manifests: " + ", ".join(str(s) for s in source)
    return source


def _date(value):
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC") if value.tzinfo else value.strftime("%Y-%m-%d %H:%M")
    return value or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _summary(findings):
    if not findings:
        return ("## Summary\n\nNo workload is tied to a WASI pool: nothing runs there now and nothing would be "
                "scheduled there. The pool can be drained and deleted.")
    counts = scan.summarize(findings)
    lines = [
        "## Summary", "",
        f"- **{counts['workloads']}** workload(s) tied to a WASI pool; **{counts['podsOnPool']}** pod(s) run "
        "there now.",
        f"- **{counts['workloadsBlocked']}** workload(s) blocked ({counts['blockers']} blocker(s)); "
        f"{counts['warnings']} warning(s).",
        "", "| Payload | Workloads |", "|---|---:|",
    ]
    lines += _count_rows(counts["byPayload"], PAYLOAD_NAMES)
    lines += ["", "| Recommended target | Workloads |", "|---|---:|"]
    lines += _count_rows(counts["byTarget"], TARGET_NAMES)
    return "\n".join(lines)


def _count_rows(counts, names):
    """Rows in the order of ``names`` (most common payloads and targets first), unknown keys last."""
    order = list(names) + sorted(k for k in counts if k not in names)
    return [f"| {names.get(k, k)} | {counts[k]} |" for k in order if k in counts]


def _plan():
    return "## Plan\n\n" + "\n".join(f"{i}. {step}" for i, step in enumerate(PLAN, 1))


def _table(findings):
    lines = ["## Workloads", "",
             "| Namespace | Kind | Name | Pools | Payload | Replicas | Target | Blockers | Warnings | Managed by |",
             "|---|---|---|---|---|---:|---|---:|---:|---|"]
    for f in findings:
        cells = (f["namespace"], f["kind"], f"[{f['name']}](#{_anchor(f)})", _pools(f),
                 PAYLOAD_NAMES.get(f["payload"], f["payload"]), _replicas(f["replicas"]),
                 TARGET_NAMES.get(f["recommendedTarget"], f["recommendedTarget"]), len(f["blockers"]),
                 len(f["warnings"]), managers.short(f.get("managedBy")) or "-")
        lines.append("| " + " | ".join(cell(c) for c in cells) + " |")
    return "\n".join(lines)


def _details(findings):
    return "## Details\n\n" + "\n\n".join(_detail(f) for f in findings)


def _detail(f):
    lines = [f'<a id="{_anchor(f)}"></a>', f"### {f['kind']} {text(f['namespace'])}/{text(f['name'])}", "",
             f"- Payload: {PAYLOAD_NAMES.get(f['payload'], f['payload'])}; recommended target: "
             f"{TARGET_NAMES.get(f['recommendedTarget'], f['recommendedTarget'])}",
             f"- WASI pools: {_pools(f)}; replicas: {_replicas(f['replicas'])}"]
    if f.get("source"):
        lines.append(f"- Defined in `{f['source']}`")
    if f["podsOnPool"]:
        lines.append(f"- Pods on the pool now: {', '.join(code(p) for p in f['podsOnPool'])}")
    lines.append(f"- PodDisruptionBudgets: {', '.join(_pdb(p) for p in f['pdbs']) or 'none'}")
    lines += _managed_by(f.get("managedBy"))
    lines += _bullets("Blockers", f["blockers"]) + _bullets("Warnings", f["warnings"]) + _evidence(f["evidence"])
    lines += ["", "**What to do**", ""] + [f"{i}. {text(step)}" for i, step in enumerate(f["actions"], 1)]
    for alternative in f.get("alternatives") or []:
        lines += ["", f"**Alternative ({alternative['target'].upper()})**: {text(alternative['reason'])}"]
    return "\n".join(lines)


def _managed_by(record):
    """Who manages it and how that is known: a change made live is put back by its controller unless the source
    changes too."""
    if not record:
        return []
    lines = [f"- Managed by: {text(managers.show(record))} ({record['confidence']} evidence)"]
    return lines + [f"  - {text(line)}" for line in record["evidence"]]


def _bullets(title, items):
    return ["", f"**{title}**", ""] + [f"- {text(item)}" for item in items] if items else []


def _evidence(evidence):
    lines = ["", "**Evidence**", "", "| Field | Value | Why |", "|---|---|---|"]
    return lines + [f"| {code(e['field'])} | {code(e['value'])} | {cell(e['reason'])} |" for e in evidence]


def _pdb(pdb):
    allowed = pdb.get("disruptionsAllowed")
    return code(pdb["name"]) + (f" (disruptions allowed now: {allowed})" if allowed is not None else "")


def _pools(finding):
    return ", ".join(finding["pools"]) or "unknown"


def _replicas(value):
    return "?" if value is None else value


def _anchor(finding):
    raw = f"{finding['namespace']}-{finding['kind']}-{finding['name']}".lower()
    return "".join(c if c.isalnum() or c == "-" else "-" for c in raw)
