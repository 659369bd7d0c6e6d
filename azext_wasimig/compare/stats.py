"""The figures' maths (pure): percentiles, a five-number summary and old/new ratios."""

import math


def percentile(values, pct):
    """The ``pct``-th percentile (0..100) by linear interpolation between the closest ranks (numpy's default,
    Excel's PERCENTILE.INC): with few values it stays inside them, never past the largest. None when empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * pct / 100.0
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values):
    return percentile(values, 50)


def summary(values):
    """{count, median, p95, peak} of ``values`` (None where there are none)."""
    values = [v for v in values if v is not None]
    return {"count": len(values), "median": _round(median(values)), "p95": _round(percentile(values, 95)),
            "peak": _round(max(values)) if values else None}


def ratio(old, new):
    """new / old (how many times the old figure the new one is); 1.0 when both are 0, None when only old is 0
    or either is missing (no ratio says "infinitely worse" honestly)."""
    if old is None or new is None:
        return None
    if old == 0:
        return 1.0 if new == 0 else None
    return round(new / old, 3)


def figure(name, old, new, unit):
    """One compared figure as the output carries it."""
    return {"figure": name, "unit": unit, "old": old, "new": new, "ratio": ratio(old, new)}


def _round(value, digits=3):
    return None if value is None else round(value, digits)
