"""`cutover`'s entry: the whole move of one WASI pool as one resumable run.

``run(api, target, options, azure, request)``: take the record's lease (a second run refuses), build the plan
(scan + the new pool's body) and hold it against the recorded one, then run the phases from the first unfinished
one (``phases.RUNS``), writing the record before and after each. Stops after ``--until``; at a safe point when
--abort was written to the record; on SIGINT/SIGTERM at the next safe point, once the request in flight is
answered (``interrupts``; the record is written, then ``CutoverInterrupted`` names the command that resumes).
Returns the runbook document (``result``): ``phase``, ``completed``, ``nextPhase``, ``gates``, ``created``,
``durationSeconds`` and more; a failed gate or an abort raises ``CutoverStopped`` carrying the same document.
"""

import copy
import functools
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace

from azext_wasimig import evaluate
from azext_wasimig.cutover import aci_phases, companion, interrupts, phases, plan as planning, record as records
from azext_wasimig.cutover.store import ConfigMapStore
from azext_wasimig.errors import MigrationError, MigrationInterrupted

ABORT_CHECK_SECONDS = 5.0   # how often a long phase reads the record again to see an --abort


class CutoverStopped(MigrationError):
    """A gate failed or the run was aborted: ``result`` is the runbook document (it names the gate and what to
    run next)."""
    kind = "validation"

    def __init__(self, message, result, recommendation=None):
        super().__init__(message, recommendation)
        self.result = result


class CutoverInterrupted(MigrationInterrupted):
    """SIGINT/SIGTERM: the record is written; ``result`` says where the run stands."""

    def __init__(self, message, result, recommendation=None):
        super().__init__(message, recommendation)
        self.result = result


class NoCutoverRecord(MigrationError):
    kind = "not_found"


@dataclass(frozen=True)
class Request:
    """How this invocation runs: ``until`` a phase name; ``resume_command`` is what the messages tell to run."""
    until: str = None
    dry_run: bool = False
    replan: bool = False
    resume_command: str = ""


def _ignore(_text):
    pass


def open_record(api, target, old_pool=None):
    """The record of the cutover of ``target``'s old pool (or of pool ``old_pool``, by name: once it is gone)."""
    cluster_id = str(target.cluster.get("id") or target.cluster_name)
    old_pool = old_pool or target.wasi_pool_name
    return records.CutoverRecord(ConfigMapStore(api, records.record_name(cluster_id, old_pool)), cluster_id, old_pool)


def run(api, target, options, azure, request, *, progress=_ignore, note=_ignore, clock=time.monotonic,
        sleep=time.sleep):
    """Run (or resume) the cutover; see the module docstring."""
    began = clock()
    record = open_record(api, target)
    say = _timed(progress, began, clock)
    say("preflight: reading the cluster and building the plan")
    built, options = build_plan(api, target, options, azure, note)
    if request.dry_run:
        doc, _ = record.read()
        return runbook_document(doc or {}, built, began, clock, dry_run=True)
    doc = record.acquire()
    try:
        _hold_plan(record, doc, built, request, note)
        hooks = phases.Hooks(say=say, checkpoint=_checkpoint(record, clock), sleep=sleep, clock=clock)
        ctx = phases.Context(api=api, target=target, options=options, azure=azure, record=record, hooks=hooks)
        return _run_phases(ctx, request, began)
    finally:
        record.release()


def build_plan(api, target, options, azure, note=_ignore):
    """The plan of this invocation: scan's findings, and create-pool's dry run for the new pool's name and body
    (the pool an earlier run made, when there is one). With --aci: create-aci's dry run instead."""
    if options.aci:
        return aci_phases.build_plan(api, target, options, azure, note)
    findings = evaluate.scan_cluster(target, lambda: api, evaluate.ScanOptions(), note=note)
    would = azure.create_pool(options.new_pool, True)
    options = replace(options, new_pool=would["nodepoolName"])
    return planning.build(options, cluster_id=str(target.cluster.get("id")), old_pool=target.wasi_pool_name,
                          old_pool_body=target.wasi_pool, new_pool_body=would.get("agentPool") or {},
                          findings=findings, companions=_companions(api, target, options)), options


def _companions(api, target, options):
    """Which workloads the parallel phase gives a companion copy (``companion.choose`` on retarget's parallel
    plans, read from the cluster now)."""
    from azext_wasimig.retarget.run import RetargetRequest, plan_request
    taken = evaluate.read_cluster(api)
    request = RetargetRequest(old=target.wasi_pool_name, new=options.new_pool, phase="parallel",
                              runtime_class=options.runtime_class)
    chosen, skipped = companion.choose(plan_request(taken, request), taken, target.wasi_pool_name)
    return companion.plan_entries(chosen, skipped, options.parallel_replicas)


