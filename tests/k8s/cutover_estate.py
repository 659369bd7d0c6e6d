"""The cluster the cutover e2e tests share (test_e2e_cutover*.py; not a test module itself): its ARM estate, the
RuntimeClasses, a per-test move (``Move``: its pools, a Spin Deployment with a PDB, the az command line), and what
plays AKS adding the new pool's nodes once ARM has the pool (``NodeMaker``, a thread).

Each test has its own namespace and pools (``pool_name(ns, "w")`` the WASI pool, ``pool_name(ns, "n")`` the new one),
labelled ``wasimig.test/ns`` so that its pods stay on its own nodes. The Deployment ``web`` runs on the WASI pool by
its RuntimeClass (AKS's WASI-era class selects the WASI label, which only the WASI pool's nodes carry); the cutover
retargets it to ``CUTOVER_CLASS``, which selects spin=true: the label --spin-shim gives the new pool's nodes.
The Deployment ``loose`` runs there only because those were the test's nodes when it started: nothing in its
placement names the pool, so retarget leaves it and the drain moves it (PDB maxUnavailable 1 on both).
"""

import json
import os
import signal
import subprocess
import threading
import time
from contextlib import contextmanager
from datetime import datetime

import pytest

from azext_wasimig.kube import rest
from tests.conftest import AzResult, serving_estate
from tests.k8s.harness import create_when_ready, embedded_kubeconfig, exists, pool_name, wait_for
from tests.k8s.helpers import Poller

SUB, RG, CLUSTER = "10101010-1010-4010-8010-101010101010", "rg-cutover", "aks-cutover"
TEST_LABEL, POOL_LABEL = "wasimig.test/ns", "kubernetes.azure.com/agentpool"
WASI_LABEL, OLD_CLASS, CUTOVER_CLASS = "kubernetes.azure.com/wasmtime-spin-v1", "wasmtime-spin-v1", "wasimig-cutover"
RECORDS = "/api/v1/namespaces/wasimig-system/configmaps"


def estate(old, nodes=2, **old_pool):
    pools = [{"name": "sys", "mode": "System", "vmSize": "Standard_D2s_v5", "count": 1},
             {"name": old, "mode": "User", "vmSize": "Standard_D2s_v5", "count": nodes, "workloadRuntime": "WasmWasi",
              **old_pool}]
    return {"tenantId": "72f988bf-0000-0000-0000-000000000001", "subscriptions": [{
        "subscriptionId": SUB, "displayName": "Cutover",
        "clusters": [{"name": CLUSTER, "resourceGroup": RG, "location": "westeurope", "kubernetesVersion": "1.30.4",
                      "agentPools": pools}]}]}


@pytest.fixture(scope="module")
def cutover_subscription(arm, az, k8s_api):
    made = []
    for name, selector in ((OLD_CLASS, {WASI_LABEL: "true"}), (CUTOVER_CLASS, {"spin": "true"})):
        if not exists(k8s_api, f"/apis/node.k8s.io/v1/runtimeclasses/{name}"):
            rest.call(k8s_api, "POST", "/apis/node.k8s.io/v1/runtimeclasses", body={
                "metadata": {"name": name}, "handler": "spin", "scheduling": {"nodeSelector": selector}})
            made.append(name)
    with serving_estate(arm, az, estate("wasi")):
        yield
    for name in made:
        rest.call(k8s_api, "DELETE", f"/apis/node.k8s.io/v1/runtimeclasses/{name}")


class NodeMaker(Poller):
    """Plays AKS: once ARM has the new pool, its nodes join the cluster (as many as its count, with its labels)."""

    def __init__(self, arm, kubelet, namespace, pool):
        super().__init__()
        self.arm, self.kubelet, self.ns, self.pool = arm, kubelet, namespace, pool
        self.added = threading.Event()

    def poll(self):
        found = [p for p in self.arm.dump()["agentPools"]
                 if p["id"].lower().endswith(f"/agentpools/{self.pool}") and f"/{CLUSTER}/" in p["id"]]
        if not found:
            return False
        props = found[0]["properties"]
        self.kubelet.add_pool(self.pool, props.get("count") or 1,
                              labels={**(props.get("nodeLabels") or {}), TEST_LABEL: self.ns})
        self.added.set()
        return True


