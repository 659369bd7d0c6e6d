"""What a drain (or a cordon) raises: the domain's errors (``errors.py``), which the CLI boundary maps to azclierror
types. Each message says what happened; each recommendation names the fix."""

from azext_wasimig.errors import MigrationError, MigrationInterrupted


class InvalidDrainOption(MigrationError):
    """A drain option that makes no sense (checked before anything is touched)."""
    kind = "invalid"


class PoolHasNoNodes(MigrationError):
    """No node carries the pool's label: a wrong name, or a pool scaled to zero."""
    kind = "not_found"


class Forbidden(MigrationError):
    """The identity lacks an RBAC right the drain needs; asked before anything changes."""
    kind = "forbidden"


class NoEvictionApi(MigrationError):
    """The API server has no pods/eviction subresource: without it, PodDisruptionBudgets would not be honoured."""
    kind = "validation"


class DrainIncomplete(MigrationError):
    """The drain ended with pods still on the pool; ``summary`` is the Evictor's summary (what was done)."""
    kind = "incomplete"

    def __init__(self, summary):
        rows = unfinished_pods(summary)
        lines = "\n".join(f"  {pod}: {why}" for pod, why in rows)
        advice = ("Run the same command again to carry on; it skips what is already gone. The nodes stay cordoned "
                  "(uncordon undoes that).")
        if summary.get("refused"):
            advice = "Nothing was evicted. Add the flags named above, or move those pods yourself, and run it again."
        super().__init__(f"The drain did not finish: {len(rows)} pod(s) are still on the pool:\n{lines}",
                         recommendation=advice)
        self.summary = summary


def unfinished_pods(summary):
    """(pod, why) for every pod the drain did not move: refused, blocked, failed or not gone in time."""
    rows = [(r["pod"], "refused: " + "; ".join(r["reasons"])) for r in summary.get("refused", [])]
    rows += [(r["pod"], f"blocked by PodDisruptionBudget {', '.join(r['pdbs']) or '(unknown)'}")
             for r in summary.get("blocked", [])]
    rows += [(r["pod"], f"eviction failed: {r['message']}") for r in summary.get("failed", [])]
    rows += [(r["pod"], r["reason"]) for r in summary.get("timedOut", [])]
    return rows


def is_incomplete(summary):
    """Whether a (real, not dry-run) drain left pods behind."""
    return bool(unfinished_pods(summary)) and not summary.get("dryRun")


class EvictionInterrupted(MigrationInterrupted):
    """Ctrl-C while evicting: the pods this run evicted, and those it had not evicted yet."""

    def __init__(self, evicted, not_evicted):
        super().__init__(f"interrupted after evicting {len(evicted)} pod(s)",
                         recommendation="Run the same drain again to carry on: it skips what is already gone.")
        self.evicted, self.not_evicted = evicted, not_evicted


class DrainInterrupted(MigrationInterrupted):
    """Ctrl-C once the drain has started changing things: what was done, and how to carry on or undo it
    (``uncordon`` is the command that makes the nodes schedulable again)."""

    def __init__(self, pool, nodes, uncordon, interrupted=None):
        self.pool, self.nodes = pool, nodes
        self.evicted = interrupted.evicted if interrupted else None
        self.not_evicted = interrupted.not_evicted if interrupted else None
        super().__init__(self._what_was_done(),
                         recommendation=f"Run the same drain command again to carry on, or '{uncordon}' to make the "
                                        "nodes schedulable again.")

    def _what_was_done(self):
        nodes = ", ".join(self.nodes)
        if self.evicted is None:
            return (f"Drain of pool '{self.pool}' interrupted while cordoning: some of its nodes ({nodes}) may be "
                    "cordoned; no pod was evicted.")
        return (f"Drain of pool '{self.pool}' interrupted. Its nodes stay cordoned (nothing new is scheduled "
                f"there): {nodes}. Evicted so far (their controllers recreate them elsewhere): "
                f"{_pods(self.evicted)}. Not evicted yet: {_pods(self.not_evicted)}.")


def _pods(keys, shown=10):
    if not keys:
        return "none"
    more = f" and {len(keys) - shown} more" if len(keys) > shown else ""
    return f"{len(keys)} pod(s): {', '.join(keys[:shown])}{more}"
