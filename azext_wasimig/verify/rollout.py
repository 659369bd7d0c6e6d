"""Is a workload's rollout done? kubectl's ``rollout status`` rules, on the API server's own JSON (pure).

The status viewers of kubectl (k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go), read as they are:

- Deployment: nothing is known until the controller has seen the spec (``status.observedGeneration >=
  metadata.generation``); a ``Progressing`` condition with reason ``ProgressDeadlineExceeded`` is a FAILURE (kubectl
  exits with an error); otherwise done when ``updatedReplicas >= spec.replicas``, no old replica is left
  (``status.replicas <= updatedReplicas``) and every updated one is available (``availableReplicas >=
  updatedReplicas``).
- StatefulSet: observed (an ``observedGeneration`` of 0 has not been), ``readyReplicas >= spec.replicas``; with a
  RollingUpdate partition, ``updatedReplicas >= replicas - partition``; else ``updateRevision == currentRevision``.
  kubectl refuses OnDelete ("does not have a Status"): a rollout there only happens when pods are deleted, so here
  it is done once observed with every replica ready, and the message says that nothing rolls it forward.
- DaemonSet: observed, ``updatedNumberScheduled >= desiredNumberScheduled`` and ``numberAvailable >=
  desiredNumberScheduled`` (kubectl refuses OnDelete; treated as for StatefulSets: all desired pods available).

Beyond kubectl (which has no viewer for them): a Job is done when its ``Complete`` condition is True and failed when
its ``Failed`` condition is; a CronJob's last run is the newest Job it owns that finished (a run still going is
not judged; no finished run yet is done, "no run finished yet"); a bare ReplicaSet is done when observed and
``availableReplicas >= spec.replicas``; a bare Pod when its ``Ready`` condition is True (or it Succeeded).
"""

from dataclasses import dataclass

TIMED_OUT_REASON = "ProgressDeadlineExceeded"


@dataclass(frozen=True)
class RolloutStatus:
    done: bool
    failed: bool
    message: str


def _in_progress(message):
    return RolloutStatus(False, False, message)


def _done(message):
    return RolloutStatus(True, False, message)


def _failed(message):
    return RolloutStatus(False, True, message)


def _int(value):
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _replicas(obj):
    """``spec.replicas``; the API server defaults an absent one to 1."""
    replicas = (obj.get("spec") or {}).get("replicas")
    return 1 if replicas is None else _int(replicas)


def _observed(obj):
    generation = _int((obj.get("metadata") or {}).get("generation"))
    return generation <= _int((obj.get("status") or {}).get("observedGeneration"))


def _condition(obj, kind):
    return next((c for c in (obj.get("status") or {}).get("conditions") or [] if c.get("type") == kind), None)


def deployment_status(deployment):
    counts = deployment.get("status") or {}
    if not _observed(deployment):
        return _in_progress("waiting for the deployment spec update to be observed")
    progressing = _condition(deployment, "Progressing") or {}
    if progressing.get("reason") == TIMED_OUT_REASON:
        return _failed(f"exceeded its progress deadline ({progressing.get('message') or TIMED_OUT_REASON})")
    replicas, updated = _replicas(deployment), _int(counts.get("updatedReplicas"))
    if updated < replicas:
        return _in_progress(f"{updated} out of {replicas} new replicas have been updated")
    old = _int(counts.get("replicas")) - updated
    if old > 0:
        return _in_progress(f"{old} old replicas are pending termination")
    available = _int(counts.get("availableReplicas"))
    if available < updated:
        return _in_progress(f"{available} of {updated} updated replicas are available")
    return _done("successfully rolled out")


