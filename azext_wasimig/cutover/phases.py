"""The cutover's phases, each a small function on a ``Context`` that calls the phase run functions the manual path
uses (scan, create-pool, retarget, drain, verify): never a second implementation. Each is idempotent against the
cluster and the record: run again after a fault or a kill, it finds what the earlier attempt did and carries on
(create-pool waits for or reuses the pool it made, retarget skips what is already patched, a drained node has
nothing left to evict, verify reads again). Each returns its evidence (what the record keeps) or raises
``GateFailed`` naming the gate that stopped it.
"""

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from azext_wasimig.cutover import companion, plan as planning
from azext_wasimig.errors import MigrationError

NODES_READY_TIMEOUT = 900      # seconds for AKS to bring the new pool's nodes into the cluster as Ready
ROLLOUT_TIMEOUT = 600          # seconds for the rollouts a retarget starts


class GateFailed(MigrationError):
    """A phase's gate failed: ``gate`` names it, ``evidence`` is what it saw."""
    kind = "validation"

    def __init__(self, phase, gate, message, evidence=None, recommendation=None):
        super().__init__(message, recommendation)
        self.phase, self.gate, self.evidence = phase, gate, evidence or {}


class AbortRequested(MigrationError):
    """--abort was written to the record: the run stopped at a safe point."""
    kind = "validation"


@dataclass
class Azure:
    """The ARM calls of a cutover, made by the CLI glue on the phase commands' own functions.
    ``create_pool(name, dry_run)``: create-pool's result (the pool made, waited for or reused; with ``dry_run`` the body
    it would send); ``read_pool(name)``: the pool now, None when gone; ``freeze_pool(name, count)``: the pool's
    autoscaler off at ``count``; ``delete_pool(old, new)``: delete-pool's run function on the old pool, its
    replacement ``new`` (None with --aci: the move's container groups), returning its record;
    ``wait_while_deleting(name)``: returns once the pool is gone or no longer Deleting; ``aci``: with ``cutover
    --aci``, the ACI calls (``aci_phases.AciAzure``), None for a pool."""
    create_pool: Callable
    read_pool: Callable
    freeze_pool: Callable
    delete_pool: Callable
    wait_while_deleting: Callable
    aci: Any = None


@dataclass
class Hooks:
    """How a phase reports and paces itself: ``say`` a progress line; ``checkpoint()`` raises at a safe point when
    the run must stop (an --abort, a lost lease); ``sleep``/``clock`` (tests give fakes)."""
    say: Callable = print
    checkpoint: Callable = lambda force=False: None
    sleep: Callable = time.sleep
    clock: Callable = time.monotonic


@dataclass
class Context:
    api: Any                    # kubernetes ApiClient
    target: Any                 # MigrationTarget: the cluster and the proven old pool
    options: Any                # plan.CutoverOptions
    azure: Azure
    record: Any                 # record.CutoverRecord (holding the lease); its doc holds the plan
    hooks: Hooks = field(default_factory=Hooks)
    verified: dict = field(default_factory=dict)   # phase -> verify summary of this run

    @property
    def plan(self):
        return self.record.doc["plan"]

    @property
    def old(self):
        return self.target.wasi_pool_name

    @property
    def new(self):
        return self.plan["options"]["newPool"]

    def say(self, text):
        self.hooks.say(text)

    def checkpoint(self, force=False):
        self.hooks.checkpoint(force)

    def sleep(self, seconds):
        self.hooks.sleep(seconds)

    def clock(self):
        return self.hooks.clock()

    def evidence(self, phase):
        return ((self.record.doc.get("phases") or {}).get(phase) or {}).get("evidence") or {}

    def keep(self, phase, **evidence):
        """Write part of a phase's evidence now (a drain batch done), so that a kill after it loses nothing."""
        def change(doc):
            entry = doc.setdefault("phases", {}).setdefault(phase, {})
            entry["evidence"] = {**(entry.get("evidence") or {}), **evidence}
        self.record.update(change)


