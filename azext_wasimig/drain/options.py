"""What the user asked a drain for (DrainOptions, made once from the CLI's arguments and checked there), and what
cordon, uncordon and drain ask before they change anything (pure)."""

from dataclasses import dataclass, field
from typing import Optional

from azext_wasimig.drain.errors import InvalidDrainOption


@dataclass(frozen=True)
class EvictionTuning:
    """How the Evictor paces itself; the defaults suit a real cluster, tests shorten them."""
    max_parallel: int = 16               # eviction requests in flight at once, across all nodes
    poll_interval: float = 1.0           # how often a node is listed to see which evicted pods are gone
    retry_initial: float = 0.5           # first back-off after a 429 (doubles up to retry_max)
    retry_max: float = 2.0
    wait_error_limit: float = 30.0       # a node's pod list failing this long in a row stops the drain, naming why


@dataclass(frozen=True)
class DrainOptions:
    """What the user asked for. ``timeout`` is seconds for the whole drain (the CLI takes minutes)."""
    force: bool = False
    delete_emptydir_data: bool = False
    grace_period: Optional[int] = None   # None: each pod's own terminationGracePeriodSeconds
    timeout: float = 600.0
    dry_run: bool = False
    tuning: EvictionTuning = field(default_factory=EvictionTuning)

    @classmethod
    def from_cli(cls, drain_timeout_minutes=30, force=False, delete_emptydir_data=False, grace_period=None,
                 dry_run=False):
        """Options from CLI arguments; bad values raise InvalidDrainOption before anything is touched."""
        if drain_timeout_minutes is None or float(drain_timeout_minutes) <= 0:
            raise InvalidDrainOption(f"--drain-timeout must be more than 0 minutes (got {drain_timeout_minutes}).")
        if grace_period is not None and int(grace_period) < 0:
            raise InvalidDrainOption(
                f"--grace-period must be 0 or more seconds (got {grace_period}); leave it out to use each "
                "pod's own terminationGracePeriodSeconds.")
        return cls(force=bool(force), delete_emptydir_data=bool(delete_emptydir_data),
                   grace_period=None if grace_period is None else int(grace_period),
                   timeout=float(drain_timeout_minutes) * 60, dry_run=bool(dry_run))


def cordon_question(unschedulable, pool, cluster):
    """What cordon (``unschedulable``) or uncordon asks before changing the pool's nodes."""
    if unschedulable:
        return (f"Cordon every node of node pool '{pool}' of cluster '{cluster}'? No new pod is scheduled there "
                "until uncordon; pods already there keep running.")
    return f"Uncordon every node of node pool '{pool}' of cluster '{cluster}'? New pods may be scheduled there again."


def drain_question(pool, cluster, options):
    """What drain asks first, naming what the chosen flags destroy."""
    lines = [f"Cordon every node of WASI pool '{pool}' of cluster '{cluster}' and evict its pods "
             "(PodDisruptionBudgets are honoured; controllers recreate their pods elsewhere)."]
    if options.force:
        lines.append("--force: pods that no controller manages (bare pods) are deleted for good, nothing "
                     "recreates them; pods that can land nowhere else are evicted anyway, their replacements stay "
                     "Pending (--dry-run lists both).")
    if options.delete_emptydir_data:
        lines.append("--delete-emptydir-data: the data in the evicted pods' emptyDir volumes is lost.")
    return "\n".join(lines + ["Continue?"])
