"""The Markdown report of a compare result, for stakeholders, with its two SVG charts (pure: text in, text out).

``render(result, stem)`` returns ``{file name: text}``: ``STEM.md`` and, where there is something to draw,
``STEM-latency.svg`` (the latency distribution per side) and ``STEM-startup.svg`` (start-up per side), which the
Markdown shows as images by relative path: keep the files together.
"""

import datetime
import os

from azext_wasimig.compare import charts, load, verdict


def _files_of(path):
    folder, name = os.path.dirname(path) or ".", os.path.basename(path)
    stem = os.path.splitext(name)[0]
    return folder, name, stem


def check_writable(path, overwrite=False):
    """files.FileError now (before the run) unless the report and both its charts can be written."""
    from azext_wasimig import files
    folder, name, stem = _files_of(path)
    files.check_writable(folder, [name, f"{stem}-latency.svg", f"{stem}-startup.svg"], overwrite)


def write(path, result, overwrite=False):
    """Write the report to ``path`` and its charts next to it (mode 0600, all or none); the paths written."""
    from azext_wasimig import files
    folder, name, stem = _files_of(path)
    rendered = render(result, stem)
    rendered[name] = rendered.pop(f"{stem}.md")
    return files.write_all(folder, rendered, overwrite)


def render(result, stem, generated=None):
    files, parts = {}, [_header(result, generated), _verdict(result)]
    if result.get("load"):
        files[f"{stem}-latency.svg"] = charts.latency_distribution(_distribution(result["load"]))
        parts.append(_load(result, f"{stem}-latency.svg"))
    if result.get("workloads"):
        files[f"{stem}-startup.svg"] = charts.startup_bars(_startup_rows(result))
        parts.append(f"## Start-up\n\n![Start-up per side]({stem}-startup.svg)")
    parts += [_workload(w) for w in result.get("workloads") or []]
    if result.get("notes"):
        parts.append("## Notes\n\n" + "\n".join(f"- {n}" for n in result["notes"]))
    files[f"{stem}.md"] = "\n\n".join(parts) + "\n"
    return files


def _header(result, generated):
    new = result["new"].get("nodepool") or f"ACI (resource group {result['new'].get('aciResourceGroup')})"
    when = generated or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"# Parallel run: {result['old']['nodepool']} against {new}\n\n"
            f"| | |\n|---|---|\n| Cluster | {result['cluster']} (resource group {result['resourceGroup']}) |\n"
            f"| Date | {when} |\n| Observed for | {result['windowSeconds']} s |\n"
            f"| CPU and memory | {'metrics.k8s.io' if result['metrics'] == 'served' else 'not available'} |")


def _verdict(result):
    limit = result.get("maxRegressionPercent")
    if limit is None:
        return "## Verdict\n\nNo threshold was set (--max-regression): the figures below are for reading."
    found = result.get("regressions") or []
    if not found:
        return (f"## Verdict\n\n**No regression**: no gated figure ({', '.join(verdict.GATED)}) is more than "
                f"{limit:g}% worse on the new side.")
    return (f"## Verdict\n\n**{len(found)} regression(s)** beyond {limit:g}%:\n\n"
            + "\n".join(f"- {verdict.describe(r)}" for r in found))


def _table(rows):
    lines = ["| Figure | Unit | Old | New | New/old |", "|---|---|---:|---:|---:|"]
    lines += [f"| {r['figure']} | {r['unit']} | {_cell(r['old'])} | {_cell(r['new'])} | {_cell(r['ratio'])} |"
              for r in rows]
    return "\n".join(lines)


def _cell(value):
    return "–" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _load(result, chart):
    sides = result["load"]
    rows = [r for r in result["figures"] if r.get("workload") is None]
    targets = "\n".join(f"- {side}: {sides[side]['target']}, {sides[side]['requests']} requests, stopped by "
                        f"{sides[side]['stoppedBy']}" for side in ("old", "new"))
    return f"## Load\n\n{targets}\n\n{_table(rows)}\n\n![Latency distribution per side]({chart})"


def _workload(workload):
    lines = [f"## {workload['workload']}", "", _table(workload["figures"]), "",
             "| Side | Pod | Scheduled (s) | Ready (s) | Restarts | Last terminations |",
             "|---|---|---:|---:|---:|---|"]
    for side in ("old", "new"):
        lines += [f"| {side} | {p['pod']} | {_cell(p.get('scheduledSeconds'))} | {_cell(p.get('readySeconds'))} | "
                  f"{p['restarts']} | {', '.join(p['lastTerminationReasons']) or '–'} |"
                  for p in workload[side]["pods"]]
    return "\n".join(lines)


def _distribution(loaded):
    return {side: list(zip(load.DISTRIBUTION_STEPS, loaded[side]["latencyDistributionMs"]))
            for side in ("old", "new") if loaded[side].get("latencyDistributionMs")}


def _startup_rows(result):
    return [(w["workload"], side, w[side]["startup"]["median"], w[side]["startup"]["p95"])
            for w in result["workloads"] for side in ("old", "new")]