# --- preflight ------------------------------------------------------------------------------------------------

def preflight(ctx):
    """No write before the blockers are known: a workload scan marks blocked, or one that Flux or Argo CD would
    revert, stops the run here. Then, with
    --freeze-old-pool, the old pool's autoscaler goes off at its current count (a node AKS adds to a WASI pool
    has no Wasm shim)."""
    blocked = [w for w in ctx.plan["workloads"] if w["blockers"]]
    if blocked:
        lines = "\n".join(f"  {w['workload']}: {b}" for w in blocked for b in w["blockers"])
        raise GateFailed("preflight", "blockers", f"{len(blocked)} workload(s) cannot move as they are:\n{lines}",
                         {"blocked": [w["workload"] for w in blocked]},
                         recommendation="Fix what each names (scan --report FILE explains them), then run the same "
                                        "command again.")
    if ctx.azure.aci is None:   # --aci patches no placement: retarget's check is not its concern
        _refuse_managed(ctx)
    evidence = {"workloads": len(ctx.plan["workloads"]), "blockers": 0}
    if ctx.options.freeze_old_pool:
        evidence["oldPoolAutoscaler"] = _freeze(ctx)
    return evidence


def _refuse_managed(ctx):
    """What Flux or Argo CD would put back stops the run here, before any write (retarget's own check, run early:
    retarget runs it again before it patches)."""
    from azext_wasimig import evaluate
    from azext_wasimig.retarget import managed
    from azext_wasimig.retarget.errors import ManagedByController
    from azext_wasimig.retarget.run import RetargetRequest, plan_request
    taken = evaluate.read_cluster(ctx.api)
    request = RetargetRequest(old=ctx.old, new=ctx.new, phase="parallel", runtime_class=ctx.options.runtime_class)
    try:
        managed.check_managed(managed.managed_of(plan_request(taken, request), taken), old=ctx.old, new=ctx.new,
                              phase="parallel", note=ctx.say)
    except ManagedByController as ex:
        raise GateFailed("preflight", "managed", str(ex), recommendation=ex.recommendation) from ex


def _freeze(ctx):
    pool = ctx.azure.read_pool(ctx.old) or {}
    props = pool.get("properties") or pool
    if not props.get("enableAutoScaling"):
        return {"frozen": True, "count": props.get("count"), "changed": False}
    count = int(props.get("count") or 0)
    ctx.say(f"Turning the autoscaler of node pool '{ctx.old}' off at its current {count} node(s)")
    ctx.azure.freeze_pool(ctx.old, count)
    return {"frozen": True, "count": count, "changed": True, "minCount": props.get("minCount"),
            "maxCount": props.get("maxCount")}


# --- prepare --------------------------------------------------------------------------------------------------

def prepare(ctx):
    """create-pool (it reuses or waits for the pool an earlier attempt made), then wait for its nodes to be Ready."""
    from azext_wasimig.cutover import record as records
    result = ctx.azure.create_pool(ctx.new, False)
    pool = result.get("agentPool") or {}
    ctx.record.update(lambda doc: records.add_created(doc, "agentPool", pool.get("id") or ctx.new, "prepare"))
    wanted = _node_count(pool)
    ready = _wait_for_ready_nodes(ctx, wanted)
    return {"action": result.get("action"), "pool": pool.get("id") or ctx.new,
            "provisioningState": (pool.get("properties") or pool).get("provisioningState"), "nodesReady": ready}


def _node_count(pool):
    props = pool.get("properties") or pool
    count = props.get("count")
    if count is None:
        count = props.get("minCount")
    return max(1, int(count or 1))


