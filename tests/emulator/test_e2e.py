"""Smoke test: the REAL az (2.91.0) signs in to the emulator and lists/creates/deletes node pools, and nothing it
does leaves 127.0.0.1. Needs az in $WASIMIG_AZ (scripts/test.sh sets it); fails, never skips, without it."""
from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from pathlib import Path

import pytest

from tests.emulator import az_environment, login, run_az, start_emulator

ROOT = Path(__file__).resolve().parents[2]
AZ = os.environ.get("WASIMIG_AZ", "")
PROD = "11111111-1111-1111-1111-111111111111"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory):
    if not os.path.exists(AZ):
        pytest.fail("WASIMIG_AZ does not name an az executable: run the tests with `bash scripts/test.sh`")
    emu = start_emulator(ROOT / "tests/emulator/estates/sample.yaml", tmp_path_factory.mktemp("emu-e2e"))
    home = tmp_path_factory.mktemp("az")
    env = az_environment(emu, home / "config")
    subs = login(AZ, env)
    yield emu, env, subs
    emu.stop()


def az(env, *args, check=True):
    # Outside the repository: `python -m azure.cli` from the repo root would import local packages first.
    return run_az(AZ, env, *args, check=check, cwd=env["AZURE_CONFIG_DIR"])


def connected_hosts(debug_stderr: str) -> set[str]:
    """Hosts urllib3 opened connections to (requests, MSAL and the SDK clients all go through it)."""
    return set(re.findall(r"Starting new HTTPS? connection \(\d+\): ([^\s]+)", debug_stderr))


def test_login_uses_only_the_emulator(signed_in):
    emu, env, subs = signed_in
    assert {s["id"] for s in subs} == {PROD, "22222222-2222-2222-2222-222222222222"}
    assert all(s["tenantId"] == emu.tenant_id for s in subs)
    az(env, "account", "clear")  # forget the cached token so the next login really talks to Entra
    emu.clear_requests()
    proc = az(env, "login", "--service-principal", "-u", "fake-sp", "-p", "fake-secret", "--tenant", emu.tenant_id,
              "--debug", "-o", "none")
    assert connected_hosts(proc.stderr) == {f"127.0.0.1:{emu.port}"}
    paths = [(r["method"], r["path"]) for r in emu.requests()]
    assert ("POST", f"/{emu.tenant_id}/oauth2/v2.0/token") in paths
    assert ("GET", "/subscriptions") in paths
    assert all(r["headers"]["Host"] == f"127.0.0.1:{emu.port}" for r in emu.requests())
    token = [r for r in emu.requests() if r["path"].endswith("/token")][0]
    assert token["body"]["client_secret"].startswith("<redacted")


def test_aks_list_and_nodepool_lifecycle(signed_in):
    emu, env, _ = signed_in
    emu.clear_requests()
    started = time.monotonic()
    listed = az(env, "aks", "list", "-o", "json", "--debug")
    list_seconds = time.monotonic() - started
    assert {c["name"] for c in json.loads(listed.stdout)} == {"aks-prod", "aks-edge", "aks-batch"}
    assert connected_hosts(listed.stderr) == {f"127.0.0.1:{emu.port}"}
    assert list_seconds < 20

    pools = json.loads(az(env, "aks", "nodepool", "list", "-g", "rg-apps", "--cluster-name", "aks-prod",
                          "-o", "json").stdout)
    assert {p["name"]: p.get("workloadRuntime") for p in pools} == {"sys": None, "web": "OCIContainer",
                                                                     "wasi": "WasmWasi"}

    added = json.loads(az(env, "aks", "nodepool", "add", "-g", "rg-apps", "--cluster-name", "aks-prod", "-n", "spin",
                          "--node-vm-size", "Standard_D4s_v5", "--node-count", "2", "--labels", "spin=true",
                          "-o", "json").stdout)
    assert added["provisioningState"] == "Succeeded" and added["nodeLabels"] == {"spin": "true"}
    az(env, "aks", "nodepool", "delete", "-g", "rg-apps", "--cluster-name", "aks-prod", "-n", "spin",
       "--ignore-pdb")
    gone = az(env, "aks", "nodepool", "show", "-g", "rg-apps", "--cluster-name", "aks-prod", "-n", "spin",
              check=False)
    assert gone.returncode != 0 and "ResourceNotFound" in gone.stderr

    log = emu.requests()
    assert all(r["headers"]["Host"] == f"127.0.0.1:{emu.port}" for r in log)
    assert not [r for r in log if r.get("unhandled")]
    put = [r for r in log if r["method"] == "PUT"][0]
    assert put["query"]["api-version"] == "2026-06-01"
    assert put["headers"]["CommandName"] == "aks nodepool add"
    assert put["body"]["properties"]["vmSize"] == "Standard_D4s_v5"
    delete = [r for r in log if r["method"] == "DELETE"][0]
    assert delete["query"]["ignore-pod-disruption-budget"] == "true"


def test_proxy_safety_net_catches_other_hosts(signed_in):
    """HTTPS_PROXY/NO_PROXY from az_environment: 127.0.0.1 is reached directly, any other host goes to the proxy.
    Checked with a recording proxy and 127.0.0.2 (another loopback address), so nothing can leave the machine."""
    emu, env, _ = signed_in
    seen: list[bytes] = []
    listener = socket.create_server(("127.0.0.1", 0))

    def record():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            seen.append(conn.recv(4096).split(b"\r\n")[0])
            conn.close()

    threading.Thread(target=record, daemon=True).start()
    proxy = f"http://127.0.0.1:{listener.getsockname()[1]}"
    recorded = {**env, "HTTPS_PROXY": proxy, "https_proxy": proxy, "HTTP_PROXY": proxy, "http_proxy": proxy}
    try:
        other = az(recorded, "rest", "--method", "get", "--url", "https://127.0.0.2:8443/x?api-version=1",
                   "--resource", "https://management.core.windows.net/", check=False)
        assert other.returncode != 0
        assert seen == [b"CONNECT 127.0.0.2:8443 HTTP/1.0"]
        assert az(recorded, "aks", "list", "-o", "none").returncode == 0  # NO_PROXY: the emulator is direct
        assert len(seen) == 1
    finally:
        listener.close()
    dead = az(env, "rest", "--method", "get", "--url", "https://127.0.0.2:8443/x?api-version=1",
              "--resource", "https://management.core.windows.net/", check=False)
    assert dead.returncode != 0 and "127.0.0.1', port=9" in dead.stderr
