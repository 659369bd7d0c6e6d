"""The Evictor against a scripted HTTP peer on 127.0.0.1: a server that answers discovery with pods/eviction in
policy/v1 (what Kubernetes >= 1.22 says), records every eviction body, and plays 429/404/403/500 on request.
The loopback v1.20.2 server only ever says policy/v1beta1, so this is where the v1 path is proven."""

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from azure.cli.core import azclierror

from azext_wasimig.drain import filters as drain
from azext_wasimig.drain.evict import Evictor
from azext_wasimig.kube import connect

EVICTION_PATH = re.compile(r"^/api/v1/namespaces/([^/]+)/pods/([^/]+)/eviction$")
PDB_PATH = re.compile(r"^/apis/(policy/v1(?:beta1)?)/namespaces/([^/]+)/poddisruptionbudgets$")


class ScriptedApiServer:
    """Answers from a script; ``evictions[pod name]`` is a list of (status, body) answers used in turn (the last
    one repeats); an accepted eviction (201) removes the pod from its node after ``linger`` seconds."""

    def __init__(self, eviction_version="v1", linger=0.0, delay=0.0):
        self.eviction_version, self.linger, self.delay = eviction_version, linger, delay
        self.pods, self.pdbs, self.evictions = {}, [], {}
        self.pod_lists = []            # answers for the next pod lists (node polls), used in turn; then the real one
        self.pdb_list = None           # an answer for PDB lists instead of self.pdbs
        self.requests, self.bodies, self.in_flight, self.max_in_flight = [], [], 0, 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def add_pod(self, name, node="wasi-0", namespace="apps", labels=None):
        pod = {"metadata": {"name": name, "namespace": namespace, "uid": f"uid-{name}",
                            "labels": labels or {"app": "web"},
                            "ownerReferences": [{"kind": "ReplicaSet", "name": "web-1", "controller": True}]},
               "spec": {"nodeName": node}, "status": {"phase": "Running"}}
        self.pods[name] = pod
        return pod

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.route(self, "GET", None)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                server.route(self, "POST", json.loads(self.rfile.read(length) or b"{}"))

        return Handler

    def route(self, handler, method, body):
        path, _, query = handler.path.partition("?")
        with self.lock:
            self.requests.append((method, path, handler.headers.get("Authorization")))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(self.delay if method == "POST" else 0)
            status, answer = self.answer(method, path, query, body)
        finally:
            with self.lock:
                self.in_flight -= 1
        data = json.dumps(answer).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def answer(self, method, path, query, body):
        if path == "/api/v1":
            return 200, {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
                {"name": "pods", "namespaced": True, "kind": "Pod", "verbs": ["list"]},
                {"name": "pods/eviction", "namespaced": True, "kind": "Eviction", "verbs": ["create"],
                 **({"group": "policy", "version": self.eviction_version} if self.eviction_version else {})}]}
        if path == "/api/v1/pods" and self.pod_lists:
            with self.lock:   # the last answer repeats
                return self.pod_lists.pop(0) if len(self.pod_lists) > 1 else self.pod_lists[0]
        if path == "/api/v1/pods":
            node = re.search(r"spec.nodeName%3D([^&]+)|spec\.nodeName=([^&]+)", query)
            node = node.group(1) or node.group(2)
            with self.lock:
                items = [p for p in self.pods.values() if p["spec"]["nodeName"] == node]
            return 200, {"kind": "PodList", "metadata": {}, "items": items}
        if PDB_PATH.match(path) and self.pdb_list:
            return self.pdb_list
        if PDB_PATH.match(path):
            return 200, {"kind": "PodDisruptionBudgetList", "metadata": {}, "items": self.pdbs}
        match = EVICTION_PATH.match(path)
        if match and method == "POST":
            return self.evict(match.group(2), body)
        return 404, {"kind": "Status", "code": 404, "reason": "NotFound", "message": f"no route {path}"}

    def evict(self, name, body):
        with self.lock:
            self.bodies.append(body)
            script = self.evictions.get(name) or [(201, {"kind": "Status", "status": "Success"})]
            status, answer = script.pop(0) if len(script) > 1 else script[0]
        if status == 201 and name in self.pods:
            later(self.linger, lambda: self.pods.pop(name, None))
        return status, answer

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def later(seconds, action):
    timer = threading.Timer(seconds, action)
    timer.daemon = True
    timer.start()