@contextmanager
def a_move(arm, az, k8s_api, kubelet, k8s_env, namespace, via=None):
    """One test's move with AKS's part played (NodeMaker); ``via``: the kubeconfig ARM hands out instead of the API
    server's own (the fault proxy's). Afterwards the emulator's faults and the move's record are gone."""
    made = Move(arm, az, k8s_api, kubelet, namespace, k8s_env.kubeconfig)
    if via:
        arm.set_kubeconfig(SUB, RG, CLUSTER, via)
    arm.clear_requests()
    with NodeMaker(arm, kubelet, namespace, made.new):
        yield made
    arm.clear_faults()
    made.drop_record()


class Move:
    """One test's cutover: its pools and workload, the az command, and what to look at afterwards."""

    def __init__(self, arm, az, api, kubelet, namespace, kubeconfig, nodes=2, replicas=2, **old_pool):
        self.arm, self.az, self.api, self.kubelet, self.ns = arm, az, api, kubelet, namespace
        self.old, self.new = pool_name(namespace, "w"), pool_name(namespace, "n")
        self.replicas = replicas
        arm.set_estate(estate(self.old, nodes, **old_pool))
        arm.set_kubeconfig(SUB, RG, CLUSTER, embedded_kubeconfig(kubeconfig))
        kubelet.add_pool(self.old, nodes, labels={TEST_LABEL: namespace, WASI_LABEL: "true"})
        self.deployment("web", replicas, OLD_CLASS)
        self.deployment("loose", replicas)

    def deployment(self, name, replicas, runtime_class=None):
        spec = {"nodeSelector": {TEST_LABEL: self.ns}, "terminationGracePeriodSeconds": 1,
                "containers": [{"name": "app", "image": "example.azurecr.io/spin-web:1"}],
                **({"runtimeClassName": runtime_class} if runtime_class else {})}
        create_when_ready(self.api, f"/apis/apps/v1/namespaces/{self.ns}/deployments", {
            "metadata": {"name": name}, "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                                                 "template": {"metadata": {"labels": {"app": name}}, "spec": spec}}})
        create_when_ready(self.api, f"/apis/policy/v1beta1/namespaces/{self.ns}/poddisruptionbudgets", {
            "metadata": {"name": name}, "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": name}}}})
        wait_for(lambda: self.ready(name) == replicas, 60, f"{name}'s pods Ready")

    def args(self, *extra):
        return ["aks", "wasi-migrate", "cutover", "--subscription", SUB, "-g", RG, "-n", CLUSTER, "--nodepool-name",
                self.old, "--new-nodepool-name", self.new, "--runtime-class", CUTOVER_CLASS, "--final-soak", "0",
                "--interval", "1", "--grace-period", "1", *extra]

    def cutover(self, *extra, expect=0, yes=True):
        return self.az(*self.args(*extra, *(["--yes"] if yes else [])), expect=expect, timeout=400)

    def start(self, *extra):
        """The cutover as a process of its own (to kill or interrupt it); ``finish(proc)`` collects it."""
        return subprocess.Popen([self.az.path, *self.args(*extra, "--yes")], env=self.az.env, cwd=self.az.cwd,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)

    @staticmethod
    def finish(proc, timeout=300):
        out, err = proc.communicate(timeout=timeout)
        return AzResult(proc.returncode, out, err)

    @staticmethod
    def kill(proc, sig=signal.SIGKILL):
        """SIGKILL the whole az process group (az is a shell script around python)."""
        os.killpg(proc.pid, sig)

    def pods(self, app="web"):
        return [p for p in rest.call(self.api, "GET", f"/api/v1/namespaces/{self.ns}/pods",
                                     query={"labelSelector": f"app={app}"})["items"]
                if not p["metadata"].get("deletionTimestamp")]

    def ready(self, app="web"):
        return sum(1 for p in self.pods(app) if any(c["type"] == "Ready" and c["status"] == "True"
                                                    for c in (p.get("status") or {}).get("conditions") or []))

    def on_pool(self, pool, app="web"):
        return [p for p in self.pods(app) if (p["spec"].get("nodeName") or "").startswith(pool + "-")]

    def unschedulable(self, pool):
        nodes = rest.call(self.api, "GET", "/api/v1/nodes", query={"labelSelector": f"agentpool={pool}"})["items"]
        return sorted(bool(n["spec"].get("unschedulable")) for n in nodes)

    def record(self):
        """The cutover record of this move (document, lease), or (None, None)."""
        for item in rest.call(self.api, "GET", RECORDS)["items"] if exists(self.api, RECORDS[:-11]) else []:
            if item["metadata"]["name"].startswith(f"cutover-{self.old}-"):
                return json.loads(item["data"]["record"]), json.loads(item["data"]["lease"])
        return None, None

    def drop_record(self):
        for item in rest.call(self.api, "GET", RECORDS)["items"] if exists(self.api, RECORDS[:-11]) else []:
            if item["metadata"]["name"].startswith(f"cutover-{self.old}-"):
                rest.call(self.api, "DELETE", f"{RECORDS}/{item['metadata']['name']}")

    def arm_pool(self, pool):
        return next(p["properties"] for p in self.arm.dump()["agentPools"]
                    if p["id"].lower().endswith(f"/agentpools/{pool}") and f"/{CLUSTER}/" in p["id"])

    def pool_puts(self, pool):
        """The PUTs of ``pool`` ARM accepted (one answered 429 and sent again by the SDK was not)."""
        return [e for e in self.arm.requests() if e["method"] == "PUT" and 200 <= int(e["status"] or 0) < 300
                and e["path"].lower().endswith(f"/agentpools/{pool}")]

    def pool_deletes(self, pool):
        """The DELETEs of ``pool`` ARM accepted (one answered 429 and sent again by the SDK was not)."""
        return [e for e in self.arm.requests() if e["method"] == "DELETE" and 200 <= int(e["status"] or 0) < 300
                and e["path"].lower().endswith(f"/agentpools/{pool}")]

    def old_pool_deleted_after_the_final_verify(self):
        """ARM has no old pool; it was sent one DELETE (two after a failed LRO: what AKS advises), each after the
        record's final verify finished."""
        doc, _ = self.record()
        verified = doc["phases"]["verify"]["finishedAt"]
        deletes = self.pool_deletes(self.old)
        gone = not any(p["id"].lower().endswith(f"/agentpools/{self.old}") and f"/{CLUSTER}/" in p["id"]
                       for p in self.arm.dump()["agentPools"])
        return gone and bool(deletes) and all(_moment(e["time"]) >= _moment(verified) for e in deletes)

    def wait_for_phase(self, phase, status="running", timeout=120):
        """Until the record says ``phase`` is in ``status`` (a name, or a tuple of them)."""
        wanted = (status,) if isinstance(status, str) else status

        def there():
            doc, _ = self.record()
            return ((doc or {}).get("phases") or {}).get(phase, {}).get("status") in wanted
        wait_for(there, timeout, f"phase {phase} {status}", 0.2)


def _moment(stamp):
    """An ISO time (the emulator's request log, with microseconds; the record's, to the second) as a datetime."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


APPS = ("web", "loose")


class ReadySampler(Poller):
    """Ready replicas of each app every 200 ms in a thread; ``minimum`` is the lowest seen of any."""

    def __init__(self, move, apps=APPS):
        super().__init__()
        self.move, self.apps, self.samples = move, apps, []

    def poll(self):
        try:
            self.samples.append(min(self.move.ready(app) for app in self.apps))
        except rest.KubeApiError:
            pass

    @property
    def minimum(self):
        return min(self.samples)

    def __enter__(self):
        super().__enter__()
        time.sleep(0.3)   # a first sample before the run starts
        return self


def moved(move):
    """Every replica of both apps Ready on the new pool, none on the old; the old pool cordoned."""
    def there():
        return all(move.ready(app) == move.replicas and not move.on_pool(move.old, app) for app in APPS)
    wait_for(there, 30, "both apps on the new pool only")
    return all(len(move.on_pool(move.new, app)) == move.replicas for app in APPS) and set(
        move.unschedulable(move.old)) == {True}
