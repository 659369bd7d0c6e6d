"""The main job on the embedded default: the emulated Azure with the sample estate, a loopback Kubernetes
control plane standing in for cluster aks-prod, the real az with the extension wheel installed, and a whole
migration of the WASI pool `wasi` run with `az aks wasi-migrate`, printed as a user would see it: evaluate, then
`cutover`, killed once with SIGKILL (a runbook worker recycled), resumed by the same command, which ends by
deleting the old pool once the final verify passed.

Run through scripts/demo.sh (it builds the wheel, the environments and the control plane binaries first).
The test harness plays the parts no machine here has: the kubelets of the nodes, and AKS adding the new
pool's nodes once ARM says the pool exists.
"""

import os
import pathlib
import json
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# pylint: disable=wrong-import-position
from azext_wasimig.kube import connect, rest  # noqa: E402
from scripts.demo_cluster import seed_cluster  # noqa: E402
from tests.emulator.api import start_emulator  # noqa: E402
from tests.emulator.azcli import add_extension, az_environment, login  # noqa: E402
from tests.k8s.harness import FakeKubelet, embedded_kubeconfig, wait_for  # noqa: E402

PROD, RG, CLUSTER, OLD, NEW = "11111111-1111-1111-1111-111111111111", "rg-apps", "aks-prod", "wasi", "wasi2"
SPINKUBE = "spin-v2"   # the RuntimeClass SpinKube's shim gets here: AKS's own wasmtime-spin-v2 pins the old nodes
PORTS = {"WASIMIG_K8S_API_PORT": "17443", "WASIMIG_K8S_ETCD_PORT": "24790", "WASIMIG_K8S_ETCD_PEER_PORT": "24800",
         "WASIMIG_K8S_KCM_PORT": "11257", "WASIMIG_K8S_SCHED_PORT": "11259"}
POOL = ["-g", RG, "-n", CLUSTER, "--nodepool-name", OLD]


def evaluate_steps():
    return [
        ("Phase 1, evaluate: every WASI pool in the current subscription", ["list", "-o", "table"]),
        ("... in every subscription you can see, as pairs for a script",
         ["list", "--all-subscriptions", "--query", "[].[subscriptionId, clusterName, name]", "-o", "tsv"]),
        ("One WASI pool in full", ["show", *POOL, "--query",
                                   "{pool: name, vmSize: vmSize, autoscale: [minCount, maxCount], "
                                   "zones: availabilityZones, labels: nodeLabels, taints: nodeTaints}"]),
        ("A pool that is not a WASI pool is refused with a reason",
         ["show", "-g", RG, "-n", CLUSTER, "--nodepool-name", "web"]),
        ("Every workload tied to the WASI pool, and how", ["scan", *POOL, "-o", "table"]),
        ("... and the blockers in detail", ["scan", *POOL, "--query", "[?blockers].{workload: name, "
                                                                      "blockers: blockers}"]),
    ]


CUTOVER = ["cutover", *POOL, "--new-nodepool-name", NEW, "--runtime-class", SPINKUBE, "--drain-batch-size", "2",
           "--final-soak", "0.25", "--interval", "5", "--grace-period", "1"]


def cutover_plan_step():
    return ("Phases 2 to 4, then the old pool deleted, as one resumable run: the plan first, changing nothing",
            [*CUTOVER, "--dry-run", "--query", "{workloads: plan.workloads[].workload, newPool: plan.newPoolBody, "
                                               "gates: plan.gates, nextPhase: nextPhase}"])


def after_the_cutover_steps():
    return [
        ("The cutover's last phase deleted the old pool (one DELETE, after the final verify): Azure has no pool 'wasi'",
         ["show", *POOL]),
        ("... and the same command, from any machine, still says how the cutover ended",
         ["cutover", *POOL, "--status", "--query", "{completed: completed, phase: phase, nextPhase: nextPhase}"]),
        ("A WASI pool cannot be made again: a rollback now is refused, saying what can still be done",
         ["rollback", *POOL, "--new-nodepool-name", NEW, "--yes"]),
    ]


class Demo:
    def __init__(self, home):
        self.home = home
        self.az = os.environ["WASIMIG_AZ"]
        self.env = None

    def run(self, title, args, group=("aks", "wasi-migrate")):
        print(f"\n### {title}\n$ az {' '.join(group)} {shlex.join(args)}", flush=True)
        proc = subprocess.run([self.az, *group, *args], env=self.env, cwd=self.home)
        print(f"(exit code {proc.returncode})", flush=True)

    def start(self, title, args):
        """The command in a process group of its own, its output shown as it comes (to kill it)."""
        print(f"\n### {title}\n$ az aks wasi-migrate {shlex.join(args)}", flush=True)
        return subprocess.Popen([self.az, "aks", "wasi-migrate", *args], env=self.env, cwd=self.home,
                                stdin=subprocess.DEVNULL, start_new_session=True)

    def sign_in(self, arm):
        self.env = az_environment(arm, self.home / "config")
        self.env.update(AZURE_EXTENSION_DIR=str(self.home / "extensions"), AZURE_CORE_ONLY_SHOW_ERRORS="true",
                        AZURE_CORE_DISABLE_CONFIRM_PROMPT="false")
        login(self.az, self.env)
        add_extension(self.az, self.env, os.environ["WASIMIG_WHEEL"], self.home)


