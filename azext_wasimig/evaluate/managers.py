"""Who manages a workload (Helm, Flux, Argo CD), how that is known, and whether its controller would put a live
change back (pure: an object's labels, annotations and field managers, and the owning objects read, in; one
manager record out).

The record (the ``managedBy`` of a scan finding; None when nothing says the object is managed)::

    {"tool": "helm" | "flux" | "argocd",
     "owner": {"kind": "Kustomization" | "HelmRelease" | "Application" | "Release", "namespace", "name"} | None,
     "evidence": ["label kustomize.toolkit.fluxcd.io/name=apps", "managedFields manager kustomize-controller", ...],
     "confidence": "strong" | "weak",
     "reverts": True | False | None,
     "state": "..."}

``reverts``: True when the controller will put the old placement back (a Flux Kustomization or HelmRelease that is
not suspended, an Argo CD Application with automated sync); False when it will not for now (suspended, no
automated sync, the object's own Flux reconcile switch off, or plain Helm: only the next ``helm upgrade`` does,
which ``state`` says); None when it cannot be told (the owning object could not be read, was not found, or is not
named). ``confidence`` is weak when the only sign is ``app.kubernetes.io/instance``, which Argo CD tracks by default
and Helm charts set to the release name; an Application of that name, when readable, makes it strong.
"""

from dataclasses import dataclass, field

from azext_wasimig.vocabulary import gitops as g


@dataclass
class Owners:
    """The owning objects read from the cluster: ``objects[kind][(namespace, name)]`` (kind: Kustomization,
    HelmRelease, Application), and ``unreadable[kind]``: why a kind could not be read ("CRD not served",
    "forbidden: ..."). A kind in neither was not needed (no object names one)."""
    objects: dict = field(default_factory=dict)
    unreadable: dict = field(default_factory=dict)

    def find(self, kind, namespace, name):
        """(object or None, why not readable or None). ``namespace`` None: any namespace, if the name is unique."""
        if kind in self.unreadable:
            return None, self.unreadable[kind]
        if kind not in self.objects:
            return None, "not read"
        found = self.objects[kind]
        if namespace is not None:
            return found.get((namespace, name)), None
        matches = [obj for (_, other), obj in sorted(found.items()) if other == name]
        return (matches[0] if len(matches) == 1 else None), None


FILES = Owners(unreadable={kind: "scanning files, nothing is read from a cluster" for kind in g.OWNER_RESOURCES})


def _labels(obj):
    return (obj.get("metadata") or {}).get("labels") or {}


def _annotations(obj):
    return (obj.get("metadata") or {}).get("annotations") or {}


def field_managers(obj):
    """The tools among the object's ``metadata.managedFields`` managers: {manager: tool}, in the order written."""
    found = {}
    for entry in (obj.get("metadata") or {}).get("managedFields") or []:
        manager = (entry or {}).get("manager")
        if manager in g.FIELD_MANAGERS:
            found.setdefault(manager, g.FIELD_MANAGERS[manager])
    return found


def owner_kinds_named(objects):
    """The owner kinds (Kustomization, HelmRelease, Application) any of ``objects`` points at: what to read."""
    kinds = set()
    for obj in objects:
        labels, annotations = _labels(obj), _annotations(obj)
        if labels.get(g.KUSTOMIZATION_NAME):
            kinds.add(g.KUSTOMIZATION)
        if labels.get(g.HELMRELEASE_NAME):
            kinds.add(g.HELMRELEASE)
        if labels.get(g.ARGOCD_INSTANCE_LABEL) or annotations.get(g.ARGOCD_TRACKING_ID) or (
                labels.get(g.INSTANCE_LABEL) and not annotations.get(g.HELM_RELEASE_NAME)):
            kinds.add(g.APPLICATION)   # the instance label beside a Helm release annotation is Helm's (see _rank)
    return kinds


def _owner(kind, namespace, name):
    return {"kind": kind, "namespace": namespace, "name": name}


def parse_tracking_id(value):
    """``argocd.argoproj.io/tracking-id`` = ``APP:GROUP/KIND:NAMESPACE/NAME``; APP is ``NAMESPACE_NAME`` for an
    Application outside Argo CD's own namespace. Returns (application namespace or None, application name) or None."""
    app = str(value or "").split(":", 1)[0]
    if not app:
        return None
    namespace, _, name = app.rpartition("_")   # '_' is never in a Kubernetes name
    return (namespace or None), name


