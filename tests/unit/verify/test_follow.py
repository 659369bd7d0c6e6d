"""follow: rollouts re-read until done or the timeout; what is left says why (its pods' own words)."""

import pytest

from azext_wasimig.kube import rest
from azext_wasimig.verify import follow
from tests.unit.fakes import Clock

DEPLOY = "/apis/apps/v1/namespaces/demo/deployments/web"
PODS = "/api/v1/namespaces/demo/pods"


def deployment(updated, available, total=None):
    return {"kind": "Deployment", "metadata": {"name": "web", "namespace": "demo", "generation": 2},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}},
            "status": {"observedGeneration": 2, "replicas": total or 2, "updatedReplicas": updated,
                       "availableReplicas": available}}


PENDING = {"metadata": {"name": "web-new"}, "spec": {}, "status": {"phase": "Pending", "conditions": [
    {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
     "message": "0/4 nodes are available: 2 Insufficient cpu, 2 node(s) didn't match node selector."}]}}
CRASHING = {"metadata": {"name": "web-crash"}, "spec": {"nodeName": "std-0"}, "status": {
    "phase": "Running", "containerStatuses": [{"name": "app", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}}
FINE = {"metadata": {"name": "web-old"}, "spec": {"nodeName": "wasi-0"}, "status": {"phase": "Running"}}


@pytest.fixture(name="server")
def server_fixture(monkeypatch):
    """rest.call answering GETs from ``answers``: path -> list of answers, the last one repeated."""
    answers, calls = {}, []

    def call(_api, method, path, query=None, **_):
        calls.append((method, path, query))
        queue = answers[path]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        return answer
    monkeypatch.setattr(rest, "call", call)
    return answers, calls


def rows():
    return [{"namespace": "demo", "kind": "Deployment", "name": "web", "action": "patched"},
            {"namespace": "demo", "kind": "Deployment", "name": "same", "action": "unchanged"},
            {"namespace": "demo", "kind": "CronJob", "name": "nightly", "action": "patched"}]


SAME = "/apis/apps/v1/namespaces/demo/deployments/same"


def test_follows_until_done(server):
    answers, calls = server
    answers[DEPLOY] = [deployment(1, 1, 3), deployment(2, 1), deployment(2, 2)]
    answers[SAME] = [deployment(2, 2)]
    clock, lines, result = Clock(), [], rows()
    stuck = follow.follow(None, result, timeout=60, interval=2, progress=lines.append, sleep=clock.sleep, clock=clock)
    assert stuck == [] and clock.sleeps == [2, 2]
    assert result[0]["rolledOut"] and result[0]["rollout"] == "successfully rolled out"
    assert result[1]["rolledOut"]               # patched by an earlier run: followed too (a re-run waits)
    assert "rolledOut" not in result[2]         # a CronJob has no rollout to follow
    assert [c[1] for c in calls] == [DEPLOY, SAME, DEPLOY, DEPLOY]
    assert lines[0] == "Waiting for 1 rollout(s): demo/Deployment/web: 1 out of 2 new replicas have been updated"


def test_a_timeout_names_what_the_pods_say(server):
    answers, calls = server
    answers[DEPLOY] = [deployment(2, 1, 3)]
    answers[SAME] = [deployment(2, 2)]
    answers[PODS] = [{"items": [PENDING, CRASHING, FINE]}]
    clock, result = Clock(), rows()
    stuck = follow.follow(None, result, timeout=5, interval=2, sleep=clock.sleep, clock=clock)
    assert clock.sleeps == [2, 2, 1] and stuck == [result[0]]
    assert calls[-1] == ("GET", PODS, {"labelSelector": "app=web"})
    error = follow.incomplete_error(stuck, 5)
    assert error.kind == "incomplete"
    assert str(error) == (
        "The workloads were patched, but 1 rollout(s) did not become available within 5 s:\n"
        "  demo/Deployment/web: 1 old replicas are pending termination; pod web-crash: container app is waiting in "
        "CrashLoopBackOff; pod web-new is Pending: 0/4 nodes are available: 2 Insufficient cpu, 2 node(s) didn't "
        "match node selector.")


def test_a_progress_deadline_ends_the_wait_as_a_failure(server):
    answers, _ = server
    stuck_deployment = deployment(1, 1, 3)
    stuck_deployment["status"]["conditions"] = [{"type": "Progressing", "status": "False",
                                                 "reason": "ProgressDeadlineExceeded", "message": "timed out"}]
    answers[DEPLOY], answers[SAME], answers[PODS] = [stuck_deployment], [deployment(2, 2)], [{"items": []}]
    clock = Clock()
    stuck = follow.follow(None, rows(), timeout=600, sleep=clock.sleep, clock=clock)
    assert clock.sleeps == [] and "exceeded its progress deadline" in stuck[0]["reason"]


def test_a_workload_deleted_meanwhile_is_not_waited_for(server):
    answers, _ = server
    answers[DEPLOY] = [rest.KubeApiError("GET", DEPLOY, 404, {"reason": "NotFound"})]
    answers[SAME] = [deployment(2, 2)]
    result = rows()
    assert follow.follow(None, result, timeout=60, sleep=Clock().sleep) == []
    assert result[0]["rollout"] == "deleted meanwhile"
    assert follow.incomplete_error([], 60) is None
