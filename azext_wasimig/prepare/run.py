"""The prepare phase's entry: `create-pool` and `create-aci` as run functions on plain inputs and SDK clients.

Each takes the ``MigrationTarget`` ARM proved (``arm.resolve_target``), the clients it needs and the checked
inputs; it returns the result document the command prints (None with ``no_wait``) and raises the domain's errors.
``note(message)`` tells the user something (the CLI passes a warning); ``progress`` shows long waits (a
context-manager factory yielding ``report(message)``, see ``waiting.no_progress``).
"""

from azext_wasimig import waiting
from azext_wasimig.errors import MigrationError
from azext_wasimig.prepare import aci, aci_create, pool_create, pool_spec


class PoolEndedUnfinished(MigrationError):
    """The pool an earlier run started settled, but not as Succeeded."""
    kind = "service"


def _silent(_message):
    pass


def create_pool(agent_pools, target, overrides=None, *, new_name=None, spin_shim=False, dry_run=False,
                no_wait=False, note=_silent, progress=waiting.no_progress):
    """Create the replacement of ``target``'s WASI pool (``overrides``: a ``pool_spec.PoolOverrides``), or find
    the one an earlier run made: unchanged when AKS finished it, waited for while AKS is still at it, sent again
    when it Failed. ``new_name`` None: derived (or the earlier run's)."""
    old = target.wasi_pool
    source = pool_spec.source_pool_id(old, target.cluster)
    name = new_name or pool_spec.derive_pool_name(old["name"], target.pools, source)
    existing = target.pool(name)
    action = pool_spec.existing_action(existing, source, name)
    if action == pool_spec.UNCHANGED:
        note(f"Node pool '{name}' already exists and was made from '{old['name']}': nothing to do.")
        return pool_result("unchanged", name, source, existing, [])
    if action == pool_spec.WAIT:
        return _wait_for_earlier_run(agent_pools, target, name, source, existing, dry_run=dry_run, no_wait=no_wait,
                                     note=note, progress=progress)
    body, notes = pool_spec.replacement(old, target.cluster, overrides, spin_shim)
    if action == pool_spec.RESEND:
        notes.insert(0, f"Node pool '{name}' (made from '{old['name']}') is in provisioning state {_state(existing)}: "
                        "its PUT is sent again (AKS retries the operation).")
    for line in notes:
        note(line)
    if dry_run:
        return pool_result("wouldCreate", name, source, body, notes)
    created = pool_create.create_pool(agent_pools, target, name, body,
                                      existing=existing if action == pool_spec.RESEND else None, no_wait=no_wait,
                                      note=note, progress=progress)
    return None if no_wait else pool_result("created", name, source, created, notes)


def _wait_for_earlier_run(agent_pools, target, name, source, existing, *, dry_run, no_wait, note, progress):
    """The pool an earlier run started is still being made: wait for it (never call it unchanged while in flight);
    with --dry-run or --no-wait, only say so."""
    said = f"Node pool '{name}' is still being created or changed by AKS (provisioning state {_state(existing)})."
    note(said)
    if dry_run or no_wait:
        note(f"Wait for it with: {pool_create.resume_command(target, name)}")
        return pool_result("wouldWait", name, source, existing, [said]) if dry_run else None
    pool = pool_create.wait_until_settled(agent_pools, target, name, progress=progress)
    if pool_spec.existing_action(pool, source, name) != pool_spec.UNCHANGED:
        raise PoolEndedUnfinished(f"Node pool '{name}' ended in provisioning state {_state(pool)}.",
                                  recommendation="Run this command again as is: it sends the pool again.")
    return pool_result("created", name, source, pool, ["It was being created by an earlier run: waited for it."])


def _state(pool):
    from azext_wasimig.evaluate import inventory
    return inventory.provisioning_state(pool) or "unknown"


def pool_result(action, name, source, pool, notes):
    """What create-pool prints: stable keys for runbooks (action: created | unchanged | wouldCreate | wouldWait)."""
    return {"action": action, "nodepoolName": name, "sourceNodepoolId": source, "notes": notes, "agentPool": pool}


def create_aci(container_groups, api, target, workloads, options, *, dry_run=False, no_wait=False, note=_silent,
               detail=_silent, progress=waiting.no_progress):
    """Move the ``workloads`` (``(namespace, Kind, name)`` references) of ``target``'s WASI pool to container groups
    as ``options`` (``aci.Options``) say; one result per workload (``aci.result``), None with ``no_wait``.

    The cluster (``api``, a kubernetes ApiClient) is read once, as scan reads it, with the ConfigMaps, Secrets and
    Services the groups' bodies are built from. ``aci.WorkloadsFailed`` when any workload could not be moved (the
    others are done); ``detail(message)`` gets what only --verbose shows."""
    from azext_wasimig import evaluate
    from azext_wasimig.evaluate import scan
    from azext_wasimig.kube import sources
    namespaces = {namespace for namespace, _, _ in workloads}
    taken = evaluate.read_cluster(api, next(iter(namespaces)) if len(namespaces) == 1 else None, detail=detail)
    findings = scan.assess(taken, target.wasi_pool_names, only_pool=target.wasi_pool_name)
    resolved = aci.resolve(workloads, taken, findings, target.wasi_pool_name)
    results = aci_create.create_all(container_groups, resolved, sources.read(api, namespaces),
                                    options.for_cluster(target.cluster), dry_run=dry_run, no_wait=no_wait, note=note,
                                    progress=progress)
    error = aci.failures_error(results)
    if error:
        raise error
    return None if no_wait else results