def statefulset_status(statefulset):
    counts = statefulset.get("status") or {}
    strategy = (statefulset.get("spec") or {}).get("updateStrategy") or {}
    if not _int(counts.get("observedGeneration")) or not _observed(statefulset):
        return _in_progress("waiting for the statefulset spec update to be observed")
    replicas, ready = _replicas(statefulset), _int(counts.get("readyReplicas"))
    if ready < replicas:
        return _in_progress(f"waiting for {replicas - ready} pods to be ready")
    if strategy.get("type") == "OnDelete":
        return _done(f"{ready} pods ready (OnDelete: pods only change when they are deleted)")
    rolling = strategy.get("rollingUpdate")
    if rolling is not None and strategy.get("type", "RollingUpdate") == "RollingUpdate":
        return _partitioned(replicas - _int(rolling.get("partition")), _int(counts.get("updatedReplicas")))
    if counts.get("updateRevision") != counts.get("currentRevision"):
        return _in_progress(f"rolling update: {_int(counts.get('updatedReplicas'))} pods at revision "
                            f"{counts.get('updateRevision')}")
    return _done(f"rolling update complete: {_int(counts.get('currentReplicas'))} pods at revision "
                 f"{counts.get('currentRevision')}")


def _partitioned(wanted, updated):
    if updated < wanted:
        return _in_progress(f"partitioned roll out: {updated} out of {wanted} new pods have been updated")
    return _done(f"partitioned roll out complete: {updated} new pods have been updated")


def daemonset_status(daemonset):
    counts = daemonset.get("status") or {}
    if not _observed(daemonset):
        return _in_progress("waiting for the daemon set spec update to be observed")
    desired = _int(counts.get("desiredNumberScheduled"))
    strategy = ((daemonset.get("spec") or {}).get("updateStrategy") or {}).get("type", "RollingUpdate")
    updated = _int(counts.get("updatedNumberScheduled"))
    if strategy == "RollingUpdate" and updated < desired:
        return _in_progress(f"{updated} out of {desired} new pods have been updated")
    available = _int(counts.get("numberAvailable"))
    if available < desired:
        return _in_progress(f"{available} of {desired} updated pods are available")
    return _done("successfully rolled out")


def job_status(job):
    if (_condition(job, "Failed") or {}).get("status") == "True":
        failed = _condition(job, "Failed")
        return _failed(f"failed ({failed.get('reason') or 'Failed'}: {failed.get('message') or 'no message'})")
    if (_condition(job, "Complete") or {}).get("status") == "True":
        return _done("completed")
    return _in_progress(f"running: {_int((job.get('status') or {}).get('succeeded'))} succeeded, "
                        f"{_int((job.get('status') or {}).get('active'))} active")


def cronjob_status(jobs):
    """A CronJob's, from ``jobs``: the Jobs it owns (any order). The newest finished one is its last run."""
    finished = [j for j in jobs if job_status(j).done or job_status(j).failed]
    if not finished:
        return _done("no run finished yet")
    last = max(finished, key=lambda j: ((j.get("metadata") or {}).get("creationTimestamp") or "",
                                        (j.get("metadata") or {}).get("name") or ""))
    outcome = job_status(last)
    name = (last.get("metadata") or {}).get("name")
    return RolloutStatus(outcome.done, outcome.failed, f"last run {name} {outcome.message}")


def replicaset_status(replicaset):
    if not _observed(replicaset):
        return _in_progress("waiting for the replica set spec update to be observed")
    replicas, available = _replicas(replicaset), _int((replicaset.get("status") or {}).get("availableReplicas"))
    if available < replicas:
        return _in_progress(f"{available} of {replicas} replicas are available")
    return _done(f"{available} replicas available")


def pod_status(pod):
    phase = (pod.get("status") or {}).get("phase")
    if phase == "Succeeded":
        return _done("succeeded")
    if phase == "Failed":
        return _failed(f"failed ({(pod.get('status') or {}).get('reason') or 'Failed'})")
    if (_condition(pod, "Ready") or {}).get("status") == "True":
        return _done("ready")
    return _in_progress(f"not ready (phase {phase or 'unknown'})")


_VIEWERS = {"Deployment": deployment_status, "StatefulSet": statefulset_status, "DaemonSet": daemonset_status,
            "Job": job_status, "ReplicaSet": replicaset_status, "Pod": pod_status}


def status(obj, owned_jobs=()):
    """The RolloutStatus of any workload kind the tool moves; ``owned_jobs`` only matters for a CronJob."""
    kind = obj.get("kind")
    if kind == "CronJob":
        return cronjob_status(owned_jobs)
    viewer = _VIEWERS.get(kind)
    if viewer is None:
        return _done(f"no rollout rules for kind {kind}")
    return viewer(obj)
