"""The verdict: each figure as old, new and their ratio, and which gated figures regressed (pure).

``regressions`` is the threshold check itself, on plain figure dicts (``stats.figure``): compare exits 1 when it
finds any, and other gates (``verify --compare``, a cutover's soak) can call it on a compare result's figures.
Gated are the figures where higher is worse and the migration guide asks about: p95 latency under load, peak
memory and p95 start-up. A figure missing on either side is never a regression (nothing to hold against), but
an old figure of 0 with a new one above it is (no ratio says "infinitely worse"), when the difference is more than
the figure can resolve (``RESOLUTION``).
"""

from azext_wasimig.compare import stats

GATED = ("latencyP95Ms", "memoryPeakBytes", "startupP95Seconds")
# What a figure cannot resolve: pod conditions have whole-second timestamps, so start-ups 0 s and 1 s apart may be
# the same start-up. A gated figure regresses only when new is worse by more than the percentage AND by more than
# this much.
RESOLUTION = {"startupP95Seconds": 1.0}


def workload_figures(old, new):
    """The compared figures of one workload, from its two sides' summaries (see run.side_summary)."""
    rows = [("startupMedianSeconds", ("startup", "median"), "s"), ("startupP95Seconds", ("startup", "p95"), "s"),
            ("restarts", ("stability", "restarts"), "count"), ("oomKilled", ("stability", "oomKilled"), "count"),
            ("cpuMedianMillicores", ("resources", "cpuMillicores", "median"), "m"),
            ("cpuPeakMillicores", ("resources", "cpuMillicores", "peak"), "m"),
            ("memoryMedianBytes", ("resources", "memoryBytes", "median"), "B"),
            ("memoryPeakBytes", ("resources", "memoryBytes", "peak"), "B")]
    return [stats.figure(name, _pick(old, path), _pick(new, path), unit) for name, path, unit in rows]


def load_figures(old, new):
    """The compared figures of the load (see load.result)."""
    rows = [("requestsPerSecond", ("requestsPerSecond",), "req/s"), ("errorRate", ("errorRate",), "ratio")]
    rows += [(f"latency{p.upper()}Ms", ("latencyMs", p), "ms") for p in ("p50", "p90", "p95", "p99")]
    return [stats.figure(name, _pick(old, path), _pick(new, path), unit) for name, path, unit in rows]


def _pick(side, path):
    value = side
    for key in path:
        value = (value or {}).get(key)
    return value


def regressions(figures, max_regression):
    """The gated figures of ``figures`` whose new value is worse than old by more than ``max_regression`` percent:
    [{figure, workload, old, new, ratio, limit}]. ``max_regression`` None: no gate, []."""
    if max_regression is None:
        return []
    limit = 1 + max_regression / 100.0
    found = []
    for row in figures:
        old, new = row.get("old"), row.get("new")
        if row.get("figure") not in GATED or old is None or new is None:
            continue
        worse = new > old * limit if old else new > 0
        if worse and new - old > RESOLUTION.get(row["figure"], 0):
            found.append({"figure": row["figure"], "workload": row.get("workload"), "old": old, "new": new,
                          "ratio": row.get("ratio"), "limit": round(limit, 4)})
    return found


def describe(regression):
    """One line naming the figure, e.g. 'latencyP95Ms of the load: 20.1 -> 41.3 (2.05x, limit 1.1x)'."""
    where = f"of {regression['workload']}" if regression.get("workload") else "of the load"
    ratio = f"{regression['ratio']}x" if regression.get("ratio") is not None else "old was 0"
    return (f"{regression['figure']} {where}: {_number(regression['old'])} -> {_number(regression['new'])} "
            f"({ratio}, limit {regression['limit']}x)")


def _number(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def gate(result):
    """Raise Regressed naming every regression of a compare result (its ``regressions``); nothing when none."""
    from azext_wasimig.compare.errors import Regressed
    found = result.get("regressions") or []
    if found:
        raise Regressed(f"{len(found)} figure(s) are more than {result['maxRegressionPercent']:g}% worse on the new "
                        "side:\n  " + "\n  ".join(describe(r) for r in found),
                        recommendation="Look into the new side before the cutover; run without --max-regression (or "
                                       "with --report FILE) for all the figures.")
