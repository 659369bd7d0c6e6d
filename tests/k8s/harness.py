"""A fake kubelet for the loopback control plane (there is no real kubelet: see testing-recipes.md part B).

What it plays, and only for the nodes it created:
- nodes: created Ready with capacity/allocatable (else the scheduler says "Too many pods") and without the
  ``node.kubernetes.io/not-ready`` taint the TaintNodesByCondition admission puts on every new node (nothing else
  would remove it: nodelifecycle is off);
- pods bound to its nodes become Running and Ready (what PDB status, Deployments and DaemonSets count);
- terminating pods are finalised once their grace period is over (``deletionTimestamp`` = delete time + grace):
  DELETE with gracePeriodSeconds=0 and a UID precondition, as a kubelet confirms a stopped pod;
- binding: only with ``bind=True`` (no kube-scheduler running). With the real scheduler it must not bind
  (re-binding answers 409).
It follows pods with one watch (raw dicts), and acts from a small thread pool.
"""

import base64
import contextlib
import datetime
import hashlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import yaml

from azext_wasimig.kube import rest

NODE_CAPACITY = {"cpu": "64", "memory": "256Gi", "pods": "250"}


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _stamp(moment=None):
    return (moment or _now()).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(stamp):
    return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


class FakeKubelet:
    def __init__(self, api_client, bind=False, workers=4, max_grace=None):
        """``max_grace``: finalise terminating pods after at most this many seconds, whatever their grace period
        (e.g. for a namespace teardown of pods with the default 30 s); None honours every grace period."""
        self.api = api_client
        self.bind, self.max_grace = bind, max_grace
        self.nodes = {}                 # name -> labels
        self._ready = set()             # pod UIDs already marked Running+Ready
        self._terminating = {}          # uid -> (due datetime, namespace, name)
        self._bound = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fake-kubelet")
        self._threads = []

    # --- nodes ---------------------------------------------------------------------------------------------

    def add_node(self, name, labels=None, capacity=None, provider_id=None):
        """``provider_id``: the node's ``spec.providerID`` (see ``vmss_provider_id``); AKS's nodes all have one."""
        labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", **(labels or {})}
        spec = {"providerID": provider_id} if provider_id else {}
        rest.call(self.api, "POST", "/api/v1/nodes",
                  body={"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels},
                        "spec": spec})
        capacity = dict(NODE_CAPACITY, **(capacity or {}))
        rest.call(self.api, "PATCH", f"/api/v1/nodes/{name}/status", content_type="application/merge-patch+json",
                  body={"status": {"capacity": capacity, "allocatable": capacity, "conditions": [{
                      "type": "Ready", "status": "True", "reason": "KubeletReady", "message": "fake kubelet",
                      "lastHeartbeatTime": _stamp(), "lastTransitionTime": _stamp()}]}})
        rest.call(self.api, "PATCH", f"/api/v1/nodes/{name}", content_type="application/merge-patch+json",
                  body={"spec": {"taints": None}})
        with self._lock:
            self.nodes[name] = labels
        return name

    def add_pool(self, pool, count, prefix=None, labels=None, owner=None):
        """``count`` nodes labelled like AKS labels a pool's nodes; returns their names. ``owner``
        (``aks_owner(...)``) gives them the providerIDs AKS gives that cluster's nodes."""
        pool_labels = {"kubernetes.azure.com/agentpool": pool, "agentpool": pool, **(labels or {})}
        return [self.add_node(f"{prefix or pool}-{i}", pool_labels,
                              provider_id=vmss_provider_id(owner, pool, i) if owner else None)
                for i in range(count)]

    def delete_nodes(self):
        for name in list(self.nodes):
            try:
                rest.call(self.api, "DELETE", f"/api/v1/nodes/{name}")
            except rest.KubeApiError:
                pass
            with self._lock:
                self.nodes.pop(name, None)

    # --- lifecycle -----------------------------------------------------------------------------------------

    def start(self):
        for target in (self._watch_loop, self._reap_loop):
            thread = threading.Thread(target=target, daemon=True, name=f"fake-kubelet-{target.__name__}")
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=0.5)   # the watch may sit in a read; it is a daemon and re-checks the flag
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- the loops -----------------------------------------------------------------------------------------

    def _watch_loop(self):
        version = None
        while not self._stop.is_set():
            try:
                if version is None:
                    answer = rest.call(self.api, "GET", "/api/v1/pods")
                    for pod in answer.get("items") or []:
                        self._on_pod(pod)
                    version = answer["metadata"]["resourceVersion"]
                version = self._follow(version)
            except rest.KubeApiError as ex:
                version = None if ex.status == 410 else version   # too old: list again
                time.sleep(0.1)
            except Exception:  # pylint: disable=broad-except  # connection hiccup: retry
                time.sleep(0.2)

    def _follow(self, version):
        """One watch request (ends after a few seconds); returns the last resourceVersion seen."""
        import json
        _, url, headers, _, _ = self.api.param_serialize(
            "GET", "/api/v1/pods", query_params=[("watch", "true"), ("resourceVersion", version),
                                                 ("timeoutSeconds", "2"), ("allowWatchBookmarks", "true")],
            header_params={"Accept": "application/json"}, auth_settings=["BearerToken"])
        response = self.api.call_api("GET", url, headers, _request_timeout=(5, 10))
        if response.status != 200:
            raise rest.KubeApiError("GET", "/api/v1/pods?watch", response.status, {})
        for line in _lines(response.response):
            if self._stop.is_set():
                break
            event = json.loads(line)
            if event.get("type") == "ERROR":
                raise rest.KubeApiError("GET", "watch", (event.get("object") or {}).get("code") or 500, {})
            obj = event.get("object") or {}
            version = (obj.get("metadata") or {}).get("resourceVersion") or version
            if event.get("type") in ("ADDED", "MODIFIED"):
                self._on_pod(obj)
        return version

    def _on_pod(self, pod):
        meta, spec = pod.get("metadata") or {}, pod.get("spec") or {}
        uid, node = meta.get("uid"), spec.get("nodeName")
        with self._lock:
            ours = node in self.nodes
            if meta.get("deletionTimestamp"):
                if ours or not node:
                    self._terminating.setdefault(uid, (self._finalise_at(meta), meta["namespace"], meta["name"]))
                return
            if not node:
                if self.bind and uid not in self._bound:
                    self._bound.add(uid)
                    self._pool.submit(self._bind, pod)
                return
            if not ours or uid in self._ready or (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                return
            self._ready.add(uid)
        self._pool.submit(self._mark_running, pod)

    def _finalise_at(self, meta):
        due = _parse(meta["deletionTimestamp"])   # = delete time + grace period
        if self.max_grace is not None:
            due = min(due, _now() + datetime.timedelta(seconds=self.max_grace))
        return due

    def _reap_loop(self):
        while not self._stop.wait(0.05):
            now = _now()
            with self._lock:
                due = [(uid, ns, name) for uid, (when, ns, name) in self._terminating.items() if when <= now]
                for uid, _, _ in due:
                    del self._terminating[uid]
            for uid, namespace, name in due:
                self._pool.submit(self._finalise, namespace, name, uid)

    # --- what a kubelet would do ---------------------------------------------------------------------------

    def _mark_running(self, pod):
        meta, spec = pod["metadata"], pod.get("spec") or {}
        now = _stamp()
        conditions = [{"type": t, "status": "True", "lastTransitionTime": now}
                      for t in ("Initialized", "PodScheduled", "ContainersReady", "Ready")]
        containers = [{"name": c["name"], "image": c.get("image", ""), "imageID": "", "ready": True,
                       "started": True, "restartCount": 0, "state": {"running": {"startedAt": now}}}
                      for c in spec.get("containers") or []]
        body = {"status": {"phase": "Running", "conditions": conditions, "containerStatuses": containers,
                           "startTime": now, "podIP": "10.244.0.10", "hostIP": "10.240.0.4"}}
        self._quietly("PATCH", f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}/status", body,
                      "application/strategic-merge-patch+json")

    def _finalise(self, namespace, name, uid):
        self._quietly("DELETE", f"/api/v1/namespaces/{namespace}/pods/{name}",
                      {"gracePeriodSeconds": 0, "preconditions": {"uid": uid}})

    def _bind(self, pod):
        meta, selector = pod["metadata"], (pod.get("spec") or {}).get("nodeSelector") or {}
        with self._lock:
            fitting = [n for n, labels in self.nodes.items() if all(labels.get(k) == v for k, v in selector.items())]
        if fitting:
            target = fitting[hash(meta["uid"]) % len(fitting)]
            self._quietly("POST", f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}/binding",
                          {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": meta["name"]},
                           "target": {"apiVersion": "v1", "kind": "Node", "name": target}})

    def _quietly(self, method, path, body, content_type=None):
        try:
            rest.call(self.api, method, path, body=body, content_type=content_type)
        except rest.KubeApiError:
            pass   # gone or changed meanwhile: the next event tells


