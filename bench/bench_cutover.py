"""Benchmark of `az aks wasi-migrate cutover` (issue 10) on the loopback control plane with the test kubelets and the
emulated Azure (LROs with a poll delay), through the real az:

  (a) cutover end to end against the same phase commands run one after another by a script (create-pool,
      retarget --phase parallel, retarget --phase cutover, drain, verify): the orchestration's overhead;
  (b) the resume cost after a SIGKILL in the drain phase: the killed run plus the re-run, against (a)'s cutover;
      and the same with the kill inside an eviction call (the budget as the API server leaves it then: run d);
  (c) ARM requests (the emulator's log), Kubernetes writes (the API server's audit log) and peak RSS of each.

Estate per run, built afresh: NODES WASI nodes holding Deployments of 5 to 10 replicas (PODS pods in all), each
with a PDB maxUnavailable 1 and terminationGracePeriodSeconds GRACE: the first a Spin app tied to the pool by AKS's
WASI RuntimeClass (retarget moves it), the others there only because those were the nodes they started on (the
drain moves them); the new pool's nodes join once ARM has the pool (as AKS would). The drain's lower bound is the slowest PDB chain:
the largest Deployment's replicas leaving one at a time, each waiting for its grace period and its replacement.

Usage (from the repository, after scripts/test.sh built the environments):
  WASIMIG_AZ=... WASIMIG_WHEEL=... python bench/bench_cutover.py [--nodes 6] [--pods 60] [--grace 2] [--lro-polls 5]
Prints a Markdown table.
"""

import argparse
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

# pylint: disable=wrong-import-position
from azext_wasimig.kube import connect, rest  # noqa: E402
from bench.common import machine_line, run_measured  # noqa: E402
from tests.emulator.api import start_emulator  # noqa: E402
from tests.emulator.azcli import add_extension, az_environment, login  # noqa: E402
from tests.k8s.audit import AuditLog  # noqa: E402
from tests.k8s.harness import FakeKubelet, create_when_ready, embedded_kubeconfig, exists, wait_for  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[1]
SUB, RG, CLUSTER = "12121212-1212-4212-8212-121212121212", "rg-bench", "aks-bench"
WASI_LABEL, OLD_CLASS, NEW_CLASS = "kubernetes.azure.com/wasmtime-spin-v1", "wasmtime-spin-v1", "bench-spin"
SIZES = (5, 6, 7, 8, 9, 10)


def estate(old, nodes):
    return {"tenantId": "72f988bf-0000-0000-0000-000000000001", "subscriptions": [{
        "subscriptionId": SUB, "displayName": "Bench", "clusters": [{
            "name": CLUSTER, "resourceGroup": RG, "location": "westeurope", "kubernetesVersion": "1.30.4",
            "agentPools": [{"name": "sys", "mode": "System", "vmSize": "Standard_D2s_v5", "count": 1},
                           {"name": old, "mode": "User", "vmSize": "Standard_D2s_v5", "count": nodes,
                            "workloadRuntime": "WasmWasi"}]}]}]}


def sizes_for(pods):
    """Deployment sizes of 5 to 10 adding up to ``pods`` (what is left over goes to the last one)."""
    out = []
    while sum(out) + SIZES[len(out) % len(SIZES)] <= pods:
        out.append(SIZES[len(out) % len(SIZES)])
    out[-1] += pods - sum(out)
    return out


