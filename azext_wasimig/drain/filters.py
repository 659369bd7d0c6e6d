"""Drain plan: which pods on a pool's nodes to evict, which to leave alone, which refuse the drain, and why.

Pure: plain REST-shaped pod dicts in, a DrainPlan out; no SDK, no network. Modelled on kubectl's drain
(k8s.io/kubectl/pkg/drain, filters.go): every pod goes through a list of small filters, each deciding for one reason
only. A filter answers None (no objection) or a Verdict:
  SKIP   leave the pod where it is (DaemonSet, mirror, finished)   - ends the filtering, like kubectl's "Skip";
  WAIT   do not evict, but wait until it is gone (already terminating, e.g. a drain interrupted earlier);
  REFUSE the drain must not evict it without a flag (bare pod, or a replacement no node outside the pool would
         take: --force; emptyDir: --delete-emptydir-data);
  EVICT  evict, with a warning worth printing (e.g. "emptyDir data will be lost").
Unlike kubectl, refusals are collected from every filter, so one run names every flag a pod needs.
The Evictor (drain/evict.py) carries the plan out.
"""

from dataclasses import dataclass, field

from azext_wasimig.vocabulary.kubernetes import controller_of, is_finished, is_mirror_pod, phase_of

EVICT, WAIT, SKIP, REFUSE = "evict", "wait", "skip", "refuse"


@dataclass(frozen=True)
class Verdict:
    action: str
    reason: str


@dataclass
class PodDecision:
    pod: dict
    action: str
    reasons: list = field(default_factory=list)

    @property
    def key(self):
        return pod_key(self.pod)

    @property
    def node(self):
        return (self.pod.get("spec") or {}).get("nodeName")

    @property
    def uid(self):
        return (self.pod.get("metadata") or {}).get("uid")


@dataclass
class DrainPlan:
    nodes: list
    decisions: list

    def with_action(self, action):
        return [d for d in self.decisions if d.action == action]

    @property
    def to_evict(self):
        return self.with_action(EVICT)

    @property
    def to_wait(self):
        return self.with_action(WAIT)

    @property
    def skipped(self):
        return self.with_action(SKIP)

    @property
    def refused(self):
        return self.with_action(REFUSE)


def pod_key(pod):
    meta = pod.get("metadata") or {}
    return f"{meta.get('namespace')}/{meta.get('name')}"


# --- filters: one reason each, in kubectl's order -------------------------------------------------------------

def terminating_filter(pod, _options):
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        return Verdict(WAIT, "already terminating: not evicted again, waited for until gone")
    return None


def finished_filter(pod, _options):
    if is_finished(pod):
        return Verdict(SKIP, f"finished ({phase_of(pod)}): nothing running to move")
    return None


def mirror_filter(pod, _options):
    if is_mirror_pod(pod):
        return Verdict(SKIP, "mirror pod of a static pod: the node's kubelet owns it")
    return None


def daemonset_filter(pod, _options):
    # AKS drains ignore DaemonSets too: the DaemonSet controller keeps one such pod on every node, eviction is futile.
    if (controller_of(pod) or {}).get("kind") == "DaemonSet":
        return Verdict(SKIP, "DaemonSet-managed: the DaemonSet runs one on every node")
    return None


def local_storage_filter(pod, options):
    if not any("emptyDir" in (v or {}) for v in (pod.get("spec") or {}).get("volumes") or []):
        return None
    if options.delete_emptydir_data:
        return Verdict(EVICT, "its emptyDir data will be deleted")
    return Verdict(REFUSE, "uses emptyDir: its local data would be lost (use --delete-emptydir-data)")


def unreplicated_filter(pod, options):
    if controller_of(pod):
        return None
    if options.force:
        return Verdict(EVICT, "not managed by a controller: it will not be recreated")
    return Verdict(REFUSE, "not managed by a controller: nothing would recreate it (use --force)")


def landing_filter(nowhere):
    """A filter (built per drain) refusing a pod whose replacement no node outside the pool would take:
    ``nowhere(pod)`` says why (placement.nowhere_to_land) or None. A pod no controller manages gets no
    replacement: unreplicated_filter speaks for it."""
    def stranded_filter(pod, options):
        why = nowhere(pod) if controller_of(pod) else None
        if why is None:
            return None
        if options.force:
            return Verdict(EVICT, f"its replacement will stay Pending (outside the pool, {why}): evicted anyway "
                                  "(--force)")
        return Verdict(REFUSE, f"its replacement would stay Pending (outside the pool, {why}): retarget it first, "
                               "or use --force")
    return stranded_filter


FILTERS = (terminating_filter, finished_filter, mirror_filter, daemonset_filter, local_storage_filter,
           unreplicated_filter)


def decide(pod, options, filters=FILTERS):
    """One pod's decision: the first SKIP/WAIT wins; otherwise every refusal, else evict with any warnings."""
    warnings, refusals = [], []
    for pod_filter in filters:
        verdict = pod_filter(pod, options)
        if verdict is None:
            continue
        if verdict.action in (SKIP, WAIT):
            return PodDecision(pod, verdict.action, [verdict.reason])
        (refusals if verdict.action == REFUSE else warnings).append(verdict.reason)
    if refusals:
        return PodDecision(pod, REFUSE, refusals)
    return PodDecision(pod, EVICT, warnings)


def plan(pods, options, nodes=None, filters=FILTERS):
    """A DrainPlan for ``pods`` (the pods bound to the pool's nodes), ordered by node, namespace and name."""
    decisions = sorted((decide(pod, options, filters) for pod in pods), key=lambda d: (d.node or "", d.key))
    node_names = list(nodes) if nodes is not None else sorted({d.node for d in decisions if d.node})
    return DrainPlan(nodes=node_names, decisions=decisions)


# --- PodDisruptionBudgets: which ones cover a pod ---------------------------------------------------------------

def pdbs_covering(pod, pdbs, empty_matches_all=False):
    """The PDBs (dicts) of the pod's namespace whose selector matches the pod's labels.

    A null selector matches nothing; an empty one matches every pod only in policy/v1 (``empty_matches_all``):
    in policy/v1beta1 it matched none.
    """
    from azext_wasimig.evaluate.scan import selector_matches   # label-selector semantics live with the scan core
    meta = pod.get("metadata") or {}
    return [pdb for pdb in pdbs
            if (pdb.get("metadata") or {}).get("namespace") == meta.get("namespace")
            and selector_matches((pdb.get("spec") or {}).get("selector"), meta.get("labels") or {},
                                 empty_matches_all)]


def disruptions_allowed(pdb):
    return int((pdb.get("status") or {}).get("disruptionsAllowed") or 0)