def start_control_plane(home):
    os.environ.update(PORTS)
    run = home / "k8s"
    subprocess.run([str(REPO / "scripts" / "k8s-test-env" / "up.sh"), str(run)], check=True, capture_output=True)
    return run


def aks_adds_the_nodes(arm, api, kubelet):
    """What AKS and SpinKube do once ARM has the new pool: runtime-class-manager's RuntimeClass, then the pool's
    nodes join, labelled spin=true by the cutover (create-pool --spin-shim). A thread: the cutover is one command."""
    def watch():
        while not any(p["id"].lower().endswith(f"/agentpools/{NEW}") for p in arm.dump()["agentPools"]):
            time.sleep(0.2)
        rest.call(api, "POST", "/apis/node.k8s.io/v1/runtimeclasses", body={
            "metadata": {"name": SPINKUBE}, "handler": "spin-v2", "scheduling": {"nodeSelector": {"spin": "true"}}})
        kubelet.add_pool(NEW, 3, labels={"spin": "true"})
        print(f"\n(AKS adds the nodes of {NEW}; SpinKube installs its shim there: RuntimeClass {SPINKUBE})",
              flush=True)
    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def record_phase(api, phase):
    """The state of ``phase`` in the cutover's record (the ConfigMap in wasimig-system), or None."""
    try:
        items = rest.call(api, "GET", "/api/v1/namespaces/wasimig-system/configmaps")["items"]
    except rest.KubeApiError:
        return None
    for item in items:
        phases = json.loads(item["data"]["record"]).get("phases") or {}
        return (phases.get(phase) or {}).get("status")
    return None


def cutover_killed_and_resumed(demo, api):
    proc = demo.start("The cutover, run by a runbook worker that is recycled in the middle of it (--yes)",
                      [*CUTOVER, "--yes", "--query", "{phase: phase, nextPhase: nextPhase}"])
    wait_for(lambda: record_phase(api, "switch") in ("running", "done"), 120, "the cutover's switch phase", 0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    print("\n(SIGKILL: the worker is gone, mid-run; the record in the cluster says where it stood)", flush=True)
    demo.run("Where the cutover stands, from any machine", ["cutover", *POOL, "--status", "-o", "table"])
    demo.run("The same command again: it resumes at the first unfinished phase (the dead run's lease is taken over)",
             [*CUTOVER, "--yes", "-o", "table"])
    demo.run("The evidence: every gate of the final verify", ["cutover", *POOL, "--status", "--query",
                                                               "gates.verify[].[name, passed]", "-o", "tsv"])


def show_placement(api, when):
    """Where the demo's pods run, by node pool (what `kubectl get pods -o wide` would show)."""
    pools = {n["metadata"]["name"]: n["metadata"]["labels"].get("agentpool")
             for n in rest.call(api, "GET", "/api/v1/nodes")["items"]}
    wait_until_settled(api)
    counts = {}
    for pod in rest.call(api, "GET", "/api/v1/namespaces/shop/pods")["items"]:
        if pod["metadata"].get("deletionTimestamp"):
            continue
        app = pod["metadata"]["labels"].get("app")
        pool = pools.get(pod["spec"].get("nodeName"), "(pending)")
        counts.setdefault(app, {}).setdefault(pool, 0)
        counts[app][pool] += 1
    print(f"\n(pods by node pool {when}: " + "; ".join(
        f"{app}: " + ", ".join(f"{n} on {p}" for p, n in sorted(where.items())) for app, where in sorted(counts.items()))
        + ")", flush=True)


def wait_until_settled(api, timeout=60):
    """Rollouts finish: no pod terminating or pending for a few polls in a row."""
    deadline, quiet = time.monotonic() + timeout, 0
    while time.monotonic() < deadline and quiet < 5:
        pods = rest.call(api, "GET", "/api/v1/namespaces/shop/pods")["items"]
        busy = any(p["metadata"].get("deletionTimestamp") or (p.get("status") or {}).get("phase") != "Running"
                   for p in pods)
        quiet = 0 if busy else quiet + 1
        time.sleep(0.3)


def main():
    with tempfile.TemporaryDirectory(prefix="wasimig-demo-") as home:
        home = pathlib.Path(home)
        run = start_control_plane(home)
        arm = start_emulator(REPO / "tests" / "emulator" / "estates" / "sample.yaml", home / "arm")
        api = connect.load_kubeconfig_file(str(run / "kubeconfig"))
        kubelet = FakeKubelet(api).start()
        try:
            arm.set_kubeconfig(PROD, RG, CLUSTER, embedded_kubeconfig(run / "kubeconfig"))
            print(f"Emulated Azure on {arm.url} (tests/emulator/estates/sample.yaml); cluster {CLUSTER} is a "
                  f"Kubernetes control plane on 127.0.0.1:{PORTS['WASIMIG_K8S_API_PORT']}")
            seed_cluster(api, kubelet, OLD)
            demo = Demo(home)
            demo.sign_in(arm)
            for title, args in evaluate_steps() + [cutover_plan_step()]:
                demo.run(title, args)
            aks_adds_the_nodes(arm, api, kubelet)
            show_placement(api, "before the cutover")
            cutover_killed_and_resumed(demo, api)
            show_placement(api, "after the cutover")
            for title, args in after_the_cutover_steps():
                demo.run(title, args)
        finally:
            kubelet.stop()
            arm.stop()
            subprocess.run([str(REPO / "scripts" / "k8s-test-env" / "down.sh"), str(run), "--purge"],
                           check=False, capture_output=True)


if __name__ == "__main__":
    main()