def _evidence(obj):
    """What the object says, as (tool, owner or None, evidence line, strong) tuples, strongest first."""
    labels, annotations, namespace = _labels(obj), _annotations(obj), (obj.get("metadata") or {}).get("namespace")
    found = []
    for name_key, namespace_key, kind in ((g.HELMRELEASE_NAME, g.HELMRELEASE_NAMESPACE, g.HELMRELEASE),
                                          (g.KUSTOMIZATION_NAME, g.KUSTOMIZATION_NAMESPACE, g.KUSTOMIZATION)):
        if labels.get(name_key):
            owner = _owner(kind, labels.get(namespace_key) or namespace, labels[name_key])
            found.append((g.FLUX, owner, f"label {name_key}={labels[name_key]}", True))
    tracked = parse_tracking_id(annotations.get(g.ARGOCD_TRACKING_ID))
    if tracked:
        found.append((g.ARGOCD, _owner(g.APPLICATION, tracked[0], tracked[1]),
                      f"annotation {g.ARGOCD_TRACKING_ID}={annotations[g.ARGOCD_TRACKING_ID]}", True))
    if labels.get(g.ARGOCD_INSTANCE_LABEL):
        app = parse_tracking_id(labels[g.ARGOCD_INSTANCE_LABEL])
        found.append((g.ARGOCD, _owner(g.APPLICATION, app[0], app[1]),
                      f"label {g.ARGOCD_INSTANCE_LABEL}={labels[g.ARGOCD_INSTANCE_LABEL]}", True))
    found += _helm_evidence(labels, annotations, namespace)
    if labels.get(g.INSTANCE_LABEL):
        value = labels[g.INSTANCE_LABEL]
        found.append((g.ARGOCD, _owner(g.APPLICATION, None, value), f"label {g.INSTANCE_LABEL}={value} (weak: Argo "
                      "CD's default tracking label, but Helm charts set it to the release name too)", False))
    found += [(tool, None, f"managedFields manager {manager}", True) for manager, tool in field_managers(obj).items()]
    return found


def _helm_evidence(labels, annotations, namespace):
    found = []
    release = annotations.get(g.HELM_RELEASE_NAME)
    owner = _owner(g.HELM_RELEASE, annotations.get(g.HELM_RELEASE_NAMESPACE) or namespace, release) if release \
        else None
    if labels.get(g.MANAGED_BY_LABEL) == g.HELM_MANAGED_BY:
        found.append((g.HELM, owner, f"label {g.MANAGED_BY_LABEL}={g.HELM_MANAGED_BY}", True))
    if release:
        found.append((g.HELM, owner, f"annotation {g.HELM_RELEASE_NAME}={release}", True))
    return found


def _rank(item):
    """Which sign to believe first: a GitOps controller that names its owner (helm-controller and Argo CD render
    charts, which carry Helm's labels too), then a Helm release annotation (only ``helm install``/``upgrade`` write
    it, Argo CD's ``helm template`` does not), then the weak instance label (if an Application of that name exists),
    then a GitOps field manager alone, then Helm's label or field manager alone."""
    tool, owner, line, strong = item
    if not strong:
        return 2
    if tool != g.HELM:
        return 0 if owner else 3
    return 1 if line.startswith(f"annotation {g.HELM_RELEASE_NAME}") else 4


def manager_of(obj, owners=FILES):
    """The manager record of ``obj`` (see the module docstring), or None when nothing says it is managed.
    ``owners``: the ``Owners`` read from the cluster (``FILES`` for manifests: nothing readable)."""
    found = sorted(_evidence(obj), key=_rank)
    evidence, unconfirmed = [line for _, _, line, _ in found], None
    for tool, owner, _, strong in found:
        record = _judged({"tool": tool, "owner": owner, "evidence": evidence,
                          "confidence": "strong" if strong else "weak", "reverts": None, "state": ""}, obj, owners)
        if record is None:
            continue          # the instance label, and no Application of that name: not Argo CD's
        if record["confidence"] == "weak":
            unconfirmed = unconfirmed or record   # neither confirmed nor refuted: only if nothing else is known
            continue
        return record
    return unconfirmed


def _judged(record, obj, owners):
    tool, owner = record["tool"], record["owner"]
    if tool == g.HELM:
        return _helm_state(record, owner)
    if owner is None:
        return {**record, "state": f"written by {g.TOOL_NAMES[tool]}'s field manager; no label or annotation names "
                                   "the object that owns it, so whether it reverts a change cannot be told"}
    if tool == g.FLUX and _annotations(obj).get(g.FLUX_RECONCILE) == g.FLUX_RECONCILE_DISABLED:
        return {**record, "reverts": False,
                "state": f"annotation {g.FLUX_RECONCILE}={g.FLUX_RECONCILE_DISABLED}: Flux leaves this object alone"}
    return _owned(record, owners)


