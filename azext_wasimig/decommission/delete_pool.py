"""`delete-pool`: the guarded decommission of a WASI pool (orchestration; plain inputs, clients and callbacks in).

Order, so that the one irreversible request is sent last and only on evidence:
  1. ARM: the old pool exists (else exit 3), is a WASI pool and not the last System pool; the replacement is a pool
     wasimig made from it (provenance tag), or container groups made for this move (``--aci``: none, exit 3);
  2. the cluster: pods other than DaemonSet, mirror and finished pods still on its nodes refuse the deletion
     ("drain first"), unless ``--drain``;
  3. ``--dry-run`` checks the gates once and stops: the record says what would be deleted (and drained);
  4. the question (``--yes`` answers it; no terminal and no ``--yes`` is a refusal);
  5. with ``--drain``: drain as the drain command does;
  6. verify (every gate, ``--soak`` included) must pass: no flag skips it, a failed gate is fixed, not forced;
  7. one DELETE of the old pool (``ignore-pod-disruption-budget`` only with ``--ignore-pdb``), waited for unless
     ``--no-wait``; the decommission record is returned.
"""

import datetime
from dataclasses import dataclass, field
from typing import Optional

from azext_wasimig import waiting
from azext_wasimig.decommission import aci_groups, cluster, pair, pool_delete, record
from azext_wasimig.drain.options import DrainOptions
from azext_wasimig.errors import MigrationError

WOULD_DELETE = "wouldDelete"


class PodsLeftOnPool(MigrationError):
    kind = "validation"


class VerificationFailed(MigrationError):
    kind = "validation"


class DrainNotFinished(MigrationError):
    kind = "incomplete"


@dataclass(frozen=True)
class Home:
    """Where the workloads moved: pool ``new`` (as the user named it; Azure's spelling comes from ARM), or the
    container groups made for the move in ``aci_resource_group``."""
    new: Optional[str] = None
    aci_resource_group: Optional[str] = None

    @property
    def aci(self):
        return self.aci_resource_group is not None


@dataclass(frozen=True)
class Gates:
    """verify's settings: the soak window (minutes; 0 is one check), seconds between checks, restarts allowed."""
    soak_minutes: int = 0
    interval: int = 30
    max_restarts: int = 0


@dataclass(frozen=True)
class DeletePoolRequest:
    """What to delete (``old``, as the user named it), where its workloads went, on what evidence; ``drain``: the
    drain's options when pods left on the pool are to be drained first (None: they refuse the deletion)."""
    old: str
    home: Home
    gates: Gates = field(default_factory=Gates)
    drain: Optional[DrainOptions] = None
    ignore_pdb: bool = False
    dry_run: bool = False
    no_wait: bool = False


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _ignore(_message):
    pass


def home(target, clients, request):
    """run_verify's keywords for the new home: the new pool (proven by ``pair``) or the move's container groups
    (``NoGroupsForMove``, exit code 3, when there are none: read now, before the cluster)."""
    from azext_wasimig.verify.run import require_groups
    if not request.home.aci:
        return {"new_pool": target.new_pool_name,
                "read_pool": pool_delete.reader(clients.agent_pools, target, target.new_pool_name)}
    resource_group = request.home.aci_resource_group
    read = aci_groups.reader(clients.container_groups, resource_group, target.cluster.get("id"),
                             target.wasi_pool_name)
    require_groups(read(), target.wasi_pool_name, resource_group)
    return {"read_groups": read, "aci_resource_group": resource_group}


def verified(api_client, target, request, where, *, soak, progress):
    """verify's summary, raising ``VerificationFailed`` (each gate and object named) unless every gate passed."""
    from azext_wasimig.verify.run import failure_message, run_verify
    gates = request.gates
    summary = run_verify(api_client, old_pool=target.wasi_pool_name, max_restarts=gates.max_restarts,
                         soak_minutes=gates.soak_minutes if soak else 0, interval=gates.interval, progress=progress,
                         **where)
    if not summary["passed"]:
        raise VerificationFailed(
            f"{failure_message(summary)}\nSo node pool '{target.wasi_pool_name}' was not deleted.",
            recommendation="Fix what each gate names (no flag skips verification), then run delete-pool again; "
                           "'az aks wasi-migrate verify' shows the same gates, --report FILE their evidence.")
    return summary


def _refuse_leftovers(found, name):
    raise PodsLeftOnPool(
        f"{len(found)} pod(s) other than DaemonSet and mirror pods still run on node pool '{name}', and would go "
        f"down with it. Nothing was deleted:\n{record.leftovers_text(found)}",
        recommendation="Drain the pool first (az aks wasi-migrate drain), or pass --drain to drain it as part of "
                       "this command.")


def _drain(api_client, target, request, note):
    from azext_wasimig import drain
    from azext_wasimig.drain.errors import DrainIncomplete, unfinished_pods
    try:
        return drain.drain_pool(api_client, target, request.drain, progress=note)
    except DrainIncomplete as ex:
        left = "\n".join(f"  {pod}: {why}" for pod, why in unfinished_pods(ex.summary))
        raise DrainNotFinished(
            f"The drain of node pool '{target.wasi_pool_name}' did not finish, so it was not deleted:\n{left}",
            recommendation="Fix what each pod needs (see 'az aks wasi-migrate drain --dry-run'), then run "
                           "delete-pool again.") from ex


def run_delete_pool(target, clients, request, *, confirm, note=_ignore, progress=waiting.no_progress):
    """The decommission record (record.decommission_record); a domain error for every refusal. ``clients``: a
    run.Clients; ``confirm(question)`` returns when agreed, raises otherwise; ``note(text)``: lines worth printing
    (verify's checks, the drain's progress); ``progress``: a context-manager factory for the DELETE's wait."""
    started = _now()
    target = pair.prove_for_delete(target, request.old)
    where = home(target, clients, request)
    name, api_client = target.wasi_pool_name, clients.connect()
    found = record.leftovers(cluster.pods_on_pool(api_client, name))
    if found and request.drain is None:
        _refuse_leftovers(found, name)
    if request.dry_run:   # the gates as they are now (no soak: a dry run waits for nothing)
        verification = verified(api_client, target, request, where, soak=False, progress=note)
        return record.decommission_record(target, request, action=WOULD_DELETE, verification=verification,
                                          drained={"wouldDrain": found} if found else None, started=started,
                                          finished=_now())
    confirm(record.question(target, request, found))
    drained = _drain(api_client, target, request, note) if found else None
    verification = verified(api_client, target, request, where, soak=True, progress=note)
    state = pool_delete.delete_pool(clients.agent_pools, target, name, ignore_pdb=request.ignore_pdb,
                                    no_wait=request.no_wait, progress=progress)
    result = record.decommission_record(target, request, action=state, verification=verification, drained=drained,
                                        started=started, finished=_now())
    if state == pool_delete.DELETING:
        result["followWith"] = pool_delete.wait_command(target, name)
    return result
