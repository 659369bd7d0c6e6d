"""verify's --report: the gates and their evidence as a Markdown document (pure: the summary in, text out).

Written whether the gates pass or not: a failed verify exits 1 and prints only the error, so the report is where
the evidence of every gate (the passing ones included) is kept, e.g. for a change ticket.
"""

import json
import os

from azext_wasimig import files
from azext_wasimig.markdown import cell, text


def check_writable(path, overwrite):
    """Fail now (files.FileError) when a --report file could not be written; None needs no check."""
    if path:
        folder, name = os.path.split(path)
        files.check_writable(folder or ".", [name], overwrite)


def write(path, summary, target, overwrite):
    """The report of ``summary`` for ``target`` (a MigrationTarget) at ``path``, mode 0600."""
    context = {"cluster": target.cluster_name, "resourceGroup": target.resource_group,
               "subscription": target.subscription_id}
    files.write_private(path, render(summary, context), overwrite)


def render(summary, context):
    """``summary``: run_verify's result; ``context``: ``cluster``, ``resourceGroup``, ``subscription``."""
    home = "Azure Container Instances" if summary.get("aci") else f"node pool {summary.get('newPool')}"
    verdict = "PASSED" if summary["passed"] else f"FAILED at check {summary['checks']}"
    soak = (f"{summary['soakMinutes']} min, a check every {summary['interval']} s" if summary.get("soakMinutes")
            else "none (one check)")
    rows = [("Cluster", f"{context.get('cluster')} (resource group {context.get('resourceGroup')})"),
            ("Subscription", context.get("subscription")), ("Old pool", summary.get("oldPool")),
            ("New home", home), ("Soak", soak), ("Checks", summary["checks"]),
            ("Started", summary.get("startedAt")), ("Finished", summary.get("finishedAt")), ("Result", verdict)]
    parts = [f"# Verification of the move off {text(summary.get('oldPool'))}: {verdict}",
             "\n".join(["| | |", "|---|---|"] + [f"| {k} | {cell(v)} |" for k, v in rows if v is not None]),
             _gate_table(summary["gates"])]
    parts += [_failures(g) for g in summary["gates"] if not g["passed"]]
    return "\n\n".join(parts) + "\n"


def _gate_table(gates):
    lines = ["## Gates", "", "| Gate | Result | Evidence |", "|---|---|---|"]
    lines += [f"| {cell(g['name'])} | {'pass' if g['passed'] else 'FAIL'} | "
              f"{cell(json.dumps(g['evidence'], sort_keys=True))} |" for g in gates]
    return "\n".join(lines)


def _failures(gate):
    lines = [f"## {text(gate['name'])}: what failed", "", "| Object | Reason |", "|---|---|"]
    lines += [f"| {cell(f['object'])} | {cell(f['reason'])} |" for f in gate["failures"]]
    return "\n".join(lines)
