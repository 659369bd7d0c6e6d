"""retarget's public entry: ``run(api_client, RetargetRequest(...))`` moves the workloads tied to the old pool
(parallel, cutover) or back (rollback) and returns one row per object (``plan.row``; ``diff`` in a dry run,
``file`` with --export-dir).

The steps, in the order that makes a refusal cost nothing: read the cluster once; assess it; plan every object;
refuse (before any change) workloads that Flux or Argo CD would put back (``managed``), RuntimeClasses the cluster
lacks and pods that no node of the new pool would take (a dry run only warns); render the manifests for --export-dir
and prove the folder writable; say what is worth knowing; ask (the ``confirm`` callback: the CLI's prompt, which
--yes answers); patch; write the manifests; follow the rollouts the patches started (``verify.follow``: kubectl
rollout status rules) up to ``wait_timeout`` seconds (None: not at all, --no-wait); raise for the objects that
could not be patched (the others were), then for the rollouts that did not become available.
"""

from dataclasses import dataclass

from azext_wasimig import evaluate
from azext_wasimig.evaluate import scan
from azext_wasimig.retarget import export, managed, patch, plan, rewrite
from azext_wasimig.retarget.errors import MissingRuntimeClass, NowhereToLand, RetargetIncomplete
from azext_wasimig.verify import follow

DEFAULT_TIMEOUT = 600   # seconds to wait for the rollouts (--timeout)


@dataclass(frozen=True)
class RetargetRequest:  # pylint: disable=too-many-instance-attributes  # one field per option of the command
    """One retarget run. ``old``/``new``: the pools as Azure spells them (the nodes' labels compare exactly)."""
    old: str
    new: str
    phase: str
    runtime_class: str = rewrite.DEFAULT_RUNTIME_CLASS
    dry_run: bool = False
    export_dir: str = None
    overwrite: bool = False
    allow_managed: bool = False    # patch what a paused Flux/Argo CD controller (or one not readable) manages
    leave: frozenset = frozenset()  # (namespace, kind, name) left as they are (cutover's companions stand in)

    def desired(self, live):
        """What the live object should become now: recomputed from it before each patch."""
        return plan.desired(live, self.phase, self.old, self.new, self.runtime_class)


def _ignore(_message):
    pass


def run(api_client, request, *, cluster_name, wait_timeout=DEFAULT_TIMEOUT, confirm=None, note=_ignore, progress=None,
        info=_ignore):
    """Retarget as ``request`` says (see the module docstring). ``confirm(question)`` raises to stop before any
    change (the question names ``cluster_name``); ``note(text)`` gets the warnings, ``progress(text)`` a line per
    object patched and per round of waiting for the rollouts, ``info(text)`` what is worth a line in a verbose log.
    ``wait_timeout``: seconds to wait for the rollouts, None not to wait (a dry run never waits)."""
    taken = evaluate.read_cluster(api_client, detail=info)
    plans = plan_request(taken, request)
    check(plans, taken, request, note)
    exports = export.checked(plans, request.export_dir, request.overwrite)   # fails now or never
    for line in plan.notes(plans, taken, request.phase, request.old, request.new):
        note(line)
    question = plan.confirmation(plans, request.phase, cluster_name, request.old, request.new)
    if question and not request.dry_run and confirm:
        confirm(question)
    rows = patch.apply_plans(api_client, plans, request.desired, dry_run=request.dry_run, progress=progress)
    if request.export_dir:
        export.write(request.export_dir, exports, rows, request.overwrite)
        export.add_files(rows, plans, request.export_dir)
        note(f"{len(exports)} manifest(s) written to {request.export_dir}")
    waits = wait_timeout is not None and not request.dry_run
    stuck = follow.follow(api_client, rows, timeout=wait_timeout, progress=progress) if waits else []
    raise_failures(rows)
    error = follow.incomplete_error(stuck, wait_timeout)
    if error:
        raise error
    return rows


def plan_request(taken, request):
    """The plans for every object the old pool ties (scan's findings on ``taken``, a ClusterSnapshot)."""
    findings = scan.assess(taken, [request.old], only_pool=request.old)
    return plan.left_alone(plan.plan_all(taken, findings, request.old, request.new, request.phase,
                                         runtime_class=request.runtime_class), request.leave)


def check(plans, taken, request, note=_ignore):
    """Refuse, before any change, what a controller would revert (``managed.check_managed``) and what would make a
    rollout stall; a dry run warns through ``note`` instead."""
    managed.check_managed(managed.managed_of(plans, taken), old=request.old, new=request.new, phase=request.phase,
                          allow_managed=request.allow_managed, dry_run=request.dry_run, note=note)
    check_runtime_classes(plan.missing_runtime_classes(plans, taken), request.phase, request.dry_run, note)
    check_landing(plan.stranded(plans, taken, request.phase, request.new), request.new, request.dry_run, note)


def check_runtime_classes(missing, phase, dry_run, note=_ignore):
    """Pods naming a RuntimeClass that does not exist are refused, so a rollout would stall: ``MissingRuntimeClass``
    (a dry run notes it). A rollback restores what was there and is never stopped."""
    if not missing or phase == "rollback":
        return
    message = (f"RuntimeClass {', '.join(missing)} does not exist in the cluster, and pods that name it are refused. "
               "Install it first (SpinKube's runtime-class-manager creates wasmtime-spin-v2), or pass "
               "--runtime-class.")
    if dry_run:
        note(message)
        return
    raise MissingRuntimeClass(message + " Nothing was changed.")


def check_landing(stranded, new_pool, dry_run, note=_ignore):
    """Changes whose new pods no node of the new pool would take (``plan.stranded``): ``NowhereToLand``, naming each
    workload and why (a dry run notes it)."""
    if not stranded:
        return
    lines = "\n".join(f"  {'/'.join(item.key)}: {why}" for item, why in stranded)
    message = (f"{len(stranded)} workload(s) would have nowhere to run on node pool '{new_pool}': their new pods "
               f"would stay Pending and the rollout would stall.\n{lines}")
    advice = ("If the RuntimeClass named is still AKS's (it selects only the WASI nodes), create SpinKube's "
              "RuntimeClass under another name and pass it with --runtime-class; otherwise give the new pool Ready "
              "nodes that the placement admits (labels, taints), then run again.")
    if dry_run:
        note(f"{message}\n{advice}")
        return
    raise NowhereToLand(message + "\nNothing was changed.", recommendation=advice)


def raise_failures(rows):
    """``RetargetIncomplete`` naming every object that could not be patched and why; nothing when none failed."""
    lines = plan.failures_message(rows)
    if lines:
        raise RetargetIncomplete(f"Some objects could not be retargeted (the others were):\n{lines}",
                                 recommendation="Fix the cause and run the same command again: it is idempotent.")
