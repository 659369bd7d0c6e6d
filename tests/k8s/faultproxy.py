"""A fault-injecting HTTPS reverse proxy in front of the test kube-apiserver, on 127.0.0.1.

Everything it receives goes to the API server as it came (the client's own bearer token included) unless a rule
says otherwise, and the answer comes back as the server gave it. Rules pick requests by method and regular
expressions on the path and the raw query; the first rule that matches (and has ``times`` left) acts:

    proxy.add_rule("GET", r"^/api/v1/pods$", status(429, retry_after=1))        # the next matching GET: 429
    proxy.add_rule("PATCH", r"^/api/v1/nodes/", status(500), skip=1)            # the 2nd matching PATCH: 500
    proxy.add_rule("GET", "/pods", status(401), times=-1, when=after("POST", "/eviction"))   # every one, later
    proxy.add_rule("GET", "/pods", expired(), query="continue=")                # 410 Expired on a later page
    proxy.add_rule("GET", "/pods", repeat_continue(), times=-1)                 # a continue token that repeats
    proxy.add_rule("GET", "/nodes", reset())                                    # the connection reset (RST)
    proxy.add_rule("PATCH", "/nodes/", delay(4))                                 # held 4 s, then forwarded

``skip`` lets that many matching requests through first; ``times`` is how many it then acts on (-1: all);
``when(requests)`` (the log so far) must hold for the rule to match. ``requests()`` is the log: one dict per request
with method, path, query, status (None for a reset) and fault (the rule's action name, or None); a delayed request
is logged on arrival with ``held`` True until it is forwarded, and ``abandoned`` when its client hung up meanwhile
(then the API server never sees it, as a request still in the network would not reach it).
``page_size = N`` makes the API server page lists N items at a time (the proxy lowers each ``limit`` it forwards),
so a handful of test objects spans several pages with real continue tokens. ``kubeconfig()`` is a kubeconfig for
the proxy (its own CA inline, the API server's token); ``clear()`` drops the rules, the log and the page size.
``start_fault_proxy(kubeconfig_path, state_dir)`` starts one in a thread (see the conftest's ``fault_proxy``).
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import select
import socket
import ssl
import struct
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import yaml

from tests.emulator.certs import ensure_certs

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection", "upgrade"}
_REASONS = {401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict", 410: "Expired",
            429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable"}


# --- actions -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Action:
    name: str                       # "status" | "reset" | "repeat-continue" | "delay"
    status: int | None = None
    seconds: float | None = None
    retry_after: int | None = None
    message: str | None = None
    reason: str | None = None


def status(code, retry_after=None, message=None, reason=None):
    """Answer with a Kubernetes ``Status`` of this code (and a Retry-After header), instead of forwarding."""
    return Action("status", code, retry_after, message, reason)


def expired():
    """What the API server answers for a continue token it no longer knows."""
    return status(410, reason="Expired", message="The provided continue parameter is too old to display a "
                                                 "consistent list result. You can start a new list without the "
                                                 "continue parameter.")


def reset():
    """Close the connection with a TCP reset before any answer."""
    return Action("reset")


def repeat_continue():
    """Forward, then make the answer's continue token the one the request sent (the first page: unchanged), so a
    client that trusts the server pages forever."""
    return Action("repeat-continue")


def delay(seconds):
    """Hold the request ``seconds`` before forwarding it (a slow network, a busy server): a client interrupted
    meanwhile is seen either to wait for its answer or to hang up (then the request is dropped)."""
    return Action("delay", seconds=seconds)


def after(method, path):
    """A ``when``: true once a request of ``method`` whose path matches ``path`` went through."""
    pattern = re.compile(path)
    return lambda log: any(r["method"] == method and pattern.search(r["path"]) for r in log)


@dataclass
class Rule:
    method: str
    path: str
    action: Action
    query: str | None = None
    skip: int = 0
    times: int = 1
    when: object = None
    hits: int = 0                   # requests it acted on
    _seen: int = field(default=0, repr=False)

    def take(self, method, path, query, log):
        """True when this rule acts on the request (and counts it)."""
        if self.times == 0 or self.method not in ("*", method) or not re.search(self.path, path):
            return False
        if self.query is not None and not re.search(self.query, query):
            return False
        if self.when is not None and not self.when(log):
            return False
        self._seen += 1
        if self._seen <= self.skip:
            return False
        self.hits += 1
        self.times -= 1 if self.times > 0 else 0
        return True


# --- the proxy -----------------------------------------------------------------------------------------------

class FaultProxy(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, upstream_kubeconfig, state_dir):
        super().__init__(("127.0.0.1", 0), _Handler)
        config = yaml.safe_load(open(upstream_kubeconfig, encoding="utf-8"))
        cluster = config["clusters"][0]["cluster"]
        self.upstream = urlsplit(cluster["server"])
        self.upstream_tls = ssl.create_default_context(cafile=cluster.get("certificate-authority"))
        ca_path, cert_path, key_path = ensure_certs(state_dir)
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(cert_path, key_path)
        self.url = f"https://127.0.0.1:{self.server_address[1]}"
        self._template, self._ca_path = config, ca_path
        self._rules, self._log, self._lock = [], [], threading.Lock()
        self.page_size = None

    # --- the API tests use -----------------------------------------------------------------------------------

    def add_rule(self, method, path, action, *, query=None, skip=0, times=1, when=None):
        rule = Rule(method.upper(), path, action, query, skip, times, when)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self):
        with self._lock:
            self._rules.clear()
            self._log.clear()
            self.page_size = None

    def requests(self, method=None, path=""):
        with self._lock:
            return [dict(r) for r in self._log
                    if (method is None or r["method"] == method) and re.search(path, r["path"])]

    def kubeconfig(self):
        """The API server's kubeconfig, aimed at the proxy (server URL and CA), as YAML text."""
        config = json.loads(json.dumps(self._template))
        cluster = config["clusters"][0]["cluster"]
        cluster.pop("certificate-authority", None)
        cluster["server"] = self.url
        with open(self._ca_path, "rb") as f:
            cluster["certificate-authority-data"] = base64.b64encode(f.read()).decode()
        return yaml.safe_dump(config)

    # --- serving ---------------------------------------------------------------------------------------------

    def finish_request(self, request, client_address):
        try:   # TLS handshake in the worker thread
            request = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        pass                         # resets and clients that hang up are the point here

    def decide(self, method, path, query):
        """The action for a request, and its log entry (status filled in by the handler)."""
        with self._lock:
            rule = next((r for r in self._rules if r.take(method, path, query, self._log)), None)
            entry = {"method": method, "path": path, "query": query, "status": None,
                     "fault": rule.action.name if rule else None}
            self._log.append(entry)
        return (rule.action if rule else None), entry

    def forward(self, method, target, headers, body):
        connection = http.client.HTTPSConnection(self.upstream.hostname, self.upstream.port,
                                                 context=self.upstream_tls, timeout=70)
        try:
            connection.request(method, target, body=body, headers=headers)
            answer = connection.getresponse()
            return answer.status, answer.getheaders(), answer.read()
        finally:
            connection.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120

    def log_message(self, format, *args):  # noqa: A002  - no line per request on stderr
        pass

    def do_GET(self):  # noqa: N802
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        path, _, query = self.path.partition("?")
        action, entry = self.server.decide(self.command, path, query)
        if action and action.name == "reset":
            self._reset()
            return
        if action and action.name == "delay" and not self._held(entry, action.seconds):
            return
        if action and action.name == "status":
            code, headers, data = _status_answer(action)
        else:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"host"}}
            target = _smaller_pages(self.path, self.server.page_size)
            code, headers, data = self.server.forward(self.command, target, headers, body)
            if action and action.name == "repeat-continue":
                data = _with_continue(data, _query_value(query, "continue"))
        entry["status"] = code
        self.send_response(code)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _held(self, entry, seconds):
        """Hold the request; False when the client hung up meanwhile (anything readable before our answer is its
        FIN or its TLS close: an HTTP/1.1 client sends nothing while it waits)."""
        entry["held"] = True
        raw = socket.socket.fileno(self.connection)
        readable, _, _ = select.select([raw], [], [], seconds)
        entry["held"] = False
        if readable:
            entry["abandoned"] = True
            self.close_connection = True
        return not readable

    def _reset(self):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        socket.socket.close(self.connection)   # no TLS close_notify: the peer sees a reset


