"""Benchmark of `scan` over 5,000 workloads on the loopback control plane (kube-apiserver/KCM v1.20.2, the
harness kubelet marking pods Running):

  - az          `az aks wasi-migrate scan -g … -n …` end to end: the real az with the wheel, credentials from
                the emulated ARM, the real API server (what a user runs)
  - core        azext_wasimig.kube.snapshot.take + scan.assess in a plain Python process (API calls counted)
  - kubectl     `kubectl get deploy,sts,ds,rs,job,cronjob,pods,pdb,runtimeclass,nodes -A -o json` (what an
                operator would fetch by hand to do the same assessment; API calls from its -v=6 log)

Workload: NAMESPACES x PER_NS Deployments of 1 replica: every 5th a Spin app (runtimeClassName), every 5th pinned
to the WASI pool by nodeSelector, the rest plain; a PDB on every 10th; 10 WASI and 10 standard nodes.
Usage: WASIMIG_AZ=… WASIMIG_WHEEL=… python bench/bench_scan.py [--namespaces 50] [--per-ns 100] [--runs 3]
Starts its own control plane on its own ports. Prints Markdown.
"""

import argparse
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from azext_wasimig.kube import connect, rest  # noqa: E402
from bench.common import az_path, machine_line, run_measured, wheel_path  # noqa: E402
from tests.k8s.harness import FakeKubelet, exists, wait_for  # noqa: E402

SCRIPTS = pathlib.Path(__file__).resolve().parents[1] / "scripts" / "k8s-test-env"
PORTS = {"WASIMIG_K8S_API_PORT": "46443", "WASIMIG_K8S_ETCD_PORT": "53790", "WASIMIG_K8S_ETCD_PEER_PORT": "53800",
         "WASIMIG_K8S_KCM_PORT": "40257", "WASIMIG_K8S_SCHED_PORT": "40259"}
KUBECTL_REQUEST = re.compile(r"\] (GET|POST|PUT|PATCH|DELETE) https?://\S+ \d{3}")
SUB, RG, CLUSTER, WASI, STD = "99999999-9999-9999-9999-999999999999", "rg-bench", "aks-bench", "wasi", "std"


def deployment(i):
    spec = {"containers": [{"name": "app", "image": "example.azurecr.io/app:1"}]}
    if i % 5 == 0:
        spec.update(runtimeClassName="wasmtime-spin-v2", containers=[{"name": "app", "image": "r.io/spin:1",
                                                                       "command": ["/"]}])
    elif i % 5 == 1:
        spec["nodeSelector"] = {"kubernetes.azure.com/agentpool": WASI}
    return {"metadata": {"name": f"app-{i}"}, "spec": {
        "replicas": 1, "selector": {"matchLabels": {"app": f"app-{i}"}},
        "template": {"metadata": {"labels": {"app": f"app-{i}"}}, "spec": spec}}}


def build(api, args):
    rest.call(api, "POST", "/apis/node.k8s.io/v1/runtimeclasses", body={
        "metadata": {"name": "wasmtime-spin-v2"}, "handler": "spin",
        "scheduling": {"nodeSelector": {"kubernetes.azure.com/wasmtime-spin-v2": "true"}}})

    def one_namespace(n):
        ns = f"bench-{n}"
        rest.call(api, "POST", "/api/v1/namespaces", body={"metadata": {"name": ns}})
        wait_for(lambda: exists(api, f"/api/v1/namespaces/{ns}/serviceaccounts/default"), 30, "service account")
        for i in range(args.per_ns):
            rest.call(api, "POST", f"/apis/apps/v1/namespaces/{ns}/deployments", body=deployment(i))
            if i % 10 == 0:
                rest.call(api, "POST", f"/apis/policy/v1beta1/namespaces/{ns}/poddisruptionbudgets", body={
                    "metadata": {"name": f"app-{i}"},
                    "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": f"app-{i}"}}}})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one_namespace, range(args.namespaces)))
    total = args.namespaces * args.per_ns
    wait_for(lambda: len(rest.list_all(api, "/api/v1/pods")) >= total, 900, f"{total} pods", 2)


def core_worker(kubeconfig):
    from azext_wasimig.evaluate import scan
    from azext_wasimig.kube import snapshot
    from bench.bench_drain import counted_client
    api, calls = counted_client(kubeconfig)
    findings = scan.assess(snapshot.take(api), [WASI])
    print(f"{calls[0]} {len(findings)}")