class Estate:
    def __init__(self, api, kubelet, arm, tag, args):
        self.api, self.kubelet, self.arm, self.args = api, kubelet, arm, args
        self.ns, self.old, self.new = f"bench-{tag}", f"w{tag}", f"n{tag}"
        arm.set_estate(estate(self.old, args.nodes))
        rest.call(api, "POST", "/api/v1/namespaces", body={"metadata": {"name": self.ns}})
        wait_for(lambda: exists(api, f"/api/v1/namespaces/{self.ns}/serviceaccounts/default"), 30, "service account")
        kubelet.add_pool(self.old, args.nodes, labels={"bench": tag, WASI_LABEL: "true"})
        self.sizes = sizes_for(args.pods)
        for index, size in enumerate(self.sizes):   # the first is a Spin app retarget moves; the drain moves the rest
            self._deployment(f"app-{index}", size, tag, OLD_CLASS if index == 0 else None)
        wait_for(lambda: self.ready() >= args.pods, 300, f"{args.pods} ready pods", 0.5)
        self._joiner = threading.Thread(target=self._join, args=(tag,), daemon=True)
        self._joiner.start()

    def _deployment(self, name, size, tag, runtime_class):
        ns = self.ns
        spec = {"nodeSelector": {"bench": tag}, "terminationGracePeriodSeconds": self.args.grace,
                "containers": [{"name": "a", "image": "x.azurecr.io/a:1"}],
                **({"runtimeClassName": runtime_class} if runtime_class else {})}
        create_when_ready(self.api, f"/apis/apps/v1/namespaces/{ns}/deployments", {
            "metadata": {"name": name}, "spec": {"replicas": size, "selector": {"matchLabels": {"app": name}},
                                                 "template": {"metadata": {"labels": {"app": name}},
                                                              "spec": spec}}})
        create_when_ready(self.api, f"/apis/policy/v1beta1/namespaces/{ns}/poddisruptionbudgets", {
            "metadata": {"name": name}, "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": name}}}})

    def _join(self, tag):
        while not any(p["id"].lower().endswith(f"/agentpools/{self.new}") for p in self.arm.dump()["agentPools"]):
            time.sleep(0.2)
        self.kubelet.add_pool(self.new, self.args.nodes, labels={"bench": tag, "spin": "true"})

    def ready(self):
        pods = rest.list_all(self.api, f"/api/v1/namespaces/{self.ns}/pods")
        return sum(1 for p in pods if not p["metadata"].get("deletionTimestamp") and any(
            c["type"] == "Ready" and c["status"] == "True" for c in (p.get("status") or {}).get("conditions") or []))

    def wait_for_nodes(self):
        def ready():
            nodes = rest.list_all(self.api, "/api/v1/nodes", {"labelSelector": f"agentpool={self.new}"})
            return len(nodes) >= self.args.nodes
        wait_for(ready, 600, "the new pool's nodes", 1.0)

    def wait_for_rollouts(self):
        def done():
            items = rest.list_all(self.api, f"/apis/apps/v1/namespaces/{self.ns}/deployments")
            return all((d.get("status") or {}).get("updatedReplicas") == d["spec"]["replicas"]
                       == (d.get("status") or {}).get("availableReplicas") == (d.get("status") or {}).get("replicas")
                       and d["status"].get("observedGeneration") == d["metadata"]["generation"] for d in items)
        wait_for(done, 600, "the rollouts", 1.0)

    def pool_args(self):
        return ["--subscription", SUB, "-g", RG, "-n", CLUSTER, "--nodepool-name", self.old]


def cutover_argv(az, est, args):
    return [az, "aks", "wasi-migrate", "cutover", *est.pool_args(), "--new-nodepool-name", est.new,
            "--runtime-class", NEW_CLASS, "--final-soak", "0", "--grace-period", str(args.grace), "--yes",
            "--until", "verify",   # the phase commands below end with verify too (no delete-pool on either side)
            "--only-show-errors", "--query", "{phases: phases}"]


def phase_commands(az, est, args):
    """What a runbook chains, with the waits it needs between them (nodes Ready, rollouts done: what `kubectl wait`
    and `kubectl rollout status` would do), done here by polling every second."""
    move = [*est.pool_args(), "--new-nodepool-name", est.new]
    return [[az, "aks", "wasi-migrate", "create-pool", *est.pool_args(), "--new-nodepool-name", est.new,
             "--spin-shim"], est.wait_for_nodes,
            [az, "aks", "wasi-migrate", "retarget", *move, "--phase", "parallel", "--runtime-class", NEW_CLASS,
             "--yes"], est.wait_for_rollouts,
            [az, "aks", "wasi-migrate", "retarget", *move, "--phase", "cutover", "--runtime-class", NEW_CLASS,
             "--yes"], est.wait_for_rollouts,
            [az, "aks", "wasi-migrate", "drain", *est.pool_args(), "--yes", "--grace-period", str(args.grace)],
            [az, "aks", "wasi-migrate", "verify", *move]]


