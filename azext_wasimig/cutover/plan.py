"""What a cutover will do (pure): the options asked for, the plan built from them and from what preflight read (the
workloads that move and how, the new pool's body, the gates), its fingerprint, and what differs between two plans.

A plan is recorded by the first run. A re-run builds its plan again and compares: the options and names always; the
workloads only until the parallel phase starts moving them (after that, scan sees the moved workloads differently
and the record is what counts). A difference is refused unless --replan, and the refusal shows it.
"""

import hashlib
import json
import math
from dataclasses import dataclass

from azext_wasimig.errors import MigrationError

PHASES = ("preflight", "prepare", "parallel", "switch", "drain", "verify", "decommission")
# verify's gates that do not count while both pools serve (the parallel phase); the final verify counts every gate.
PARALLEL_IGNORES = ("off-old-pool", "on-new-pool")
# What a plan shows of the new pool's body: what decides where and how the workloads will run.
BODY_KEYS = ("vmSize", "count", "enableAutoScaling", "minCount", "maxCount", "availabilityZones", "nodeLabels",
             "nodeTaints", "mode", "workloadRuntime", "orchestratorVersion", "osType", "osSKU", "maxPods")


class InvalidCutoverOption(MigrationError):
    kind = "invalid"


class PlanChanged(MigrationError):
    """A re-run whose plan differs from the recorded one, without --replan."""
    kind = "validation"


@dataclass(frozen=True)
class CutoverOptions:  # pylint: disable=too-many-instance-attributes  # one field per flag of the command
    """What the user asked for (checked once, ``from_cli``). Minutes for soaks; ``drain_batch`` "1" or "25%"."""
    new_pool: str = None         # None: create-pool's derived name (or the one an earlier run made)
    runtime_class: str = "wasmtime-spin-v2"
    spin_shim: bool = True
    drain_batch: str = "1"
    batch_soak: float = 0
    parallel_soak: float = 0
    parallel_replicas: int = None   # a companion's replicas; None: its original's
    final_soak: float = 10
    interval: int = 30
    max_restarts: int = 0
    grace_period: int = None
    drain_timeout: float = 30
    freeze_old_pool: bool = False
    aci: bool = False            # the new home: container groups (create-aci) instead of a node pool
    aci_resource_group: str = None   # with aci: where the groups go (the CLI defaults it to the cluster's)

    @classmethod
    def from_cli(cls, **given):
        options = cls(**{k: v for k, v in given.items() if v is not None})
        batch_size(options.drain_batch, 1)   # raises InvalidCutoverOption on a bad value
        _check_home(options)
        for flag, value in (("--batch-soak", options.batch_soak), ("--parallel-soak", options.parallel_soak),
                            ("--final-soak", options.final_soak), ("--max-restarts", options.max_restarts)):
            if value is None or value < 0:
                raise InvalidCutoverOption(f"{flag} {value} is not valid: give a number of at least 0.")
        if options.parallel_replicas is not None and options.parallel_replicas < 1:
            raise InvalidCutoverOption(f"--parallel-replicas {options.parallel_replicas} is not valid: give at least 1 "
                                       "(or leave it out for each original's own count).")
        if options.interval < 1:
            raise InvalidCutoverOption(f"--interval {options.interval} is not valid: give at least 1 second.")
        if options.drain_timeout <= 0:
            raise InvalidCutoverOption(f"--drain-timeout must be more than 0 minutes (got {options.drain_timeout}).")
        if options.grace_period is not None and options.grace_period < 0:
            raise InvalidCutoverOption(f"--grace-period must be 0 or more seconds (got {options.grace_period}).")
        return options

    def recorded(self):
        """The options as the plan records and compares them (camelCase, stable)."""
        return {"newPool": self.new_pool, "runtimeClass": self.runtime_class, "spinShim": self.spin_shim,
                "drainBatchSize": self.drain_batch, "batchSoakMinutes": self.batch_soak,
                "parallelSoakMinutes": self.parallel_soak, "parallelReplicas": self.parallel_replicas,
                "finalSoakMinutes": self.final_soak,
                "intervalSeconds": self.interval, "maxRestarts": self.max_restarts, "gracePeriod": self.grace_period,
                "drainTimeoutMinutes": self.drain_timeout, "freezeOldPool": self.freeze_old_pool,
                "aci": self.aci, "aciResourceGroup": self.aci_resource_group}


