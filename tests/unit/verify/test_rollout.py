"""kubectl's rollout-status rules (verify/rollout.py) on status shapes as the API server writes them."""

import pytest

from azext_wasimig.verify import rollout


def deployment(generation=2, observed=2, replicas=3, updated=3, total=3, available=3, ready=3, conditions=None):
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "demo", "generation": generation},
            "spec": {"replicas": replicas, "strategy": {"type": "RollingUpdate"}},
            "status": {"observedGeneration": observed, "replicas": total, "updatedReplicas": updated,
                       "readyReplicas": ready, "availableReplicas": available,
                       "conditions": conditions or [
                           {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                           {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                            "message": 'ReplicaSet "web-5d8f7c9b4" has successfully progressed.'}]}}


def test_deployment_rolled_out():
    assert rollout.status(deployment()) == rollout.RolloutStatus(True, False, "successfully rolled out")


@pytest.mark.parametrize("changes, message", [
    ({"generation": 3}, "waiting for the deployment spec update to be observed"),
    ({"updated": 1, "total": 4}, "1 out of 3 new replicas have been updated"),
    ({"total": 4}, "1 old replicas are pending termination"),
    ({"available": 2}, "2 of 3 updated replicas are available"),
])
def test_deployment_mid_rollout(changes, message):
    status = rollout.status(deployment(**changes))
    assert (status.done, status.failed, status.message) == (False, False, message)


def test_deployment_past_its_progress_deadline_fails():
    stuck = deployment(updated=1, total=4, available=3, conditions=[
        {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
         "message": 'ReplicaSet "web-7c5d" has timed out progressing.'}])
    status = rollout.status(stuck)
    assert status.failed and not status.done
    assert "exceeded its progress deadline" in status.message and "web-7c5d" in status.message


def test_deployment_without_replicas_means_one():
    d = deployment(replicas=None, updated=1, total=1, available=1)
    d["spec"].pop("replicas")
    assert rollout.status(d).done


def statefulset(observed=1, replicas=3, ready=3, updated=3, current="web-1", update="web-1", strategy=None):
    return {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "db", "namespace": "demo", "generation": 1},
            "spec": {"replicas": replicas,
                     "updateStrategy": strategy or {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}},
            "status": {"observedGeneration": observed, "replicas": replicas, "readyReplicas": ready,
                       "currentReplicas": 3, "updatedReplicas": updated, "currentRevision": current,
                       "updateRevision": update}}


def test_statefulset_rules():
    assert rollout.status(statefulset()).done
    assert rollout.status(statefulset(observed=0)).message == "waiting for the statefulset spec update to be observed"
    assert rollout.status(statefulset(ready=1)).message == "waiting for 2 pods to be ready"
    assert not rollout.status(statefulset(updated=1)).done


def test_statefulset_partition_counts_only_the_pods_above_it():
    partitioned = {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}
    assert rollout.status(statefulset(updated=1, strategy=partitioned)).done
    assert not rollout.status(statefulset(updated=0, strategy=partitioned)).done


def test_statefulset_without_rolling_update_compares_revisions():
    plain = {"type": "RollingUpdate"}
    assert not rollout.status(statefulset(update="web-2", strategy=plain)).done
    assert rollout.status(statefulset(strategy=plain)).done


def test_statefulset_on_delete_is_done_when_all_ready():
    on_delete = {"type": "OnDelete"}
    assert rollout.status(statefulset(update="web-2", strategy=on_delete)).done
    assert "OnDelete" in rollout.status(statefulset(strategy=on_delete)).message
    assert not rollout.status(statefulset(ready=2, strategy=on_delete)).done


def daemonset(desired=3, updated=3, available=3, observed=4):
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "agent", "namespace": "kube-system", "generation": 4},
            "spec": {"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}}},
            "status": {"observedGeneration": observed, "desiredNumberScheduled": desired,
                       "currentNumberScheduled": desired, "updatedNumberScheduled": updated,
                       "numberAvailable": available, "numberReady": available, "numberMisscheduled": 0}}


def test_daemonset_rules():
    assert rollout.status(daemonset()).done
    assert rollout.status(daemonset(updated=2)).message == "2 out of 3 new pods have been updated"
    assert rollout.status(daemonset(available=1)).message == "1 of 3 updated pods are available"
    assert not rollout.status(daemonset(observed=3)).done


def job(name, created, condition=None):
    conditions = [{"type": condition, "status": "True", "reason": "BackoffLimitExceeded" if condition == "Failed"
                   else None, "message": "Job has reached the specified backoff limit"}] if condition else []
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": name, "namespace": "demo", "creationTimestamp": created},
            "status": {"conditions": conditions, "succeeded": 1 if condition == "Complete" else 0,
                       "active": 0 if condition else 1}}


def test_job_outcomes():
    assert rollout.status(job("once", "2026-12-01T10:00:00Z", "Complete")).done
    failed = rollout.status(job("once", "2026-12-01T10:00:00Z", "Failed"))
    assert failed.failed and "BackoffLimitExceeded" in failed.message
    assert not rollout.status(job("once", "2026-12-01T10:00:00Z")).done


def test_cronjob_judged_by_its_newest_finished_run():
    cron = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly", "namespace": "demo"}}
    older_ok = job("nightly-1", "2026-12-01T01:00:00Z", "Complete")
    newer_failed = job("nightly-2", "2026-12-01T02:00:00Z", "Failed")
    running = job("nightly-3", "2026-12-01T03:00:00Z")
    status = rollout.status(cron, [running, older_ok, newer_failed])
    assert status.failed and "nightly-2" in status.message
    assert rollout.status(cron, [older_ok, running]).done
    assert rollout.status(cron, []).message == "no run finished yet"
