"""Benchmark of draining a node pool on the loopback control plane (kube-apiserver/KCM/scheduler v1.20.2 + the fake
kubelet of tests/k8s/harness.py, which honours each pod's grace period):

  - wasimig   azext_wasimig.drain.drain_pool (concurrent evictions, one pod list per node to wait)
  - serial    a one-pod-at-a-time loop: evict, retry 429s, wait until gone, next pod
  - kubectl   kubectl drain -l kubernetes.azure.com/agentpool=<pool> --ignore-daemonsets --delete-emptydir-data
              (kubectl 1.32; it drains the selected nodes one after the other, each node's pods concurrently)

Workload per method, built afresh: NODES wasi nodes holding PODS pods (Deployments of REPLICAS replicas, every
other one with a PDB maxUnavailable 2), terminationGracePeriodSeconds GRACE, and NODES std nodes to receive the
replacements. Each method runs in its own process: wall time, API requests (wasimig/serial: counted in the client;
kubectl: its -v=6 request log) and that process's peak RSS (bench/common.py:run_measured). The serial loop drains only the first node and
is scaled up to the whole pool (the table says so): at GRACE=5 s, 500 pods one by one take ~45 min.

Usage: python bench/bench_drain.py [--nodes 20] [--pods 500] [--replicas 20] [--grace 5] [--methods wasimig,serial,kubectl]
It starts its own control plane (scripts/k8s-test-env/up.sh; ports and binaries from the WASIMIG_K8S_* env) unless
--kubeconfig names a running one. Prints a Markdown table.
"""

import argparse
import json
import pathlib
import re
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from azext_wasimig.kube import connect, rest  # noqa: E402
from bench.common import machine_line, run_measured  # noqa: E402
from tests.k8s.harness import FakeKubelet, exists, remove_namespace, wait_for  # noqa: E402

SCRIPTS = pathlib.Path(__file__).resolve().parents[1] / "scripts" / "k8s-test-env"
KUBECTL_REQUEST = re.compile(r'\] (GET|POST|PUT|PATCH|DELETE) https?://\S+ \d{3}|"Response" verb=')


# --- workload ----------------------------------------------------------------------------------------------------

def build(api, kubelet, args, tag):
    """Namespace, pools and workload for one method; returns (namespace, wasi pool, std pool)."""
    namespace, wasi, std = f"bench-{tag}", f"w{tag}", f"s{tag}"
    rest.call(api, "POST", "/api/v1/namespaces", body={"metadata": {"name": namespace}})
    wait_for(lambda: exists(api, f"/api/v1/namespaces/{namespace}/serviceaccounts/default"), 20, "service account")
    kubelet.add_pool(wasi, args.nodes, labels={"bench": tag})
    for i in range(args.pods // args.replicas):
        name = f"app-{i}"
        rest.call(api, "POST", f"/apis/apps/v1/namespaces/{namespace}/deployments", body={
            "metadata": {"name": name}, "spec": {
                "replicas": args.replicas, "selector": {"matchLabels": {"app": name}},
                "template": {"metadata": {"labels": {"app": name}}, "spec": {
                    "nodeSelector": {"bench": tag}, "terminationGracePeriodSeconds": args.grace,
                    "containers": [{"name": "app", "image": "example.azurecr.io/app:1"}]}}}})
        if i % 2 == 0:
            rest.call(api, "POST", f"/apis/policy/v1beta1/namespaces/{namespace}/poddisruptionbudgets", body={
                "metadata": {"name": f"{name}-pdb"},
                "spec": {"maxUnavailable": 2, "selector": {"matchLabels": {"app": name}}}})
    wait_for(lambda: ready_count(api, namespace) >= args.pods, 300, f"{args.pods} ready pods", 0.2)
    kubelet.add_pool(std, args.nodes, labels={"bench": tag})
    return namespace, wasi, std


def ready_count(api, namespace):
    pods = rest.list_all(api, f"/api/v1/namespaces/{namespace}/pods")
    return sum(1 for p in pods if not p["metadata"].get("deletionTimestamp") and any(
        c["type"] == "Ready" and c["status"] == "True" for c in p.get("status", {}).get("conditions") or []))


# --- the methods, each run in a worker process -------------------------------------------------------------------

def counted_client(kubeconfig):
    api = connect.load_kubeconfig_file(kubeconfig)
    calls = [0]
    request = api.rest_client.request

    def counting(*a, **kw):
        calls[0] += 1
        return request(*a, **kw)

    api.rest_client.request = counting
    return api, calls


def worker_wasimig(kubeconfig, pool, grace):
    from azext_wasimig.drain import DrainOptions, drain_pool
    from azext_wasimig.drain.errors import DrainIncomplete
    from azext_wasimig.migration_target import MigrationTarget
    api, calls = counted_client(kubeconfig)
    target = MigrationTarget(resource_group="bench", cluster={"name": "bench"}, pools=({"name": pool},),
                             wasi_pool={"name": pool})
    try:
        summary = drain_pool(api, target, DrainOptions(timeout=1800, grace_period=grace))
    except DrainIncomplete as ex:   # the table says so ("complete": False) instead of the run failing
        summary = ex.summary
    return {"requests": calls[0], "evicted": len(summary["evicted"]), "complete": summary["complete"]}


def worker_serial(kubeconfig, pool, grace):
    """Drain the pool's first node one pod at a time (evict, retry 429 every second, wait until gone)."""
    from azext_wasimig.drain import cordon as kube_nodes
    api, calls = counted_client(kubeconfig)
    first = kube_nodes.nodes_of_pool(api, pool)[:1]
    kube_nodes.cordon(api, first)
    pods = kube_nodes.pods_on_nodes(api, [kube_nodes.node_name(first[0])])
    evicted = 0
    for pod in next(iter(pods.values())):
        meta = pod["metadata"]
        path = f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}"
        while True:
            try:
                rest.call(api, "POST", path + "/eviction", body={
                    "apiVersion": "policy/v1beta1", "kind": "Eviction",
                    "metadata": {"name": meta["name"], "namespace": meta["namespace"]},
                    "deleteOptions": {"gracePeriodSeconds": grace}})
                break
            except rest.KubeApiError as ex:
                if ex.status != 429:
                    raise
                time.sleep(1)
        while _same_pod(api, path, meta["uid"]):
            time.sleep(0.5)
        evicted += 1
    return {"requests": calls[0], "evicted": evicted, "complete": True, "nodesDrained": 1}