def _status_answer(action):
    reason = action.reason or _REASONS.get(action.status, "InternalError")
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "code": action.status,
            "reason": reason, "message": action.message or f"injected by the fault proxy: HTTP {action.status}"}
    headers = [("Content-Type", "application/json")]
    if action.retry_after is not None:
        headers.append(("Retry-After", str(action.retry_after)))
        body["details"] = {"retryAfterSeconds": action.retry_after}
    return action.status, headers, json.dumps(body).encode()


def _smaller_pages(target, page_size):
    if not page_size:
        return target
    return re.sub(r"([?&]limit=)(\d+)", lambda m: m.group(1) + str(min(int(m.group(2)), page_size)), target)


def _query_value(query, name):
    from urllib.parse import parse_qs
    values = parse_qs(query).get(name)
    return values[0] if values else None


def _with_continue(data, token):
    if not token:
        return data
    answer = json.loads(data)
    answer.setdefault("metadata", {})["continue"] = token
    return json.dumps(answer).encode()


def start_fault_proxy(upstream_kubeconfig, state_dir):
    proxy = FaultProxy(upstream_kubeconfig, state_dir)
    threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True,
                     name="k8s-fault-proxy").start()
    return proxy


def stop_fault_proxy(proxy):
    proxy.shutdown()
    proxy.server_close()
