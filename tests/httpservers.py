"""HTTP servers on 127.0.0.1 with a known truth, for compare's load tests and bench/bench_compare.py.

``KnownServer(delay, error_every)`` answers every GET after sleeping ``delay`` seconds, with 500 on every
``error_every``-th request (else 200): its latency floor and its error rate are known exactly. ``AcceptCounter``
accepts connections and closes them at once without an answer, counting them (an endpoint that never answers:
the client must give up after one try, not storm it).
"""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802  (http.server's naming)
        server = self.server
        with server.lock:
            server.requests += 1
            number = server.requests
        if server.delay:
            time.sleep(server.delay)
        status = 500 if server.error_every and number % server.error_every == 0 else 200
        body = b"error\n" if status == 500 else b"ok\n"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


class KnownServer:
    def __init__(self, delay=0.0, error_every=0, port=0):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.delay, self.httpd.error_every, self.httpd.requests = delay, error_every, 0
        self.httpd.lock = threading.Lock()
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    @property
    def requests(self):
        return self.httpd.requests

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class AcceptCounter:
    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.accepted = 0
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.sock.close()