def status(code, reason, message, causes=None):
    return code, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": code, "reason": reason,
                  "message": message, "details": {"causes": causes or []}}


PDB_429 = status(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.",
                 [{"reason": "DisruptionBudget", "message": "The disruption budget web-pdb needs 2 healthy pods "
                                                            "and has 2 currently"}])


@pytest.fixture
def server():
    peer = ScriptedApiServer()
    yield peer
    peer.close()


def api_for(peer):
    return connect.api_client_from_kubeconfig({
        "current-context": "c", "clusters": [{"name": "k", "cluster": {"server": peer.url}}],
        "users": [{"name": "u", "user": {"token": "scripted-token"}}],
        "contexts": [{"name": "c", "context": {"cluster": "k", "user": "u"}}]})


def options(**overrides):
    values = dict(timeout=5.0, poll_interval=0.05, retry_initial=0.05, retry_max=0.1)
    values.update(overrides)
    return drain.DrainOptions(**values)


def run(peer, pods, messages=None, **option_values):
    chosen = options(**option_values)
    plan = drain.plan(pods, chosen)
    return Evictor(api_for(peer), chosen, (messages if messages is not None else []).append).run(plan)


def test_policy_v1_is_discovered_and_sent(server):
    pods = [server.add_pod("web-a"), server.add_pod("web-b", node="wasi-1")]
    summary = run(server, pods, grace_period=7)
    assert summary["evictionApi"] == "policy/v1" and summary["complete"]
    assert summary["evicted"] == ["apps/web-a", "apps/web-b"]
    assert {b["apiVersion"] for b in server.bodies} == {"policy/v1"}
    assert server.bodies[0]["kind"] == "Eviction" and server.bodies[0]["deleteOptions"] == {"gracePeriodSeconds": 7}
    assert {b["metadata"]["name"] for b in server.bodies} == {"web-a", "web-b"}
    assert all(auth == "Bearer scripted-token" for _, _, auth in server.requests)
    assert [n["drained"] for n in summary["nodes"]] == [True, True]


def test_falls_back_to_policy_v1beta1_when_discovery_says_so():
    peer = ScriptedApiServer(eviction_version="v1beta1")
    try:
        summary = run(peer, [peer.add_pod("web-a")])
    finally:
        peer.close()
    assert summary["evictionApi"] == "policy/v1beta1" and peer.bodies[0]["apiVersion"] == "policy/v1beta1"
    assert "deleteOptions" not in peer.bodies[0]      # no --grace-period: the pod's own grace period applies


def test_server_without_eviction_subresource_is_refused():
    peer = ScriptedApiServer(eviction_version=None)
    try:
        with pytest.raises(azclierror.ValidationError, match="no pods/eviction"):
            run(peer, [peer.add_pod("web-a")])
    finally:
        peer.close()
    assert not peer.bodies


def test_429_is_retried_until_the_budget_allows(server):
    server.evictions["web-a"] = [PDB_429, PDB_429, (201, {})]
    messages = []
    summary = run(server, [server.add_pod("web-a")], messages)
    assert summary["complete"] and summary["evicted"] == ["apps/web-a"] and len(server.bodies) == 3
    assert any("blocked by PodDisruptionBudget web-pdb" in m for m in messages)