def _check_home(options):
    """One new home: a node pool (``--new-nodepool-name``, or the derived name) or ``--aci``."""
    if options.aci and options.new_pool:
        raise InvalidCutoverOption("--aci and --new-nodepool-name cannot be combined: the workloads move either to "
                                   "container groups (--aci) or to a new node pool (--new-nodepool-name).")
    if options.aci_resource_group and not options.aci:
        raise InvalidCutoverOption("--aci-resource-group only applies with --aci.")


def batch_size(value, nodes):
    """How many of ``nodes`` one drain batch takes: a count ("2") or a percentage ("25%", rounded up), at least 1."""
    text = str(value).strip()
    try:
        if text.endswith("%"):
            percent = float(text[:-1])
            if not 0 < percent <= 100:
                raise ValueError(text)
            return max(1, math.ceil(nodes * percent / 100))
        count = int(text)
        if count < 1:
            raise ValueError(text)
        return count
    except ValueError:
        raise InvalidCutoverOption(
            f"--drain-batch-size {value!r} is not valid: give a number of nodes (e.g. 2) or a percentage of the "
            "pool's nodes (e.g. 25%).") from None


def batches(nodes, size):
    """``nodes`` (names, in a stable order) cut into lists of ``size``."""
    ordered = sorted(nodes)
    return [ordered[i:i + size] for i in range(0, len(ordered), size)]


def autoscales(pool):
    props = (pool or {}).get("properties", pool) or {}
    return bool(props.get("enableAutoScaling"))


def workload_rows(findings):
    """What moves and how, from scan's findings: one row per workload."""
    return [{"workload": f"{f['namespace']}/{f['kind']}/{f['name']}", "payload": f["payload"],
             "target": f["recommendedTarget"], "replicas": f["replicas"], "pdbs": f["pdbs"],
             "blockers": list(f["blockers"])}
            for f in findings]


def build(options, *, cluster_id, old_pool, old_pool_body, new_pool_body, findings, companions=None):
    """The plan: names, options, the workloads and how they move, the new pool's body (what decides placement),
    the gates of the parallel and final phases, what happens to the old pool's autoscaler, and (``companions``:
    ``companion.plan_entries``) which workloads get a companion copy on the new pool in the parallel phase."""
    props = (new_pool_body or {}).get("properties") or {}
    frozen = options.freeze_old_pool and autoscales(old_pool_body)
    return {"cluster": cluster_id, "oldPool": old_pool, "options": options.recorded(), "phases": list(PHASES),
            "workloads": workload_rows(findings),
            "newPoolBody": {k: props[k] for k in BODY_KEYS if props.get(k) is not None},
            "gates": {"parallel": f"every verify gate but {' and '.join(PARALLEL_IGNORES)} (both pools serve)",
                      "verify": "every verify gate"},
            "oldPoolAutoscales": autoscales(old_pool_body),
            "oldPoolAutoscaler": "frozen at its current count before anything else" if frozen else
            ("left on: the old pool may grow during the move (--freeze-old-pool turns it off)"
             if autoscales(old_pool_body) else "not enabled"),
            **(companions or {"companions": [], "companionsSkipped": []})}