def _lines(response):
    """Newline-delimited JSON from a streaming urllib3 response."""
    buffer = b""
    for chunk in response.stream(4096, decode_content=True):
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if line.strip():
                yield line
    if buffer.strip():
        yield buffer


# --- small helpers shared by the k8s tests and bench/bench_drain.py ---------------------------------------------

def aks_owner(subscription, resource_group, cluster, location="westeurope"):
    """(subscription, node resource group) of an emulated cluster: what its nodes' providerIDs name."""
    from tests.emulator.resources import node_resource_group
    return subscription, node_resource_group(resource_group, cluster, location)


def vmss_provider_id(owner, pool, index):
    """The ``spec.providerID`` the Azure cloud provider gives a VMSS node of ``pool`` (AKS writes the node
    resource group in lower case)."""
    subscription, node_resource_group = owner
    return (f"azure:///subscriptions/{subscription}/resourceGroups/{node_resource_group.lower()}/providers/"
            f"Microsoft.Compute/virtualMachineScaleSets/aks-{pool}-12345678-vmss/virtualMachines/{index}")


def exists(api, path):
    try:
        rest.call(api, "GET", path)
        return True
    except rest.KubeApiError as ex:
        if ex.status == 404:
            return False
        raise


def wait_for(predicate, timeout, what, interval=0.05):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def create_when_ready(api, path, body, timeout=5.0):
    """POST ``body``, retrying while a new namespace's default ServiceAccount is not usable yet: pods are refused
    until the controller-manager has made it and its token (``account_not_ready``)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return rest.call(api, "POST", path, body=body)
        except rest.KubeApiError as ex:
            if not account_not_ready(ex.status, ex.server_message) or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def account_not_ready(status, message):
    """The API server's two answers while a namespace's default ServiceAccount is being made: 403 (the account
    does not exist yet) and 500 "No API token found for service account ..., retry after the token is
    automatically created" (the account exists, the token controller has not given it a token yet)."""
    text = str(message or "").lower()
    return (status == 403 and "serviceaccount" in text) or (status == 500 and "no api token found" in text)