def _same_pod(api, path, uid):
    try:
        return rest.call(api, "GET", path)["metadata"]["uid"] == uid
    except rest.KubeApiError as ex:
        if ex.status == 404:
            return False
        raise


def run_worker(method, kubeconfig, pool, grace):
    """Runs one method in a child process; returns its JSON line, wall time and peak RSS (MB)."""
    if method == "kubectl":
        argv = ["kubectl", "--kubeconfig", kubeconfig, "drain", "-l", f"kubernetes.azure.com/agentpool={pool}",
                "--ignore-daemonsets", "--delete-emptydir-data", f"--grace-period={grace}", "--timeout=30m", "-v=6"]
    else:
        argv = [sys.executable, __file__, "--worker", method, "--kubeconfig", kubeconfig, "--pool", pool,
                "--grace", str(grace)]
    run = run_measured(argv)
    if run["rc"]:
        sys.exit(f"{method} failed ({run['rc']}):\n{run['stderr'][-3000:]}")
    result = {"requests": len(KUBECTL_REQUEST.findall(run["stderr"])), "complete": True} if method == "kubectl" \
        else json.loads(run["stdout"].strip().splitlines()[-1])
    return dict(result, seconds=run["seconds"], rss_mb=run["rss_mb"])


# --- main --------------------------------------------------------------------------------------------------------

def control_plane(args):
    if args.kubeconfig:
        return args.kubeconfig, None
    run = pathlib.Path(tempfile.mkdtemp(prefix="wasimig-bench-k8s-"))
    subprocess.run([str(SCRIPTS / "up.sh"), str(run)], check=True, capture_output=True)
    return str(run / "kubeconfig"), run


def table(args, rows):
    lines = [f"Drain of {args.nodes} nodes / {args.pods} pods (Deployments of {args.replicas}, PDB maxUnavailable 2 on "
             f"every other one), grace period {args.grace} s. {machine_line()}", "",
             "| method | wall time | API requests | peak RSS | note |", "|---|---:|---:|---:|---|"]
    for method, r in rows:
        note = "complete" if r.get("complete") else "INCOMPLETE"
        seconds, requests = r["seconds"], r["requests"]
        if method == "serial":
            factor = args.pods / max(1, r["evicted"])
            note = (f"measured on 1 node ({r['evicted']} pods, {seconds:.1f} s, {requests} requests); "
                    f"scaled x{factor:.0f} to {args.pods} pods")
            seconds, requests = seconds * factor, int(requests * factor)
        lines.append(f"| {method} | {seconds:.1f} s | {requests} | {r['rss_mb']:.0f} MB | {note} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=20)
    parser.add_argument("--pods", type=int, default=500)
    parser.add_argument("--replicas", type=int, default=20)
    parser.add_argument("--grace", type=int, default=5)
    parser.add_argument("--methods", default="wasimig,serial,kubectl")
    parser.add_argument("--kubeconfig")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--pool", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker = {"wasimig": worker_wasimig, "serial": worker_serial}[args.worker]
        print(json.dumps(worker(args.kubeconfig, args.pool, args.grace)))
        return
    kubeconfig, started_run = control_plane(args)
    api = connect.load_kubeconfig_file(kubeconfig)
    kubelet = FakeKubelet(api, workers=8).start()
    rows = []
    try:
        for method in args.methods.split(","):
            tag = uuid.uuid4().hex[:6]
            namespace, wasi, _ = build(api, kubelet, args, tag)
            print(f"{method}: {args.pods} pods ready on pool {wasi}; draining", file=sys.stderr)
            rows.append((method, run_worker(method, kubeconfig, wasi, args.grace)))
            print(f"{method}: {rows[-1][1]}", file=sys.stderr)
            kubelet.max_grace = 0          # let the teardown's pods go at once
            remove_namespace(api, namespace)
            wait_for(lambda: not exists(api, f"/api/v1/namespaces/{namespace}"), 300, "namespace teardown", 0.2)
            kubelet.max_grace = None
            kubelet.delete_nodes()
    finally:
        kubelet.stop()
        if started_run:
            subprocess.run([str(SCRIPTS / "down.sh"), str(started_run), "--purge"], check=False, capture_output=True)
    print(table(args, rows))


if __name__ == "__main__":
    main()
