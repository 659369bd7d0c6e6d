"""The cutover's last phase: delete the old pool, the one thing that cannot be made again, at most once and only
on evidence.

- The final verify must have passed under the plan in force (in this run, or recorded with this plan's
  fingerprint); delete-pool's own run function then proves the pair from ARM (a WASI pool, not the last System pool,
  the new pool made from it by wasimig, or the move's container groups), refuses pods left on it, checks every
  verify gate again now (nothing changed since) and sends the DELETE.
- Before the DELETE goes out the record counts it (``deleteAttempts``), so that a run killed at any point is
  resumed by what ARM says about the pool, never by a second DELETE sent blind: gone -> done; ``Deleting`` -> wait
  for AKS to finish the one sent; anything else (the request never arrived, or AKS failed it) -> checked and sent
  again, as AKS advises after a failed operation.
"""

from azext_wasimig.cutover import record as records
from azext_wasimig.cutover.phases import GateFailed
from azext_wasimig.evaluate.inventory import provisioning_state

PHASE = "decommission"
DELETING = "deleting"


def decommission(ctx):
    """Phase 7 (``phases.RUNS``): the old pool deleted, or ``GateFailed`` naming why it was not."""
    attempts = int(ctx.evidence(PHASE).get("deleteAttempts") or 0)
    pool = ctx.azure.read_pool(ctx.old)
    if pool is not None and provisioning_state(pool).lower() == DELETING:
        ctx.say(f"Node pool '{ctx.old}' is being deleted (a DELETE sent earlier): waiting until AKS is done")
        ctx.azure.wait_while_deleting(ctx.old)
        pool = ctx.azure.read_pool(ctx.old)   # gone, or Failed: AKS failed that DELETE, so it is sent again
    if pool is None:
        return _gone(ctx, attempts)
    _require_final_verify(ctx)
    ctx.keep(PHASE, deleteAttempts=attempts + 1, lastDeleteAt=records.now_stamp())
    ctx.say(f"Deleting node pool '{ctx.old}' (the final verify passed; delete-pool checks its gates once more)")
    result = _delete(ctx)
    return {"deleted": ctx.old, "deleteAttempts": attempts + 1, "action": result.get("action"),
            "verification": {"passed": (result.get("verification") or {}).get("passed")}}


def _gone(ctx, attempts):
    """The pool is gone: by this cutover's DELETE (counted in the record), or by someone else's."""
    if not attempts:
        ctx.say(f"Node pool '{ctx.old}' is gone already, deleted by something other than this cutover")
    return {"deleted": ctx.old, "deleteAttempts": attempts, "deletedByThisCutover": bool(attempts)}


def _require_final_verify(ctx):
    """The final verify of this plan: passed in this run, or recorded under this plan's fingerprint (a plan
    changed by --replan after it was run must be verified again)."""
    if "verify" in ctx.verified:
        return
    recorded = ctx.evidence("verify")
    if recorded.get("fingerprint") != ctx.record.doc.get("fingerprint"):
        raise GateFailed(PHASE, "verified", "The final verify passed under another plan, so the old pool was not "
                                            "deleted.",
                         recommendation="Run the verify phase again: the same command with --replan.")


def _delete(ctx):
    """delete-pool's run function (``Azure.delete_pool``); its refusals become the phase's gates."""
    from azext_wasimig.decommission.delete_pool import DrainNotFinished, PodsLeftOnPool, VerificationFailed
    try:
        return ctx.azure.delete_pool(ctx.old, ctx.new)
    except VerificationFailed as ex:
        raise GateFailed(PHASE, "verify", str(ex), recommendation=ex.recommendation) from ex
    except (PodsLeftOnPool, DrainNotFinished) as ex:
        raise GateFailed(PHASE, "pods-left", str(ex), recommendation=ex.recommendation) from ex