def measured(env, audit, arm, runs):
    """Run each step of ``runs`` in turn (an argv, or a callable: the runbook's own wait, timed too): wall time,
    peak RSS (the largest), ARM requests, Kubernetes writes, and the last command's JSON output."""
    mark, arm_before = audit.mark(), len(arm.requests())
    seconds, rss, codes, out = 0.0, 0.0, [], ""
    for step in runs:
        if callable(step):
            began = time.perf_counter()
            step()
            seconds += time.perf_counter() - began
            continue
        result = run_measured(step, env=env)
        seconds, rss, out = seconds + result["seconds"], max(rss, result["rss_mb"]), result["stdout"]
        codes.append(result["rc"])
        if result["rc"]:
            print(f"{step[3]} failed: {result['stderr'][-2000:]}", file=sys.stderr)
    arm_calls = [e for e in arm.requests()[arm_before:] if e["path"].lower().startswith("/subscriptions")]
    return {"seconds": seconds, "rss_mb": rss, "arm": len(arm_calls), "kube_writes": len(audit.writes_since(mark)),
            "rc": codes, "out": out}


def killed_in_drain(env, audit, arm, api, est, args, az, inside_eviction=False):
    """The cutover killed 1 s into its drain phase, then the same command again. ``inside_eviction``: the kill is
    taken to land inside an eviction call, after the API server wrote the budget and before it deleted the pod
    (a window of milliseconds a kill at a random moment hits now and then): the budget is written as eviction.go
    writes it, for a pod of the batch the re-run starts with."""
    mark, arm_before, started = audit.mark(), len(arm.requests()), time.perf_counter()
    proc = subprocess.Popen(cutover_argv(az, est, args), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    wait_for(lambda: _phase(api, est) == "running", 600, "the drain phase", 0.1)
    time.sleep(1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    killed = time.perf_counter() - started
    if inside_eviction:
        granted_but_not_deleted(api, est)
    verbose = dict(env, AZURE_CORE_ONLY_SHOW_ERRORS="false")   # the progress lines, for --log
    again = run_measured([a for a in cutover_argv(az, est, args) if a != "--only-show-errors"], env=verbose)
    if args.log:   # the re-run's progress lines, each with its elapsed time: where the resume spends it
        pathlib.Path(args.log).write_text(again["stderr"])
    arm_calls = [e for e in arm.requests()[arm_before:] if e["path"].lower().startswith("/subscriptions")]
    return {"seconds": killed + again["seconds"], "killed_at": killed, "rss_mb": again["rss_mb"],
            "arm": len(arm_calls), "kube_writes": len(audit.writes_since(mark)), "rc": [again["rc"]]}


def granted_but_not_deleted(api, est):
    """One running pod on the first old node not drained yet: its budget counts it as disrupted (status.disruptedPods,
    disruptionsAllowed one less), as when its eviction's client died between the budget write and the pod delete."""
    pods = [p for p in rest.list_all(api, f"/api/v1/namespaces/{est.ns}/pods")
            if not p["metadata"].get("deletionTimestamp") and (p["spec"].get("nodeName") or "").startswith(est.old)]
    path = f"/apis/policy/v1beta1/namespaces/{est.ns}/poddisruptionbudgets"
    for pod in sorted(pods, key=lambda p: p["spec"]["nodeName"]):
        pdb = rest.call(api, "GET", f"{path}/{pod['metadata']['labels']['app']}")
        if (pdb.get("status") or {}).get("disruptionsAllowed", 0) >= 1:
            pdb["status"]["disruptionsAllowed"] -= 1
            pdb["status"]["disruptedPods"] = {pod["metadata"]["name"]: time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                                   time.gmtime())}
            rest.call(api, "PUT", f"{path}/{pdb['metadata']['name']}/status", body=pdb)
            return
    raise RuntimeError("no pod left on the old pool whose budget allows a disruption")


def _phase(api, est, phase="drain"):
    try:
        items = rest.call(api, "GET", "/api/v1/namespaces/wasimig-system/configmaps")["items"]
    except rest.KubeApiError:
        return None
    for item in items:
        if item["metadata"]["name"].startswith(f"cutover-{est.old}-"):
            return ((json.loads(item["data"]["record"]).get("phases") or {}).get(phase) or {}).get("status")
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=6)
    parser.add_argument("--pods", type=int, default=60)
    parser.add_argument("--grace", type=int, default=2)
    parser.add_argument("--lro-polls", type=int, default=5)
    parser.add_argument("--log", help="write the resumed run's progress (stderr) to this file")
    parser.add_argument("--runs", default="abcd", help="which runs: a (cutover), b (the phase commands), c (resume "
                                                        "after a SIGKILL), d (the same, inside an eviction)")
    args = parser.parse_args()
    az = os.environ["WASIMIG_AZ"]
    with tempfile.TemporaryDirectory(prefix="wasimig-bench-cutover-") as home:
        home = pathlib.Path(home)
        run = home / "k8s"
        subprocess.run([str(REPO / "scripts" / "k8s-test-env" / "up.sh"), str(run)], check=True,
                       capture_output=True)
        arm = start_emulator(None, home / "arm", lro_polls=args.lro_polls)
        arm.settings(retryAfterMs=1000)   # AKS asks for a poll every few seconds; the SDK follows Retry-After
        api = connect.load_kubeconfig_file(str(run / "kubeconfig"))
        api.user_agent = "wasimig-bench-harness"
        kubelet = FakeKubelet(api).start()
        try:
            rows = bench(home, run, arm, api, kubelet, args, az)
        finally:
            kubelet.stop()
            arm.stop()
            subprocess.run([str(REPO / "scripts" / "k8s-test-env" / "down.sh"), str(run), "--purge"], check=False,
                           capture_output=True)
    print(f"Machine: {machine_line()}\n")
    print("| run | wall time | ARM requests | Kubernetes writes | peak RSS | exit codes |\n|---|---:|---:|---:|---:|---|")
    for name, row in rows:
        print(f"| {name} | {row['seconds']:.1f} s | {row['arm']} | {row['kube_writes']} | {row['rss_mb']:.0f} MB | "
              f"{row['rc']} |")
    phases = json.loads(rows[0][1].get("out") or "{}").get("phases") or {}
    print("\nThe cutover's phases (s): " + ", ".join(f"{name} {phases[name].get('durationSeconds')}"
                                                    for name in phases))
    lower = max(sizes_for(args.pods)) * args.grace
    print(f"\nDrain lower bound (the slowest PDB chain: {max(sizes_for(args.pods))} replicas one at a time, "
          f"{args.grace} s grace each): {lower} s.")