def az_environment(kubeconfig, home):
    from tests.emulator.api import start_emulator
    from tests.emulator.azcli import add_extension, az_environment as emulator_env, login
    from tests.k8s.harness import embedded_kubeconfig
    estate = {"tenantId": "72f988bf-0000-0000-0000-000000000001", "subscriptions": [{
        "subscriptionId": SUB, "displayName": "Bench", "clusters": [{
            "name": CLUSTER, "resourceGroup": RG, "location": "westeurope", "kubernetesVersion": "1.30.4",
            "agentPools": [{"name": "sys", "mode": "System", "vmSize": "Standard_D2s_v5", "count": 1},
                           {"name": WASI, "mode": "User", "vmSize": "Standard_D2s_v5", "count": 10,
                            "workloadRuntime": "WasmWasi"},
                           {"name": STD, "mode": "User", "vmSize": "Standard_D2s_v5", "count": 10}]}]}]}
    arm = start_emulator(estate, home / "arm")
    arm.set_kubeconfig(SUB, RG, CLUSTER, embedded_kubeconfig(pathlib.Path(kubeconfig)))
    env = emulator_env(arm, home / "cfg")
    env.update(AZURE_EXTENSION_DIR=str(home / "ext"))
    login(az_path(), env)
    add_extension(az_path(), env, wheel_path(), home)
    return arm, env


def methods(kubeconfig, env):
    kinds = "deploy,sts,ds,rs,job,cronjob,pods,pdb,runtimeclass,nodes"
    return {
        "az aks wasi-migrate scan": ([az_path(), "aks", "wasi-migrate", "scan", "--subscription", SUB, "-g", RG,
                                      "-n", CLUSTER, "-o", "none"], env),
        "core (snapshot.take + scan.assess)": ([sys.executable, __file__, "--worker", kubeconfig], None),
        f"kubectl get {kinds} -A -o json": (["kubectl", "--kubeconfig", kubeconfig, "get", kinds, "-A", "-o",
                                             "json", "-v=6"], None),
    }


def calls_of(name, run, arm_calls):
    if name.startswith("core"):
        return int(run["stdout"].split()[0])
    if name.startswith("kubectl"):
        return len(KUBECTL_REQUEST.findall(run["stderr"]))
    return f"{arm_calls} ARM + the core's"   # az runs the same core; its Kubernetes calls are the core's


def measure_all(arm, kubeconfig, env, runs):
    rows = []
    for name, (argv, run_env) in methods(kubeconfig, env).items():
        results = []
        for _ in range(runs):
            arm.clear_requests()
            run = run_measured(argv, env=run_env)
            run["arm_calls"] = len([e for e in arm.requests() if e["path"].lower().startswith("/subscriptions/")])
            assert run["rc"] == 0, run["stderr"][-2000:]
            results.append(run)
        results.sort(key=lambda r: r["seconds"])
        median = results[len(results) // 2]
        rows.append((name, median["seconds"], max(r["rss_mb"] for r in results),
                     calls_of(name, median, median["arm_calls"])))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--namespaces", type=int, default=50)
    parser.add_argument("--per-ns", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worker")
    args = parser.parse_args()
    if args.worker:
        return core_worker(args.worker)
    os.environ.update(PORTS)
    home = pathlib.Path(tempfile.mkdtemp(prefix="wasimig-bench-scan-"))
    subprocess.run([str(SCRIPTS / "up.sh"), str(home / "k8s")], check=True, capture_output=True)
    kubeconfig = str(home / "k8s" / "kubeconfig")
    api = connect.load_kubeconfig_file(kubeconfig)
    kubelet = FakeKubelet(api, bind=False, workers=8).start()
    arm = None
    try:
        kubelet.add_pool(WASI, 10, labels={"kubernetes.azure.com/wasmtime-spin-v2": "true"})
        kubelet.add_pool(STD, 10)
        build(api, args)
        arm, env = az_environment(kubeconfig, home)
        rows = measure_all(arm, kubeconfig, env, args.runs)
    finally:
        kubelet.stop()
        if arm:
            arm.stop()
        subprocess.run([str(SCRIPTS / "down.sh"), str(home / "k8s"), "--purge"], check=False, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)
    base = rows[-1][1]
    print(f"scan of {args.namespaces * args.per_ns} Deployments (+ as many ReplicaSets and Pods), 20 nodes. "
          f"{machine_line()}; median of {args.runs} runs, peak RSS the highest of them\n")
    print("| command | wall s | ratio to kubectl get | API calls | peak RSS MB |\n|---|---:|---:|---:|---:|")
    for name, seconds, rss, calls in rows:
        print(f"| `{name}` | {seconds:.2f} | {seconds / base:.2f} | {calls} | "
              f"{rss:.0f} |")


if __name__ == "__main__":
    main()