def _hold_plan(record, doc, built, request, note):
    started = [name for name, phase in (doc.get("phases") or {}).items() if phase.get("status")]
    changes = planning.check_unchanged(doc.get("plan"), built, started, replan=request.replan,
                                       resume_command=request.resume_command)
    for line in changes:
        note(f"--replan: {line}")

    def change(fresh):
        if fresh.get("plan") is None or changes:
            fresh["plan"], fresh["fingerprint"] = built, planning.fingerprint(built)
            if changes:
                records.add_fault(fresh, None, "replan", "; ".join(changes))
        fresh["abort"] = None   # a new run is a new intent: an abort meant for an earlier one is spent
    record.update(change)


def _run_phases(ctx, request, began):
    say, record = ctx.hooks.say, ctx.record
    with records.RenewingLease(record) as renewer, interrupts.installed(say) as deferred:
        ctx.hooks.checkpoint.renewer = renewer
        if deferred:
            ctx.hooks.sleep = functools.partial(deferred.sleep, sleep=ctx.hooks.sleep)
        stopped = None
        for name in planning.PHASES:
            if _status(record.doc, name) != "done":
                _one_phase(ctx, name, request, began)
            if name == request.until:
                say(f"stopped after {name} (--until)")
                stopped = "until"
                break
    return runbook_document(record.doc, record.doc["plan"], began, ctx.clock, stopped=stopped)


def _one_phase(ctx, name, request, began):
    record, clock, say = ctx.record, ctx.clock, ctx.hooks.say   # say: the run's; the phase's names the phase
    ctx.hooks.say = _phase_say(say, name)
    try:
        ctx.checkpoint(force=True)
        record.update(lambda doc: _mark(doc, name, "running"))
        ctx.say("started")
        started = clock()
        evidence = aci_phases.phases_for(ctx.options)[name](ctx)
        record.update(lambda doc: _mark(doc, name, "done", evidence=evidence, seconds=clock() - started))
        say(f"{name}: done in {clock() - started:.1f} s")   # not a safe point: the phase is done and recorded
    except phases.GateFailed as ex:
        _note(record, name, ("gate", f"{ex.gate}: {ex}"), "failed", ex.evidence)
        raise CutoverStopped(f"The cutover stopped in the {name} phase: gate {ex.gate} failed.\n{ex}",
                             _stopped(ctx, request, began, "gate", gate=ex.gate),
                             recommendation=f"{ex.recommendation or 'Fix what it names.'} Then: "
                                            f"{request.resume_command}") from ex
    except phases.AbortRequested as ex:
        _note(record, name, ("abort", str(ex)), "aborted")
        raise CutoverStopped(f"The cutover was aborted in the {name} phase at a safe point.",
                             _stopped(ctx, request, began, "abort"),
                             recommendation=f"To go on from there: {request.resume_command}") from ex
    except KeyboardInterrupt as ex:
        _note(record, name, ("interrupt", str(ex) or "interrupted (SIGINT/SIGTERM)"), "interrupted")
        raise CutoverInterrupted(f"The cutover was interrupted in the {name} phase; the record says where it "
                                 "stands.", _stopped(ctx, request, began, "interrupt"),
                                 recommendation=f"To resume, run: {request.resume_command}") from ex
    except Exception as ex:   # a fault: noted in the record, then the phase's own error speaks for itself
        _note(record, name, ("error", f"{type(ex).__name__}: {ex}"), "failed")
        raise
    finally:
        ctx.hooks.say = say


def _stopped(ctx, request, began, why, gate=None):
    return runbook_document(ctx.record.doc, ctx.record.doc["plan"], began, ctx.clock, stopped=why, gate=gate,
                            command=request.resume_command)


def _note(record, phase, fault, state, evidence=None):
    """Write a fault ``(kind, message)`` into the record, best effort: the run is stopping anyway and its own error
    must surface."""
    def change(doc):
        records.add_fault(doc, phase, *fault)
        _mark(doc, phase, state, evidence=evidence)
    try:
        with _no_interrupts():
            record.update(change)
    except Exception:  # pylint: disable=broad-except  # the error that stopped the run is the one to report
        pass


def _mark(doc, name, state, evidence=None, seconds=None):
    entry = doc.setdefault("phases", {}).setdefault(name, {})
    stamp = records.now_stamp()
    if state == "running":
        entry["startedAt"] = stamp
        entry["attempts"] = int(entry.get("attempts") or 0) + 1
        entry.pop("finishedAt", None)
    else:
        entry["finishedAt"] = stamp
    if evidence is not None:
        entry["evidence"] = {**(entry.get("evidence") or {}), **evidence}
    if seconds is not None:
        entry["durationSeconds"] = round(seconds, 1)
    entry["status"] = state


def _status(doc, name):
    return ((doc.get("phases") or {}).get(name) or {}).get("status")


def _checkpoint(record, clock):
    """``ctx.checkpoint()``: raises where the run must stop - an --abort in the record (read at most every few
    seconds, or now with ``force``), or a lease another run took (``checkpoint.renewer`` is the renewing thread)."""
    last = []

    def checkpoint(force=False):
        interrupts.safe_point()
        renewer = getattr(checkpoint, "renewer", None)
        if renewer and isinstance(renewer.error, records.LeaseLost):
            raise renewer.error
        if force or not last or clock() - last[-1] >= ABORT_CHECK_SECONDS:
            last.append(clock())
            del last[:-1]
            doc = record.refresh()
            if doc.get("abort"):
                raise phases.AbortRequested(f"Abort requested by {doc['abort'].get('by')} at "
                                            f"{doc['abort'].get('requestedAt')}.")
    return checkpoint


