"""Never fight a controller: a live patch of a workload that Flux or Argo CD reconciles is put back at their next
reconcile (Flux: every interval; Argo CD: within seconds with selfHeal), and the workload returns to the WASI pool.

``check_managed`` refuses, before any change, to patch such a workload: it names the manager, the owning object and
the two ways out, changing the source (``az aks wasi-migrate rewrite``) and letting the controller roll it out, or
suspending the controller first and passing ``--allow-managed``. A controller that still reconciles is refused even
with ``--allow-managed`` (it would revert the patch); one whose state cannot be read (its CRD not served here, RBAC)
is patched only with ``--allow-managed``. Plain Helm is patched with a warning: only the next ``helm upgrade``
reverts it. Weak evidence (``app.kubernetes.io/instance`` alone) is a warning. Used by retarget and the cutover.
"""

from azext_wasimig.evaluate import managers
from azext_wasimig.retarget.errors import ManagedByController
from azext_wasimig.vocabulary import gitops


def _ignore(_message):
    pass


def managed_of(plans, snapshot):
    """``[(key, manager record)]`` of the plans that would patch a managed object (``key``: namespace, kind, name).
    ``snapshot``: the ClusterSnapshot the plans were made from (its ``owners`` read by ``evaluate.read_cluster``)."""
    owners = snapshot.owners or managers.FILES
    found = [(item.key, managers.manager_of(item.obj, owners)) for item in plans if item.changes]
    return [(key, record) for key, record in found if record]


def check_managed(managed, *, old, new, phase, allow_managed=False, dry_run=False, note=_ignore):
    """Refuse (``ManagedByController``) to patch what a controller would revert; ``note`` what is worth a warning.

    ``managed``: ``[((namespace, kind, name), record)]`` (``managed_of``, or the cutover's own list; records are
    ``evaluate.managers`` records). ``old``/``new``/``phase`` go into the rewrite command printed. A dry run notes the
    refusal instead of raising it."""
    refused, warnings = [], []
    for key, record in managed:
        why = _refusal(record, allow_managed)
        if why:
            refused.append((key, record, why))
        else:
            warnings.append(_warning(key, record))
    if not refused or dry_run:
        for line in warnings:   # a refusal stops the run: only what would be patched is worth a warning
            note(line)
    if not refused:
        return
    message, advice = _refusal_message(refused, allow_managed), _advice(refused, old, new, phase)
    if dry_run:
        note(f"{message}\n{advice}")
        return
    raise ManagedByController(message + "\nNothing was changed.", recommendation=advice)


def _refusal(record, allow_managed):
    """Why this workload may not be patched now, or None."""
    if not managers.is_gitops(record):
        return None
    if record["reverts"] is True:
        return "its controller reconciles it and would put the old placement back"
    if record["reverts"] is None and not allow_managed:
        return "whether its controller would put the old placement back cannot be told"
    if record["reverts"] is False and not allow_managed:
        return "its controller is paused, and puts the source's placement back when it resumes"
    return None


def _warning(key, record):
    name = "/".join(key)
    if managers.is_gitops(record):   # allowed: --allow-managed with the controller paused (or unreadable)
        if record["reverts"] is None:
            return (f"{name} is managed by {managers.show(record)}; patched because of --allow-managed: make sure "
                    "its controller is suspended, and change its source before resuming it.")
        return (f"{name} is managed by {managers.show(record)}; patched live because of --allow-managed: change its "
                "source (az aks wasi-migrate rewrite) before you resume the controller, or it reverts the patch.")
    if record["tool"] == gitops.HELM:
        return (f"{name} is managed by Helm{managers.helm_release(record)}: it is patched live, and the next helm "
                "upgrade puts the old placement back unless the chart's values change too (az aks wasi-migrate "
                "rewrite on values.yaml).")
    return (f"{name} may be managed by {managers.show(record)} ({record['confidence']} evidence: "
            f"{'; '.join(record['evidence'])}): if Argo CD syncs it, suspend its automated sync first.")


def _refusal_message(refused, allow_managed):
    lines = "\n".join(f"  {'/'.join(key)}: managed by {managers.show(record)}: {why}" for key, record, why in refused)
    head = (f"{len(refused)} workload(s) are managed by a GitOps controller; retarget patches the live objects only, "
            "and the controller would put the old placement back:")
    tail = ("\n--allow-managed does not override a controller that still reconciles: suspend it first."
            if allow_managed else "")
    return f"{head}\n{lines}{tail}"


def suspend_commands(record):
    """The exact commands that stop ``record``'s controller from reverting a live change (and how to undo that)."""
    owner = record.get("owner") or {}
    name, namespace = owner.get("name"), owner.get("namespace")
    if not name:
        return [f"(no label names the {gitops.TOOL_NAMES[record['tool']]} object that owns it: find it and suspend "
                "it)"]
    where = f" -n {namespace}" if namespace else ""
    if owner.get("kind") == gitops.KUSTOMIZATION:
        return [f"flux suspend kustomization {name}{where}"]
    if owner.get("kind") == gitops.HELMRELEASE:
        return [f"flux suspend helmrelease {name}{where}"]
    app = f"{namespace}/{name}" if namespace else name
    return [f"kubectl patch application {name}{where} --type merge -p "
            "'{\"spec\":{\"syncPolicy\":{\"automated\":null}}}'",
            f"argocd app set {app} --sync-policy none"]


def resume_commands(record):
    """The commands that let ``record``'s controller reconcile again (after its source is changed)."""
    owner = record.get("owner") or {}
    name, namespace = owner.get("name"), owner.get("namespace")
    if not name:
        return []
    where = f" -n {namespace}" if namespace else ""
    if owner.get("kind") in (gitops.KUSTOMIZATION, gitops.HELMRELEASE):
        return [f"flux resume {owner['kind'].lower()} {name}{where}"]
    return [f"argocd app set {namespace + '/' if namespace else ''}{name} --sync-policy automated"]


def _advice(refused, old, new, phase):
    commands = []
    for _, record, _ in refused:
        commands += [c for c in suspend_commands(record) if c not in commands]
    rewrite = (f"az aks wasi-migrate rewrite --manifests PATH --nodepool-name {old} --new-nodepool-name {new} "
               f"--phase {phase} --in-place")
    return ("Change the source instead and let the controller roll it out: " + rewrite + " (PATH: the manifests or "
            "Helm values in the repository the controller reads), then commit and push. Or suspend the controller "
            "first, then run this command again with --allow-managed:\n  " + "\n  ".join(commands))
