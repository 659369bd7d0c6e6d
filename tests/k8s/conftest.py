"""Fixtures for the Kubernetes tier: the loopback control plane (etcd, kube-apiserver, controller-manager, scheduler
v1.20.2 from scripts/k8s-test-env), a fake kubelet, a namespace per test.

Environment:
  WASIMIG_K8S_CACHE   where the built binaries are (default ~/.cache/wasimig-k8s/v1.20.2); missing -> the tier FAILS
                      with a message (run scripts/test.sh), it is never skipped silently
  WASIMIG_K8S_RUN     run directory (default: $TMPDIR/wasimig-k8s-pytest-<pid>, purged afterwards). A control
                      plane already running there is reused and left running (quick local iterations);
                      otherwise it is started here and stopped afterwards (logs kept when the dir was given)
  WASIMIG_K8S_*_PORT  ports, read by the scripts (set them to run beside another control plane)
Exports WASIMIG_K8S_KUBECONFIG (token kubeconfig of the running control plane) for other tests.
"""

import os
import re
import subprocess
import tempfile
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.k8s.audit import AuditLog
from tests.k8s.faultproxy import start_fault_proxy, stop_fault_proxy
from tests.k8s.harness import FakeKubelet, exists, remove_namespace, wait_for

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts" / "k8s-test-env"
BINARIES = ("kube-apiserver", "kube-controller-manager", "kube-scheduler")
HARNESS_USER_AGENT = "wasimig-test-harness"


# Decided at import, before test modules read WASIMIG_K8S_KUBECONFIG at module level; created only by up.sh.
RUN_DIR = Path(os.environ.get("WASIMIG_K8S_RUN")
               or Path(tempfile.gettempdir()) / f"wasimig-k8s-pytest-{os.getpid()}")
os.environ["WASIMIG_K8S_KUBECONFIG"] = str(RUN_DIR / "kubeconfig")


def _cache_dir():
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "wasimig-k8s" / "v1.20.2"
    return Path(os.environ.get("WASIMIG_K8S_CACHE", default))


def _require_binaries():
    cache = _cache_dir()
    missing = [str(cache / b) for b in BINARIES if not (cache / b).is_file()]
    if not any((Path(d) / "etcd").is_file() for d in os.environ.get("PATH", "").split(os.pathsep)):
        missing.append("etcd on PATH (apt-get install etcd-server)")
    if missing:
        pytest.fail("The Kubernetes test control plane is not built: missing " + ", ".join(missing)
                    + ". Run scripts/test.sh (it builds them with scripts/k8s-test-env/build-k8s-test-bin.sh "
                    "into $WASIMIG_K8S_CACHE, once).", pytrace=False)
    return cache


def _already_running(run_dir):
    pid_file = run_dir / "kube-apiserver.pid"
    try:
        os.kill(int(pid_file.read_text().strip()), 0)
        return True
    except (OSError, ValueError):
        return False


@pytest.fixture(scope="session", autouse=True)
def k8s_env():
    """The running control plane (started for any test of this folder): an object with ``run``, ``kubeconfig``
    (Path), ``api`` (ApiClient) and ``audit`` (its AuditLog)."""
    cache = _require_binaries()
    run_dir = RUN_DIR
    env = dict(os.environ, WASIMIG_K8S_CACHE=str(cache), WASIMIG_K8S_RUN=str(run_dir))
    started_here = not _already_running(run_dir)
    if started_here:
        _start(run_dir, env)
    from azext_wasimig.kube import connect
    kubeconfig = run_dir / "kubeconfig"
    api = connect.load_kubeconfig_file(str(kubeconfig))
    api.user_agent = HARNESS_USER_AGENT   # the audit log tells the harness's writes from the extension's
    try:
        yield SimpleNamespace(run=run_dir, kubeconfig=kubeconfig, api=api, audit=AuditLog(run_dir / "audit.log"))
    finally:
        if started_here:
            _stop(run_dir, env)


def _start(run_dir, env):
    result = subprocess.run([str(SCRIPTS / "up.sh"), str(run_dir)], env=env, capture_output=True, text=True,
                            check=False)
    if result.returncode:   # up.sh stopped what it started; keep its output, drop our temp dir
        logs = "".join(f"\n--- {log.name}:\n" + "\n".join(log.read_text(errors="replace").splitlines()[-5:])
                       for log in sorted(run_dir.glob("*.log")))
        _stop(run_dir, env)
        pytest.fail(f"up.sh failed ({result.returncode}); ports in use by another control plane? Set "
                    f"WASIMIG_K8S_*_PORT.\n{result.stdout}\n{result.stderr}{logs}", pytrace=False)


def _stop(run_dir, env):
    purge = [] if os.environ.get("WASIMIG_K8S_RUN") else ["--purge"]   # a given run dir keeps its logs
    subprocess.run([str(SCRIPTS / "down.sh"), str(run_dir), *purge], env=env, capture_output=True, check=False)


@pytest.fixture(scope="session")
def k8s_api(k8s_env):
    return k8s_env.api


@pytest.fixture(scope="session")
def kubelet(k8s_api):
    """One fake kubelet for the session; it acts only on the nodes created through it."""
    fake = FakeKubelet(k8s_api).start()
    try:
        yield fake
    finally:
        fake.stop()
        fake.delete_nodes()


@pytest.fixture(scope="module")
def node_owner():
    """Whose nodes the module's scenario nodes are (``harness.aks_owner(...)``, for their providerIDs); modules
    that point az at the control plane with --kubeconfig override it with their estate's cluster."""
    return None


@pytest.fixture
def namespace(k8s_api, request):
    """A fresh namespace (with its default ServiceAccount) per test; its pods are force-deleted afterwards."""
    from azext_wasimig.kube import rest
    name = f"{re.sub(r'[^a-z0-9]+', '-', request.node.name.lower())[:40].strip('-')}-{uuid.uuid4().hex[:5]}"
    rest.call(k8s_api, "POST", "/api/v1/namespaces", body={"metadata": {"name": name}})
    wait_for(lambda: exists(k8s_api, f"/api/v1/namespaces/{name}/serviceaccounts/default"), 10,
             "the namespace's default ServiceAccount")
    yield name
    remove_namespace(k8s_api, name)


@pytest.fixture(scope="session")
def fault_proxy_server(k8s_env, tmp_path_factory):
    proxy = start_fault_proxy(k8s_env.kubeconfig, tmp_path_factory.mktemp("fault-proxy"))
    yield proxy
    stop_fault_proxy(proxy)


@pytest.fixture
def fault_proxy(fault_proxy_server, tmp_path):
    """The fault-injecting proxy in front of the control plane (tests/k8s/faultproxy.py), with no rules and an empty
    log; ``kubeconfig_path`` is a kubeconfig file for it (the API server's token), for ``--kubeconfig``."""
    fault_proxy_server.clear()
    path = tmp_path / "proxy-kubeconfig"
    path.write_text(fault_proxy_server.kubeconfig())
    fault_proxy_server.kubeconfig_path = path
    yield fault_proxy_server
    fault_proxy_server.clear()