@contextmanager
def _no_interrupts():
    """While the record is written after a fault, a second Ctrl-C waits (the write is what lets a re-run resume)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, signal.SIG_IGN)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _timed(progress, began, clock):
    def say(text):
        progress(f"[{clock() - began:7.1f} s] {text}")
    return say


def _phase_say(say, name):
    """A phase's progress line, then a safe point: each round of a phase's waits says one."""
    def phase_say(text):
        say(f"{name}: {text}")
        interrupts.safe_point()
    return phase_say


def runbook_document(doc, built, began, clock, *, dry_run=False, stopped=None, gate=None, command=None):
    """The runbook document: where the cutover stands (stable keys)."""
    done = [name for name in planning.PHASES if _status(doc, name) == "done"]
    following = next((name for name in planning.PHASES if _status(doc, name) != "done"), None)
    phases_now = doc.get("phases") or {}
    document = {"phase": done[-1] if done else None, "completed": following is None, "nextPhase": following,
                "gates": {name: phases_now[name]["evidence"]["verify"]["gates"] for name in planning.PHASES
                          if "verify" in ((phases_now.get(name) or {}).get("evidence") or {})},
                "created": doc.get("created") or [], "durationSeconds": round(clock() - began, 1),
                "phases": {name: {k: v for k, v in phases_now[name].items() if k != "evidence"}
                           for name in planning.PHASES if name in phases_now},
                "faults": doc.get("faults") or [], "plan": built, "dryRun": dry_run, "stoppedBy": stopped}
    if gate:
        document["failedGate"] = gate
    if command and following:
        document["nextCommand"] = command
    return document


def after_deletion(api, target, old_pool, *, read_only=False):
    """ARM has no pool ``old_pool`` any more: where the cutover that deleted it stands (``status``'s document), the
    decommission marked done first when its DELETE was sent (a run stopped while AKS deleted the pool). None when
    no cutover of this pool sent a DELETE: the pool is simply not there (the caller says so, exit code 3)."""
    record = open_record(api, target, old_pool)
    doc, _ = record.read()
    decommission = ((doc or {}).get("phases") or {}).get("decommission") or {}
    if not (decommission.get("evidence") or {}).get("deleteAttempts"):
        return None
    if decommission.get("status") != "done" and not read_only:
        record.acquire()
        try:
            record.update(lambda fresh: _mark(fresh, "decommission", "done", evidence={"deleted": old_pool,
                                                                                       "goneSeenAfterwards": True}))
        finally:
            record.release()
    return status(api, target, old_pool)


def reset_after_rollback(api, target, *, keep_prepare=True, dry_run=False):
    """``rollback``'s step on the cutover's record, when there is one: the phases it undid are to be run again, or a
    later cutover would take them for done (a switch undone, a drain of a pool that runs the workloads again).
    Refuses (``CutoverBusy``) while a cutover of the pool is running. Returns the step for rollback's output."""
    record = open_record(api, target)
    doc, _ = record.read()
    if doc is None:
        return {"step": "cutoverRecord", "action": "none", "phases": []}
    if dry_run:   # the same reset on a copy: what it would undo
        would = records.roll_back(copy.deepcopy(doc), keep_prepare)
        return {"step": "cutoverRecord", "action": "wouldReset" if would else "unchanged", "phases": would}
    undone = []

    def change(fresh):
        undone[:] = records.roll_back(fresh, keep_prepare)
    record.acquire()
    try:
        record.update(change)
    finally:
        record.release()
    return {"step": "cutoverRecord", "action": "reset" if undone else "unchanged", "phases": undone}


def status(api, target, old_pool=None):
    """--status: where the cutover stands, from the record (no lease taken); NoCutoverRecord when there is none."""
    record = open_record(api, target, old_pool)
    doc, lease = record.read()
    if doc is None:
        raise NoCutoverRecord(f"No cutover of pool '{record.old_pool}' was started on cluster "
                              f"'{target.cluster_name}' (no record in namespace {records.NAMESPACE}).",
                              recommendation="Start one with the same command without --status.")
    now = time.time()
    document = runbook_document(doc, doc.get("plan"), time.monotonic(), time.monotonic)
    state = records.lease_state(lease, records.new_holder(), now)
    document["running"] = state == records.HELD
    document["holder"] = records.describe_holder(lease, now) if (lease or {}).get("holder") else None
    document["abortRequested"] = bool(doc.get("abort"))
    del document["durationSeconds"]
    return document


def abort(api, target, by):
    """--abort: write the abort flag; the running cutover stops at its next safe point."""
    record = open_record(api, target)
    doc = records.request_abort(record.store, by)
    if doc is None:
        raise NoCutoverRecord(f"No cutover of pool '{target.wasi_pool_name}' was started on cluster "
                              f"'{target.cluster_name}': nothing to abort.")
    return status(api, target)