def fingerprint(plan):
    """A stable hash of a plan (key order does not matter)."""
    return hashlib.sha256(json.dumps(plan, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()[:16]


def compared_keys(started):
    """The parts of a plan a re-run compares, given the phases already started (``started``: their names). The
    new pool's body is never compared: it follows from the old pool and the options, which are; and once AKS made
    the pool, ARM answers it with its own defaults filled in."""
    keys = ["cluster", "oldPool", "options"]
    if not {"parallel", "switch", "drain"} & set(started):
        keys.append("workloads")
    return keys


def differences(recorded, now, keys):
    """Lines ``key: recorded -> now`` for each compared part that differs (options and bodies key by key)."""
    lines = []
    for key in keys:
        before, after = (recorded or {}).get(key), (now or {}).get(key)
        if before == after:
            continue
        if isinstance(before, dict) and isinstance(after, dict):
            for sub in sorted(set(before) | set(after)):
                if before.get(sub) != after.get(sub):
                    lines.append(f"{key}.{sub}: {_short(before.get(sub))} -> {_short(after.get(sub))}")
        elif key == "workloads":
            was = {w["workload"] for w in before or []}
            is_ = {w["workload"] for w in after or []}
            lines += [f"workloads: no longer moves {w}" for w in sorted(was - is_)]
            lines += [f"workloads: now also moves {w}" for w in sorted(is_ - was)]
            if was == is_:
                lines.append("workloads: how they move changed")
        else:
            lines.append(f"{key}: {_short(before)} -> {_short(after)}")
    return lines


def _short(value):
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."


def check_unchanged(recorded, now, started, *, replan, resume_command):
    """Refuse (PlanChanged) a plan that differs from the recorded one in what can still be compared, unless
    ``replan``; returns the difference lines (empty when none)."""
    if recorded is None:
        return []
    lines = differences(recorded, now, compared_keys(started))
    if lines and not replan:
        shown = "\n".join(f"  {line}" for line in lines)
        raise PlanChanged(f"The plan differs from the one this cutover recorded:\n{shown}",
                          recommendation=f"Run it as recorded ({resume_command}), or add --replan to go on with the "
                                         "new plan from where the cutover stands.")
    return lines


def confirmation(cluster, old_pool, options, until=None):
    """The question a cutover asks before it starts (``--yes`` answers it): everything it will do, up to ``until``;
    the old pool's deletion is named, as the one step that cannot be undone."""
    home = (f"container groups in resource group '{options.aci_resource_group}': create them, scale the in-cluster "
            "copies to 0" if options.aci else
            f"node pool '{options.new_pool or '(derived name)'}': create it, retarget the workloads")
    deletes = until is None or PHASES.index(until) >= PHASES.index("decommission")
    last = (", then, once the final verify passed, DELETE the old pool (it cannot be created again)" if deletes else
            f" (stopping after the {until} phase: the old pool is kept)")
    return (f"Move every workload off WASI pool '{old_pool}' of cluster '{cluster}' to {home}, cordon and drain the "
            f"old pool (PodDisruptionBudgets honoured){last}?")


def command(resource_group, cluster, old_pool, options, subscription=None):
    """The command that runs (or resumes) this very cutover: every option that is not its default spelled out,
    since a re-run with other options is refused as a changed plan."""
    default = CutoverOptions(new_pool=options.new_pool)
    words = ["az aks wasi-migrate cutover"]
    if subscription:
        words.append(f"--subscription {subscription}")
    words += [f"-g {resource_group} -n {cluster} --nodepool-name {old_pool}"]
    if options.new_pool:
        words.append(f"--new-nodepool-name {options.new_pool}")
    if options.aci:
        words.append("--aci" + (f" --aci-resource-group {options.aci_resource_group}"
                                if options.aci_resource_group not in (None, resource_group) else ""))
    for flag, attribute in FLAGS:
        value = getattr(options, attribute)
        if value != getattr(default, attribute):
            words.append(flag if value is True else f"{flag} {_number(value)}")
    return " ".join(words + ["--yes"])


FLAGS = (("--runtime-class", "runtime_class"), ("--drain-batch-size", "drain_batch"), ("--batch-soak", "batch_soak"),
         ("--parallel-soak", "parallel_soak"), ("--parallel-replicas", "parallel_replicas"),
         ("--final-soak", "final_soak"), ("--interval", "interval"),
         ("--max-restarts", "max_restarts"), ("--grace-period", "grace_period"),
         ("--drain-timeout", "drain_timeout"), ("--freeze-old-pool", "freeze_old_pool"))


def _number(value):
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
