"""Python API: run the emulator inside the test process (`start_emulator`) or drive one in another process
(`EmulatorClient`). Both expose the same admin methods."""
from __future__ import annotations

import json
import ssl
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from . import admin
from .certs import ensure_certs
from .server import EmulatorServer, serve_in_thread
from .state import EmulatorState


class EmulatorHandle:
    """A running in-process emulator. Admin calls go straight to the state (no HTTP round trip)."""

    def __init__(self, server: EmulatorServer, thread, state_dir: Path, ca_path: str):
        self._server, self._thread = server, thread
        self.state = server.state
        self.url = server.base_url
        self.port = server.port
        self.state_dir = Path(state_dir)
        self.ca_path = ca_path

    @property
    def tenant_id(self) -> str:
        return self.state.tenant_id

    def requests(self) -> list[dict]:
        return self.state.log.entries()

    def clear_requests(self) -> None:
        self.state.log.clear()

    def add_faults(self, faults) -> list[dict]:
        with self.state.lock:
            return self.state.faults.add(faults)

    def clear_faults(self) -> None:
        with self.state.lock:
            self.state.faults.clear()

    def settings(self, **changes) -> dict:
        """Change settings (latencyMs, lroPolls, pageSize, retryAfterMs) and return them all."""
        return self.state.update_settings(changes)

    def set_estate(self, estate) -> dict:
        return admin.replace_estate(self.state, estate)

    def dump(self) -> dict:
        return self.state.dump()

    def set_kubeconfig(self, subscription: str, resource_group: str, cluster: str, kubeconfig: str) -> None:
        admin.set_kubeconfig(self.state, subscription, resource_group, cluster, kubeconfig)

    def set_group_view(self, subscription: str, resource_group: str, name: str, view: dict) -> None:
        """What container group ``name`` reports from now on: ``{"state", "events", "provisioningState",
        "containers": {NAME: {"state", "restartCount", "detailStatus", "events"}}}`` (each optional)."""
        self.state.set_group_view(subscription, resource_group, name, view)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start_emulator(estate=None, state_dir=None, latency_ms: int = 0, *, port: int = 0, lro_polls: int = 2,
                   verbose: bool = False) -> EmulatorHandle:
    """Start on 127.0.0.1 in a background thread. `estate`: path, dict or None. Writes state_dir/ca.pem
    (trust it) and state_dir/emulator.json."""
    if state_dir is None:
        raise ValueError("state_dir is required (certificates and emulator.json live there)")
    ca_path, cert_path, key_path = ensure_certs(state_dir)
    state = EmulatorState(estate, latency_ms=latency_ms, lro_polls=lro_polls)
    server = EmulatorServer(state, cert_path, key_path, port=port, verbose=verbose)
    thread = serve_in_thread(server)
    write_info(state_dir, server)
    return EmulatorHandle(server, thread, Path(state_dir), ca_path)


def write_info(state_dir, server: EmulatorServer, pid: int | None = None) -> Path:
    import os

    info = {"port": server.port, "url": server.base_url, "pid": pid or os.getpid(),
            "caPath": str(Path(state_dir) / "ca.pem"), "tenantId": server.state.tenant_id}
    path = Path(state_dir) / "emulator.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(info, indent=2), encoding="utf-8")
    tmp.replace(path)  # atomic: a waiting process never reads half a file
    return path


class EmulatorClient:
    """Admin API over HTTPS (urllib, no extra dependency), for an emulator in another process."""

    def __init__(self, url: str, ca_path: str):
        self.url = url.rstrip("/")
        self.ca_path = ca_path
        self._tls = ssl.create_default_context(cafile=ca_path)
        # Never let a proxy setting (the HTTPS_PROXY safety net) capture calls to the emulator.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                   urllib.request.HTTPSHandler(context=self._tls))

    @classmethod
    def from_state_dir(cls, state_dir, timeout: float = 30.0) -> "EmulatorClient":
        """Wait for state_dir/emulator.json (written once the server listens) and connect."""
        info_path = Path(state_dir) / "emulator.json"
        deadline = time.monotonic() + timeout
        while not info_path.exists():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{info_path} did not appear within {timeout}s")
            time.sleep(0.05)
        info = json.loads(info_path.read_text(encoding="utf-8"))
        return cls(info["url"], info["caPath"])

    def call(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with self._opener.open(request, timeout=30) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{method} {path} -> {exc.code}: {exc.read().decode(errors='replace')}") from exc
        return json.loads(raw) if raw else None

    def health(self) -> dict:
        return self.call("GET", "/_emulator/health")

    def requests(self) -> list[dict]:
        return self.call("GET", "/_emulator/requests")

    def clear_requests(self) -> None:
        self.call("DELETE", "/_emulator/requests")

    def add_faults(self, faults) -> list[dict]:
        return self.call("POST", "/_emulator/faults", faults)

    def clear_faults(self) -> None:
        self.call("DELETE", "/_emulator/faults")

    def settings(self, **changes) -> dict:
        return self.call("POST", "/_emulator/settings", changes)

    def set_estate(self, estate: dict) -> dict:
        return self.call("POST", "/_emulator/estate", estate)

    def dump(self) -> dict:
        return self.call("GET", "/_emulator/state")

    def set_kubeconfig(self, subscription: str, resource_group: str, cluster: str, kubeconfig: str) -> None:
        path = "/".join(quote(p, safe="") for p in (subscription, resource_group, cluster))
        self.call("POST", f"/_emulator/clusters/{path}/kubeconfig", {"kubeconfig": kubeconfig})

    def set_group_view(self, subscription: str, resource_group: str, name: str, view: dict) -> None:
        path = "/".join(quote(p, safe="") for p in (subscription, resource_group, name))
        self.call("POST", f"/_emulator/containergroups/{path}/view", view)