def _wait_for_ready_nodes(ctx, wanted):
    from azext_wasimig.drain import cordon
    deadline = ctx.clock() + NODES_READY_TIMEOUT
    while True:
        nodes = cordon.nodes_of_pool(ctx.api, ctx.new, require=False)
        ready = sum(1 for n in nodes if _is_ready(n))
        if ready >= wanted:
            return ready
        if ctx.clock() >= deadline:
            raise GateFailed("prepare", "nodes-ready",
                             f"Node pool '{ctx.new}' has {ready} of {wanted} node(s) Ready in the cluster after "
                             f"{NODES_READY_TIMEOUT} s.", {"ready": ready, "wanted": wanted},
                             recommendation="See why with 'kubectl get nodes -l agentpool=" + ctx.new + "', then run "
                                            "the same command again.")
        ctx.say(f"Waiting for the nodes of '{ctx.new}': {ready} of {wanted} Ready")
        ctx.checkpoint()
        ctx.sleep(2)


def _is_ready(node):
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (node.get("status") or {}).get("conditions") or [])


# --- parallel, switch -----------------------------------------------------------------------------------------

def parallel(ctx):
    """The plan's companions made on NEW and available (``companion.start``; their originals left as they are), the
    other workloads through retarget --phase parallel, its rollouts followed, then verify's gates on NEW (not
    off-old-pool/on-new-pool: both pools serve; the companions checked in their originals' stead) for
    --parallel-soak minutes."""
    made = companion.start(ctx, ROLLOUT_TIMEOUT)
    rows = _retarget(ctx, "parallel", leave=companion.originals(ctx))
    summary = _verify(ctx, "parallel", ctx.options.parallel_soak, planning.PARALLEL_IGNORES,
                      exclude=companion.originals(ctx), include=companion.companion_keys(ctx))
    evidence = {"retargeted": _actions(rows), "verify": _gist(summary)}
    return {**evidence, "companions": made} if made else evidence


def switch(ctx):
    """retarget --phase cutover and wait for its rollouts: every workload pinned to NEW only; then each companion
    deleted once its original is available on NEW (``companion.finish``)."""
    rows = _retarget(ctx, "cutover")
    removed = companion.finish(ctx)
    return {"retargeted": _actions(rows), **({"companionsRemoved": removed} if removed else {})}


def _retarget(ctx, phase, leave=frozenset()):
    """retarget.run, which waits for the rollouts it started (and for those an earlier attempt started)."""
    from azext_wasimig.retarget.run import RetargetRequest, run
    from azext_wasimig.verify.follow import RolloutsIncomplete
    request = RetargetRequest(old=ctx.old, new=ctx.new, phase=phase, runtime_class=ctx.options.runtime_class,
                              leave=leave)
    try:
        return run(ctx.api, request, cluster_name=ctx.target.cluster_name, wait_timeout=ROLLOUT_TIMEOUT,
                   note=ctx.say, progress=ctx.say)
    except RolloutsIncomplete as ex:
        raise GateFailed(phase, "rollouts", str(ex), recommendation=ex.recommendation) from ex


def _actions(rows):
    counts = {}
    for row in rows:
        counts[row["action"]] = counts.get(row["action"], 0) + 1
    return counts


# --- drain ----------------------------------------------------------------------------------------------------

def drain(ctx):
    """Cordon all of OLD, then drain it --drain-batch-size nodes at a time with --batch-soak minutes between
    batches; each batch done is written to the record, so a resumed run starts at the next one."""
    from azext_wasimig.drain import cordon_pool, drain_pool
    cordoned = cordon_pool(ctx.api, ctx.old)
    nodes = cordoned["nodes"]
    size = planning.batch_size(ctx.options.drain_batch, len(nodes))
    done = set(ctx.evidence("drain").get("drainedNodes") or [])
    options = _drain_options(ctx.options)
    batches = planning.batches(nodes, size)
    evicted = int(ctx.evidence("drain").get("evicted") or 0)
    for number, batch in enumerate(batches, 1):
        if set(batch) <= done:
            continue
        ctx.checkpoint()
        ctx.say(f"Draining batch {number} of {len(batches)}: {', '.join(batch)}")
        summary = drain_pool(ctx.api, ctx.target, options, progress=ctx.say, nodes=batch)
        done |= set(batch)
        evicted += len(summary.get("evicted") or [])
        ctx.keep("drain", drainedNodes=sorted(done), batches=len(batches), evicted=evicted)
        if number < len(batches) and ctx.options.batch_soak:
            _soak(ctx, ctx.options.batch_soak * 60, f"after batch {number}")
    return {"nodes": nodes, "drainedNodes": sorted(done), "batches": len(batches), "batchSize": size,
            "evicted": evicted}