def test_budget_that_never_allows_ends_blocked_at_the_deadline_with_the_pdb_named(server):
    server.evictions["web-a"] = [status(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's "
                                                                "disruption budget.")]
    server.pdbs = [{"metadata": {"name": "web-pdb", "namespace": "apps"},
                    "spec": {"selector": {"matchLabels": {"app": "web"}}}, "status": {"disruptionsAllowed": 0}},
                   {"metadata": {"name": "other", "namespace": "apps"},
                    "spec": {"selector": {"matchLabels": {"app": "db"}}}}]
    started = time.monotonic()
    summary = run(server, [server.add_pod("web-a")], timeout=0.6)
    assert 0.6 <= time.monotonic() - started < 2
    assert not summary["complete"] and summary["blocked"][0]["pdbs"] == ["web-pdb"]
    assert summary["blocked"][0]["attempts"] > 2 and summary["blocked"][0]["pod"] == "apps/web-a"


def test_404_means_already_gone(server):
    server.evictions["ghost"] = [status(404, "NotFound", 'pods "ghost" not found')]
    summary = run(server, [server.add_pod("ghost")])
    assert summary["complete"] and summary["evicted"] == ["apps/ghost"]


def test_403_is_a_permission_error_naming_pods_eviction(server):
    server.evictions["web-a"] = [status(403, "Forbidden", 'pods "web-a" is forbidden: User "dev" cannot create '
                                                          'resource "pods/eviction" in API group "" in the '
                                                          'namespace "apps"')]
    with pytest.raises(azclierror.ForbiddenError) as caught:
        run(server, [server.add_pod("web-a")])
    assert "pods/eviction" in str(caught.value) and "`create` on `pods/eviction`" in caught.value.recommendations[0]
    assert "scripted-token" not in str(caught.value)


def test_401_on_an_eviction_stops_the_drain_naming_the_credentials(server):
    server.evictions["web-a"] = [status(401, "Unauthorized", "Unauthorized")]
    with pytest.raises(azclierror.UnauthorizedError) as caught:
        run(server, [server.add_pod("web-a")])
    assert "HTTP 401" in str(caught.value) and "scripted-token" not in str(caught.value)


def test_node_lists_failing_with_401_stop_the_wait_after_the_bound_naming_the_cause(server):
    server.linger = 30.0                                  # never gone: only the failing lists can end the wait
    server.pod_lists = [status(401, "Unauthorized", "Unauthorized")]   # every poll, for good
    with pytest.raises(azclierror.UnauthorizedError) as caught:
        run(server, [server.add_pod("web-a")], timeout=60.0, wait_error_limit=0.3)
    assert "listing the pods of node wasi-0" in str(caught.value) and "HTTP 401" in str(caught.value)


def test_node_lists_failing_for_a_moment_do_not_stop_the_drain(server):
    server.pod_lists = [status(403, "Forbidden", "x")] * 2 + [(200, {"kind": "PodList", "metadata": {}, "items": []})]
    summary = run(server, [server.add_pod("web-a")], wait_error_limit=5.0)
    assert summary["complete"] and summary["evicted"] == ["apps/web-a"]


def test_a_wait_cut_by_the_drain_timeout_says_the_node_lists_were_failing(server):
    server.linger = 30.0
    server.pod_lists = [status(403, "Forbidden", "cannot list pods")]
    summary = run(server, [server.add_pod("web-a")], timeout=0.5, wait_error_limit=60.0)
    assert "listing its node's pods kept failing" in summary["timedOut"][0]["reason"]
    assert "HTTP 403 cannot list pods" in summary["timedOut"][0]["reason"]


def test_a_dry_run_that_cannot_read_pdbs_fails_naming_the_right(server):
    server.pdb_list = status(403, "Forbidden", 'poddisruptionbudgets.policy is forbidden: User "dev" cannot list')
    with pytest.raises(azclierror.ForbiddenError) as caught:
        run(server, [server.add_pod("web-a")], dry_run=True)
    assert "list poddisruptionbudgets" in caught.value.recommendations[0]