AKS_SPIN_CLASS, AKS_SPIN_LABEL = "wasmtime-spin-v2", "kubernetes.azure.com/wasmtime-spin-v2"


@contextlib.contextmanager
def aks_spin_runtime_class(api):
    """AKS's own RuntimeClass wasmtime-spin-v2 for the duration: it schedules only onto nodes labelled
    kubernetes.azure.com/wasmtime-spin-v2=true, which only the WASI pools' nodes carry."""
    path = f"/apis/node.k8s.io/v1/runtimeclasses/{AKS_SPIN_CLASS}"
    assert not exists(api, path), f"RuntimeClass {AKS_SPIN_CLASS} is left over from another test"
    rest.call(api, "POST", "/apis/node.k8s.io/v1/runtimeclasses", body={
        "metadata": {"name": AKS_SPIN_CLASS}, "handler": "spin",
        "scheduling": {"nodeSelector": {AKS_SPIN_LABEL: "true"}}})
    try:
        yield AKS_SPIN_CLASS
    finally:
        rest.call(api, "DELETE", path)


def label_nodes(api, names, labels):
    for name in names:
        rest.call(api, "PATCH", f"/api/v1/nodes/{name}", content_type="application/merge-patch+json",
                  body={"metadata": {"labels": labels}})


def remove_namespace(api, namespace):
    """Delete the namespace's controllers, force-delete its pods (no kubelet would), then the namespace."""
    for path in (f"/apis/apps/v1/namespaces/{namespace}/deployments",
                 f"/apis/apps/v1/namespaces/{namespace}/daemonsets"):
        rest.call(api, "DELETE", path)
    rest.call(api, "DELETE", f"/api/v1/namespaces/{namespace}/pods", query={"gracePeriodSeconds": 0})
    rest.call(api, "DELETE", f"/api/v1/namespaces/{namespace}")


