"""HTTPS server: TLS per connection, request parsing, logging, latency/faults, routing, ARM-style response headers.

HTTP/1.1 keep-alive matters for speed (az's requests session reuses connections), so every response carries a
Content-Length and every request body is fully read, even on errors.
"""
from __future__ import annotations

import json
import socket
import ssl
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from . import admin, arm_aci, arm_aks, arm_core, errors, identity
from .requestlog import redact, redact_headers
from .web import Request, Response, Router


def build_router() -> Router:
    router = Router()
    arm_core.register(router)
    arm_aks.register(router)
    arm_aci.register(router)
    identity.register(router)  # last: its /{tenant}/... patterns are the most generic
    return router


ROUTER = build_router()


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, state, certfile: str, keyfile: str, port: int = 0, verbose: bool = False):
        super().__init__(("127.0.0.1", port), _Handler)
        self.state, self.verbose = state, verbose
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(certfile, keyfile)
        self.port = self.server_address[1]
        self.base_url = f"https://127.0.0.1:{self.port}"

    def finish_request(self, request, client_address):
        # TLS handshake in the worker thread, not in the accept loop: one slow client cannot stall the others.
        try:
            tls_sock = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            if self.verbose:
                sys.stderr.write(f"emulator: TLS handshake failed from {client_address}: {exc}\n")
            return
        try:
            super().finish_request(tls_sock, client_address)
        finally:
            _close(tls_sock)

    def handle_error(self, request, client_address):
        if self.verbose:
            super().handle_error(request, client_address)


def _close(sock) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "LocalArm/1.0"
    sys_version = ""
    timeout = 120  # reap idle keep-alive connections (each holds a thread)

    def do_GET(self):  # noqa: N802 (http.server naming)
        self._handle()

    do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = do_GET

    def log_message(self, format, *args):  # noqa: A002 - silence the default per-request stderr line
        pass

    # -------------------------------------------------------------------------------------------- request
    def _handle(self) -> None:
        started = time.monotonic()
        raw = self._read_body()
        req = self._request(raw)
        if req.path.lower().startswith("/_emulator/"):
            self._send(req, admin.handle(req))
            return
        entry = self.server.state.log.add({
            "method": req.method, "path": req.path, "query": _flat_query(req.query_string, lower=False),
            "headers": redact_headers(self.headers), "body": redact(req.body)})
        resp, unhandled = self._answer(req)
        duration = round((time.monotonic() - started) * 1000, 1)
        self.server.state.log.update(entry, status=resp.status, durationMs=duration, unhandled=unhandled)
        if self.server.verbose:
            sys.stderr.write(f"{req.method} {self.path} -> {resp.status} ({duration} ms)\n")
        self._send(req, resp)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _request(self, raw: bytes) -> Request:
        url = urlsplit(self.path)
        return Request(method=self.command, path=unquote(url.path), query_string=url.query,
                       query=_flat_query(url.query, lower=True), headers=self.headers,
                       body=_parse_body(raw, self.headers.get("Content-Type") or ""),
                       base_url=self.server.base_url, state=self.server.state)

    def _answer(self, req: Request) -> tuple[Response, bool]:
        state = self.server.state
        with state.lock:
            latency = int(state.settings["latencyMs"])
            outcome = state.faults.evaluate(req.method, req.path, req.query_string)
        if latency or outcome.delay_ms:
            time.sleep((latency + outcome.delay_ms) / 1000.0)
        if outcome.answer is not None:
            status, body, headers = outcome.answer.response()
            return Response(status, body, headers), False
        req.lro_fail = outcome.lro_fail
        route, params = ROUTER.resolve(req.method, req.path)
        try:
            if route is None:
                raise errors.unsupported(req.method, req.path)
            if route.arm:
                if not req.api_version:
                    raise errors.missing_api_version()
                arm_core.check_subscription(req)
            return route.handler(req, **params), False
        except errors.ArmError as exc:
            return Response(exc.status, exc.body(), exc.headers), route is None
        except Exception as exc:  # noqa: BLE001 - an emulator bug must answer 500, not kill the connection
            traceback.print_exc(file=sys.stderr)
            body = {"error": {"code": "InternalServerError", "message": f"emulator bug: {exc!r}"}}
            return Response(500, body), False

    # -------------------------------------------------------------------------------------------- response
    def _send(self, req: Request, resp: Response) -> None:
        payload, content_type = _encode(resp.body)
        self.send_response(resp.status)
        request_id = str(uuid.uuid4())
        correlation = self.headers.get("x-ms-correlation-request-id") or str(uuid.uuid4())
        base = {"Content-Type": content_type, "Cache-Control": "no-cache", "Pragma": "no-cache", "Expires": "-1",
                "x-ms-request-id": request_id, "x-ms-correlation-request-id": correlation,
                "x-ms-routing-request-id": f"LOCAL:{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}:{request_id}",
                "Strict-Transport-Security": "max-age=31536000; includeSubDomains"}
        if self.headers.get("x-ms-client-request-id"):
            base["x-ms-client-request-id"] = self.headers["x-ms-client-request-id"]
        for name, value in {**base, **resp.headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if req.method != "HEAD" and payload:
            self.wfile.write(payload)


def _encode(body) -> tuple[bytes, str]:
    if body is None:
        return b"", "application/json; charset=utf-8"
    if isinstance(body, str):
        return body.encode("utf-8"), "text/plain; charset=utf-8"
    return json.dumps(body).encode("utf-8"), "application/json; charset=utf-8"


def _flat_query(query: str, lower: bool) -> dict:
    parsed = parse_qs(query, keep_blank_values=True)
    return {(k.lower() if lower else k): v[-1] for k, v in parsed.items()}


def _parse_body(raw: bytes, content_type: str):
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    if "application/x-www-form-urlencoded" in content_type:
        return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}
    try:
        return json.loads(text)
    except ValueError:
        return {"_raw": text[:4096]}


def serve_in_thread(server: EmulatorServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name=f"arm-emulator-{server.port}", daemon=True)
    thread.start()
    return thread
