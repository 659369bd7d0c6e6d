"""The decommission's public entry (issue 9): plain inputs and clients in, plain dicts out, domain errors raised.

    from azext_wasimig.decommission import run
    clients = run.Clients(connect=lambda: api_client, agent_pools=agent_pools_client, container_groups=groups_client)
    request = run.DeletePoolRequest(old="wasi", home=run.Home(new="wasi2"),
                                    gates=run.Gates(soak_minutes=60))
    record = run.delete_pool(target, clients, request, confirm=ask)

- ``target``: the ``MigrationTarget`` from ``arm.resolve_target`` (the new pool named, must exist); the old pool is
  proven here (``decommission.pair``), also when the target already holds it;
- ``clients``: ``connect()`` returns the cluster's kubernetes ApiClient (called once, after what ARM must prove:
  a refusal costs no credentials), the AgentPools and (for ``--aci``) ContainerGroups SDK clients;
- ``confirm(question)``: returns when the user agreed (``--yes``), raises otherwise;
- ``note(text)``: lines worth printing (``info(text)``: for a verbose log); ``progress``: a context-manager
  factory yielding ``report(message)`` for the waits on Azure (``waiting.no_progress`` by default).
"""

from dataclasses import dataclass
from typing import Any, Callable

from azext_wasimig import waiting
from azext_wasimig.decommission.delete_pool import DeletePoolRequest, Gates, Home, run_delete_pool
from azext_wasimig.decommission.rollback import RollbackRequest, run_rollback

__all__ = ["Clients", "DeletePoolRequest", "Gates", "Home", "RollbackRequest", "delete_pool", "rollback"]


@dataclass(frozen=True)
class Clients:
    connect: Callable[[], Any]
    agent_pools: Any
    container_groups: Any = None


def _ignore(_message):
    pass


def delete_pool(target, clients, request, *, confirm, note=_ignore, progress=waiting.no_progress):
    """Delete the old pool of ``request`` once verified (decommission/delete_pool.py); returns the decommission
    record ``{"action": deleted | deleting | wouldDelete, "subscriptionId", "resourceGroup", "clusterName",
    "nodepool": {...}, "replacement": {...}, "ignorePodDisruptionBudget", "drain", "verification", "startedAt",
    "finishedAt"[, "followWith"]}``."""
    return run_delete_pool(target, clients, request, confirm=confirm, note=note, progress=progress)


def rollback(target, clients, request, *, confirm, note=_ignore, info=_ignore, progress=waiting.no_progress):
    """Go back to the old pool of ``request`` (decommission/rollback.py): uncordon it, restore the saved placement,
    wait until the workloads are available there, then (when asked) delete the new pool and the move's container
    groups. ``target``: from ``arm.resolve_target`` with the new pool named (it may be gone). Returns
    ``{"resourceGroup", "clusterName", "nodepool", "newNodepool", "dryRun", "steps": [{"step", "action", ...}]}``;
    ``OldPoolGone`` (exit code 3) when the old pool was deleted, saying what can still be done."""
    return run_rollback(target, clients, request, confirm=confirm, note=note, info=info, progress=progress)