def embedded_kubeconfig(path, server=None, token=None):
    """The control plane's kubeconfig as ARM hands one out: CA inline, no file paths."""
    config = yaml.safe_load(path.read_text())
    cluster = config["clusters"][0]["cluster"]
    ca_path = cluster.pop("certificate-authority", None)
    if ca_path:
        with open(ca_path, "rb") as f:
            cluster["certificate-authority-data"] = base64.b64encode(f.read()).decode()
    if server:
        cluster["server"] = server
    if token:
        config["users"][0]["user"]["token"] = token
    return yaml.safe_dump(config)


def pool_name(namespace, role):
    """A node pool name AKS accepts (a lowercase letter, then up to 11 lowercase letters or digits) that is unique
    to the test's namespace: ``role`` (one letter, e.g. 'w' for the WASI pool) and 8 hex digits of its hash."""
    return role + hashlib.sha256(namespace.encode()).hexdigest()[:8]


def cluster_estate(subscription, resource_group, cluster, pools, tenant="72f988bf-0000-0000-0000-000000000001"):
    """An emulator estate of one subscription with one cluster and ``pools``: {name: (mode, count, runtime)}."""
    agent_pools = [{"name": name, "mode": mode, "vmSize": "Standard_D2s_v5", "count": count,
                    **({"workloadRuntime": runtime} if runtime else {})}
                   for name, (mode, count, runtime) in pools.items()]
    return {"tenantId": tenant, "subscriptions": [{
        "subscriptionId": subscription, "displayName": cluster,
        "clusters": [{"name": cluster, "resourceGroup": resource_group, "location": "westeurope",
                      "kubernetesVersion": "1.30.4", "agentPools": agent_pools}]}]}


def kubelet_reports(api, pod, ready_after, restarts=0, last_reason=None):
    """What a kubelet writes after a start that took ``ready_after`` s (and ``restarts`` restarts ending with
    ``last_reason``, e.g. OOMKilled): the conditions' times and the first container's restart count and last state.
    The fake kubelet marks a pod Ready once and leaves it alone afterwards, so this stays as written."""
    created = _parse(pod["metadata"]["creationTimestamp"])

    def at(seconds):
        return _stamp(created + datetime.timedelta(seconds=seconds))
    conditions = [{"type": t, "status": "True", "lastTransitionTime": at(s)}
                  for t, s in (("PodScheduled", 1), ("Initialized", 1), ("ContainersReady", ready_after),
                               ("Ready", ready_after))]
    first = pod["spec"]["containers"][0]
    container = {"name": first["name"], "restartCount": restarts, "ready": True, "image": first.get("image", ""),
                 "imageID": "", "state": {"running": {"startedAt": at(ready_after)}}}
    if last_reason:
        container["lastState"] = {"terminated": {"exitCode": 137, "reason": last_reason, "startedAt": at(2),
                                                 "finishedAt": at(ready_after - 1)}}
    meta = pod["metadata"]
    rest.call(api, "PATCH", f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}/status",
              content_type="application/strategic-merge-patch+json",
              body={"status": {"conditions": conditions, "containerStatuses": [container]}})
