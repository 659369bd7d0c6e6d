"""A scripted Kubernetes API server on 127.0.0.1 for the drain's unit tests: it answers discovery with pods/eviction
(policy/v1 unless told otherwise), lists and patches nodes, answers SelfSubjectAccessReviews, lists pods per node and
PodDisruptionBudgets, records every request in order and every eviction body, and plays 429/404/403/500 on request.
The loopback v1.20.2 server only ever says policy/v1beta1, so this is where the v1 path is proven."""

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from azext_wasimig.kube import connect

EVICTION_PATH = re.compile(r"^/api/v1/namespaces/([^/]+)/pods/([^/]+)/eviction$")
PDB_PATH = re.compile(r"^/apis/(policy/v1(?:beta1)?)/namespaces/([^/]+)/poddisruptionbudgets$")


class ScriptedApiServer:
    """Answers from a script; ``evictions[pod name]`` is a list of (status, body) answers used in turn (the last
    one repeats); an accepted eviction (201) removes the pod from its node after ``linger`` seconds."""

    def __init__(self, eviction_version="v1", linger=0.0, delay=0.0):
        self.eviction_version, self.linger, self.delay = eviction_version, linger, delay
        self.pods, self.pdbs, self.evictions, self.nodes = {}, [], {}, {}
        self.denied = set()            # (verb, resource) that SelfSubjectAccessReviews answer "not allowed"
        self.on_patch = None           # called (name, patch) after a node is patched, e.g. to schedule a pod there
        self.pod_lists = []            # answers for the next pod lists (node polls), used in turn; then the real one
        self.pdb_list = None           # an answer for PDB lists instead of self.pdbs
        self.requests, self.bodies, self.in_flight, self.max_in_flight = [], [], 0, 0
        self.evictions_in_flight, self.max_evictions_in_flight = 0, 0   # POSTs only: the evictions themselves
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def add_node(self, name, pool="wasi"):
        meta = {"name": name, "resourceVersion": "1", "labels": {"kubernetes.azure.com/agentpool": pool}}
        self.nodes[name] = {"metadata": meta, "spec": {},
                            "status": {"conditions": [{"type": "Ready", "status": "True"}]}}
        return self.nodes[name]

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
                server.route(self, "POST", self._body())

            def do_PATCH(self):
                server.route(self, "PATCH", self._body())

            def _body(self):
                length = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(length) or b"{}")

        return Handler

    def route(self, handler, method, body):
        path, _, query = handler.path.partition("?")
        posting = int(method == "POST")
        with self.lock:
            self.requests.append((method, path, handler.headers.get("Authorization")))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.evictions_in_flight += posting
            self.max_evictions_in_flight = max(self.max_evictions_in_flight, self.evictions_in_flight)
        try:
            time.sleep(self.delay if posting else 0)
            status, answer = self.answer(method, path, query, body)
        finally:
            with self.lock:
                self.in_flight -= 1
                self.evictions_in_flight -= posting
        data = json.dumps(answer).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def answer(self, method, path, query, body):
        if path.startswith("/api/v1/nodes") or path.endswith("/selfsubjectaccessreviews"):
            return self.answer_nodes_and_reviews(method, path, query, body)
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

    def answer_nodes_and_reviews(self, method, path, query, body):
        if path.endswith("/selfsubjectaccessreviews"):
            wanted = body["spec"]["resourceAttributes"]
            allowed = (wanted["verb"], wanted["resource"]) not in self.denied
            return 201, dict(body, status={"allowed": allowed})
        if path == "/api/v1/nodes":
            selector = (parse_qs(query).get("labelSelector") or [""])[0]
            key, _, value = selector.partition("=")
            items = [n for n in self.nodes.values() if not key or n["metadata"]["labels"].get(key) == value]
            return 200, {"kind": "NodeList", "metadata": {}, "items": items}
        node = self.nodes.get(path.rsplit("/", 1)[-1])
        if node is None:
            return 404, {"kind": "Status", "code": 404, "reason": "NotFound", "message": f"no node {path}"}
        if method == "PATCH":
            node["spec"]["unschedulable"] = body["spec"]["unschedulable"]
            node["metadata"]["resourceVersion"] = str(int(node["metadata"]["resourceVersion"]) + 1)
            if self.on_patch:
                self.on_patch(node["metadata"]["name"], body)
        return 200, node

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


def api_for(peer):
    return connect.api_client_from_kubeconfig({
        "current-context": "c", "clusters": [{"name": "k", "cluster": {"server": peer.url}}],
        "users": [{"name": "u", "user": {"token": "scripted-token"}}],
        "contexts": [{"name": "c", "context": {"cluster": "k", "user": "u"}}]})