def _owned(record, owners):
    """The record judged by its owning object, as read (None: weak evidence that the owners refute)."""
    tool, owner = record["tool"], record["owner"]
    live, unreadable = owners.find(owner["kind"], owner["namespace"], owner["name"])
    if unreadable:
        return {**record, "state": f"{_show(owner)} not readable: {unreadable}"}
    if live is None:
        if record["confidence"] == "weak":
            return None   # no Application of that name: the instance label is someone else's
        return {**record, "state": f"{_show(owner)} not found in the cluster"}
    owner = _owner(owner["kind"], (live.get("metadata") or {}).get("namespace"), owner["name"])
    evidence = record["evidence"] + ([f"{owner['kind']} {owner['namespace']}/{owner['name']} exists"]
                                     if record["confidence"] == "weak" else [])
    reverts, state = (_flux_state if tool == g.FLUX else _argocd_state)(live)
    return {**record, "owner": owner, "evidence": evidence, "confidence": "strong", "reverts": reverts,
            "state": state}


def _helm_state(record, owner):
    release = f"Helm release {owner['namespace']}/{owner['name']}" if owner else "its Helm release"
    return {**record, "reverts": False,
            "state": f"no GitOps controller named: the next helm upgrade of {release} reverts a live change unless "
                     "the chart's values carry it"}


def _flux_state(live):
    spec = live.get("spec") or {}
    if spec.get("suspend"):
        return False, "suspended (spec.suspend: true)"
    every = f" every {spec['interval']}" if spec.get("interval") else ""
    drift = ((spec.get("driftDetection") or {}).get("mode")) if live.get("kind") == g.HELMRELEASE else None
    how = " (drift detection enabled: at once)" if drift == "enabled" else ""
    return True, f"not suspended: reconciles{every}{how} and puts the source's placement back"


def _argocd_state(live):
    automated = ((live.get("spec") or {}).get("syncPolicy") or {}).get("automated")
    if automated is None or automated.get("enabled") is False:
        return False, "no automated sync (spec.syncPolicy.automated off): only a manual sync reverts a change"
    if automated.get("selfHeal"):
        return True, "automated sync with selfHeal: reverts a live change within seconds"
    return True, "automated sync (no selfHeal): the next sync reverts a live change"


def _show(owner):
    where = f"{owner['namespace']}/" if owner.get("namespace") else ""
    return f"{owner['kind']} {where}{owner['name']}"


def show(record):
    """One line for a person: ``Flux Kustomization flux-system/apps (suspended ...)``."""
    if not record:
        return ""
    who = g.TOOL_NAMES[record["tool"]] + (f" {_show(record['owner'])}" if record.get("owner") else "")
    return f"{who}: {record['state']}" if record.get("state") else who


def helm_release(record):
    """`` (release NAMESPACE/NAME)`` of a Helm record whose release is known, else ''."""
    owner = record.get("owner")
    return f" (release {owner['namespace']}/{owner['name']})" if owner else ""


def source_step(record):
    """The step a finding's "what to do" gains for a managed workload (None for weak evidence): change the source
    too, or the manager puts the old placement back."""
    if not record or record["confidence"] != "strong":
        return None
    if record["tool"] == g.HELM:
        return (f"It is installed by Helm{helm_release(record)}: change the chart's values too (az aks wasi-migrate "
                "rewrite on values.yaml), or the next helm upgrade puts the old placement back.")
    return (f"Change the placement in its source, not live: it is managed by {show(record)}. Run az aks wasi-migrate "
            "rewrite on the manifests or Helm values the controller reads, commit, and let it roll out (retarget "
            "refuses to patch it while the controller reconciles).")


def short(record):
    """A table cell: ``flux Kustomization/apps: reverts`` (or ``: no revert``, ``: unknown``); '' when unmanaged."""
    if not record:
        return ""
    owner = record.get("owner")
    who = record["tool"] + (f" {owner['kind']}/{owner['name']}" if owner else "")
    return f"{who}: {REVERTS_WORDS[record.get('reverts')]}"


REVERTS_WORDS = {True: "reverts", False: "no revert", None: "unknown"}


def is_gitops(record):
    """Managed by a controller that reconciles (Flux, Argo CD), on strong evidence."""
    return bool(record) and record["tool"] in (g.FLUX, g.ARGOCD) and record["confidence"] == "strong"