def _drain_options(options):
    from azext_wasimig.drain.options import DrainOptions
    return DrainOptions.from_cli(drain_timeout_minutes=options.drain_timeout, grace_period=options.grace_period)


def _soak(ctx, seconds, why):
    end = ctx.clock() + seconds
    while ctx.clock() < end:
        ctx.say(f"Soak {why}: {int(end - ctx.clock())} s left")
        ctx.checkpoint()
        ctx.sleep(min(5.0, max(0.0, end - ctx.clock())))


# --- verify -------------------------------------------------------------------------------------------------

def verify(ctx):
    """verify's gates, every one, held for --final-soak minutes."""
    summary = _verify(ctx, "verify", ctx.options.final_soak)
    ctx.verified["verify"] = summary
    return {"verify": _gist(summary), "fingerprint": ctx.record.doc.get("fingerprint")}


def _verify(ctx, phase, soak_minutes, ignore=(), *, exclude=frozenset(), include=frozenset()):
    from azext_wasimig.verify.run import run_verify
    summary = run_verify(ctx.api, old_pool=ctx.old, **_home(ctx), max_restarts=ctx.options.max_restarts,
                         soak_minutes=soak_minutes, interval=ctx.options.interval, progress=ctx.say,
                         sleep=_checked_sleep(ctx), clock=ctx.clock, ignore=ignore, exclude=exclude,
                         include=include)
    failed = [g for g in summary["gates"] if g["name"] not in ignore and not g["passed"]]
    if failed:
        lines = "\n".join(f"  {g['name']}: " + "; ".join(f"{f['object']}: {f['reason']}" for f in g["failures"][:5])
                          for g in failed)
        raise GateFailed(phase, failed[0]["name"], f"{len(failed)} gate(s) failed in the {phase} phase:\n{lines}",
                         _gist(summary), recommendation="Fix what each gate names, then run the same command again.")
    return summary


def _home(ctx):
    """run_verify's new home: the new pool, or (``cutover --aci``) the move's container groups."""
    if ctx.azure.aci is not None:
        return ctx.azure.aci.verify_home()
    return {"new_pool": ctx.new, "read_pool": lambda: ctx.azure.read_pool(ctx.new)}


def _checked_sleep(ctx):
    def sleep(seconds):
        ctx.checkpoint()
        ctx.sleep(seconds)
    return sleep


def _gist(summary):
    return {"passed": summary["passed"], "checks": summary["checks"], "startedAt": summary["startedAt"],
            "finishedAt": summary["finishedAt"],
            "gates": [{"name": g["name"], "passed": g["passed"], "evidence": g["evidence"],
                       "failures": g["failures"][:10]} for g in summary["gates"]]}


# What cutover/aci_phases.py builds its phases on.
verify_gates, gist, count_actions = _verify, _gist, _actions


def decommission(ctx):
    """Delete OLD: cutover/decommission.py, a module of its own for the one step that cannot be undone."""
    from azext_wasimig.cutover.decommission import decommission as delete_old_pool
    return delete_old_pool(ctx)


RUNS = {"preflight": preflight, "prepare": prepare, "parallel": parallel, "switch": switch, "drain": drain,
        "verify": verify, "decommission": decommission}