def test_other_errors_fail_that_pod_only(server):
    server.evictions["odd"] = [status(500, "InternalError", "This pod has more than one PodDisruptionBudget, which "
                                                            "the eviction subresource does not support.")]
    summary = run(server, [server.add_pod("odd"), server.add_pod("web-a")])
    assert summary["evicted"] == ["apps/web-a"] and summary["failed"][0]["pod"] == "apps/odd"
    assert "more than one PodDisruptionBudget" in summary["failed"][0]["message"]


def test_pod_not_gone_by_the_deadline_is_timed_out(server):
    server.linger = 5.0
    summary = run(server, [server.add_pod("slow")], timeout=0.4, grace_period=30)
    assert summary["timedOut"] == [{"pod": "apps/slow", "node": "wasi-0", "reason": "evicted, but still terminating "
                                    "when the drain timeout ran out (grace period 30s)"}]
    assert not summary["evicted"]


def test_terminating_pod_from_an_earlier_run_is_only_waited_for(server):
    pod = server.add_pod("half-done")
    pod["metadata"]["deletionTimestamp"] = "2025-07-01T10:00:00Z"
    later(0.2, lambda: server.pods.pop("half-done"))
    summary = run(server, [pod])
    assert summary["complete"] and not server.bodies
    assert summary["skipped"] == [{"pod": "apps/half-done", "node": "wasi-0", "reason": "was already terminating; "
                                                                                         "now gone"}]


def test_evictions_run_concurrently_but_bounded():
    peer = ScriptedApiServer(delay=0.15)
    try:
        pods = [peer.add_pod(f"web-{i}", node=f"wasi-{i % 3}") for i in range(12)]
        started = time.monotonic()
        summary = run(peer, pods, max_parallel=4)
        elapsed = time.monotonic() - started
    finally:
        peer.close()
    assert summary["complete"] and len(summary["evicted"]) == 12
    assert 2 <= peer.max_in_flight <= 4 + 3        # evictions bounded by max_parallel (+ one poll per node)
    assert elapsed < 12 * 0.15                     # faster than one at a time


def test_dry_run_evicts_nothing_and_reports_closed_budgets(server):
    server.pdbs = [{"metadata": {"name": "web-pdb", "namespace": "apps"},
                    "spec": {"selector": {"matchLabels": {"app": "web"}}}, "status": {"disruptionsAllowed": 0}}]
    summary = run(server, [server.add_pod("web-a"), server.add_pod("db", labels={"app": "db"})], dry_run=True)
    assert not server.bodies and summary["dryRun"]
    assert [w["pod"] for w in summary["wouldEvict"]] == ["apps/db", "apps/web-a"]
    assert summary["blocked"] == [{"pod": "apps/web-a", "node": "wasi-0", "pdbs": ["web-pdb"],
                                   "message": "PodDisruptionBudget allows no disruption now (disruptionsAllowed 0)"}]


def test_refused_plan_evicts_nothing(server):
    bare = server.add_pod("bare")
    bare["metadata"]["ownerReferences"] = []
    summary = run(server, [bare, server.add_pod("web-a")])
    assert not server.requests and summary["refused"][0]["pod"] == "apps/bare" and not summary["complete"]


def test_pods_of_a_closed_budget_take_turns_instead_of_flooding_the_server(server):
    pods = [server.add_pod(f"web-{i}") for i in range(10)]
    for pod in pods:
        server.evictions[pod["metadata"]["name"]] = [PDB_429]
    summary = run(server, pods, timeout=1.0, retry_initial=0.05, retry_max=0.1)
    assert len(summary["blocked"]) == 10 and {b["pdbs"][0] for b in summary["blocked"]} == {"web-pdb"}
    # every pod tries once; after that one probe per back-off (~0.1 s) for the whole budget, not one per pod
    assert len(server.bodies) < 10 + 20, len(server.bodies)
