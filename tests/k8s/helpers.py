"""Test workloads on the loopback API server and how to watch them: pools labelled per test namespace, pods,
Deployments and PDBs, Ready counts (shared by the tests/k8s modules; not a test module itself).

A shared label ``wasimig.test/ns=<namespace>`` on a test's pools lets the scheduler move its replicas from its
"wasi" pool to its "std" pool and nowhere else.
"""

import threading

from azext_wasimig.kube import rest
from tests.k8s.harness import create_when_ready, pool_name, wait_for

TEST_LABEL = "wasimig.test/ns"


def _pools(kubelet, namespace, wasi=2, std=0):
    labels = {TEST_LABEL: namespace}
    kubelet.add_pool(pool_name(namespace, "w"), wasi, labels=labels)
    if std:
        kubelet.add_pool(pool_name(namespace, "s"), std, labels=labels)
    return pool_name(namespace, "w")


def _pod_spec(namespace, grace=1, **extra):
    return {"nodeSelector": {TEST_LABEL: namespace}, "terminationGracePeriodSeconds": grace,
            "containers": [{"name": "app", "image": "example.azurecr.io/app:1"}], **extra}


def _create(api, path, body):
    return create_when_ready(api, path, body)


def _deployment(api, namespace, replicas, name="web", grace=1):
    _create(api, f"/apis/apps/v1/namespaces/{namespace}/deployments", {
        "metadata": {"name": name}, "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                                             "template": {"metadata": {"labels": {"app": name}},
                                                          "spec": _pod_spec(namespace, grace)}}})


def _pdb(api, namespace, name, app, **budget):
    _create(api, f"/apis/policy/v1beta1/namespaces/{namespace}/poddisruptionbudgets",
            {"metadata": {"name": name}, "spec": {"selector": {"matchLabels": {"app": app}}, **budget}})


def _pods(api, namespace, app=None):
    query = {"labelSelector": f"app={app}"} if app else None
    return rest.call(api, "GET", f"/api/v1/namespaces/{namespace}/pods", query=query)["items"]


def _ready(pod):
    return not pod["metadata"].get("deletionTimestamp") and any(
        c["type"] == "Ready" and c["status"] == "True" for c in (pod.get("status") or {}).get("conditions") or [])


def _wait_ready(api, namespace, app, count, timeout=20):
    wait_for(lambda: sum(map(_ready, _pods(api, namespace, app))) >= count, timeout, f"{count} ready pods of {app}")


def _disruptions_allowed(api, namespace, name):
    pdb = rest.call(api, "GET", f"/apis/policy/v1beta1/namespaces/{namespace}/poddisruptionbudgets/{name}")
    return (pdb.get("status") or {}).get("disruptionsAllowed", -1)


def _wait_pdb_settled(api, namespace, name, allowed, timeout=10):
    wait_for(lambda: _disruptions_allowed(api, namespace, name) == allowed, timeout,
             f"PDB {name} to allow {allowed} disruptions")


def _on_pool(api, namespace, pool):
    return [p for p in _pods(api, namespace) if (p["spec"].get("nodeName") or "").startswith(pool + "-")]


def _unschedulable(api, pool):
    nodes = rest.call(api, "GET", "/api/v1/nodes", query={"labelSelector": f"agentpool={pool}"})["items"]
    return {n["metadata"]["name"]: bool(n["spec"].get("unschedulable")) for n in nodes}


class Poller:
    """A thread that calls ``poll()`` every ``period`` seconds while the ``with`` block runs (or until ``poll``
    returns True): what the samplers and the stand-ins for AKS share."""
    period = 0.2

    def __init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def poll(self):
        raise NotImplementedError

    def _run(self):
        while not self._stop.is_set():
            if self.poll():
                return
            self._stop.wait(self.period)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


class ReadySampler(Poller):
    """Counts Ready (and not terminating) replicas every ~50 ms in a thread; ``minimum`` is the lowest seen."""
    period = 0.05

    def __init__(self, api, namespace, app):
        super().__init__()
        self.api, self.namespace, self.app = api, namespace, app
        self.samples = []

    def poll(self):
        self.samples.append(sum(map(_ready, _pods(self.api, self.namespace, self.app))))