def bench(home, run, arm, api, kubelet, args, az):
    for name, selector in ((OLD_CLASS, {WASI_LABEL: "true"}), (NEW_CLASS, {"spin": "true"})):
        rest.call(api, "POST", "/apis/node.k8s.io/v1/runtimeclasses", body={
            "metadata": {"name": name}, "handler": "spin", "scheduling": {"nodeSelector": selector}})
    env = az_environment(arm, home / "config")
    env.update(AZURE_EXTENSION_DIR=str(home / "extensions"), AZURE_CORE_ONLY_SHOW_ERRORS="true")
    audit, rows = AuditLog(run / "audit.log"), []
    runs = (("a", "cutover, end to end"), ("b", "the phase commands, one after another"),
            ("c", "cutover SIGKILLed 1 s into the drain, then run again"),
            ("d", "the same, the kill inside an eviction (the budget written as it leaves it)"))
    for tag, label in [run for run in runs if run[0] in args.runs]:
        est = Estate(api, kubelet, arm, tag, args)
        arm.set_kubeconfig(SUB, RG, CLUSTER, embedded_kubeconfig(run / "kubeconfig"))
        login(az, env)
        if not rows:
            add_extension(az, env, os.environ["WASIMIG_WHEEL"], home)
        if tag == "a":
            rows.append((label, measured(env, audit, arm, [cutover_argv(az, est, args)])))
        elif tag == "b":
            rows.append((label, measured(env, audit, arm, phase_commands(az, est, args))))
        else:
            rows.append((label, killed_in_drain(env, audit, arm, api, est, args, az, inside_eviction=tag == "d")))
    return rows


if __name__ == "__main__":
    main()
