"""The main job on the embedded default: the emulated Azure with the sample estate, a loopback Kubernetes
control plane standing in for cluster aks-prod, the real az with the extension wheel installed, and a whole
migration of the WASI pool `wasi` run with `az aks wasi-migrate`, printed as a user would see it.

Run through scripts/demo.sh (it builds the wheel, the environments and the control plane binaries first).
The test harness plays the parts no machine here has: the kubelets of the nodes, and AKS adding the new
pool's nodes once ARM says the pool exists.
"""

import os
import pathlib
import shlex
import subprocess
import sys
import tempfile
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


def prepare_steps():
    return [
        ("Phase 2, prepare: the replacement pool's body, without creating it",
         ["create-pool", *POOL, "--new-nodepool-name", NEW, "--spin-shim", "--dry-run",
          "--query", "{action: action, name: nodepoolName, labels: agentPool.properties.nodeLabels, "
                     "runtime: agentPool.properties.workloadRuntime, notes: notes}"]),
        ("... created (runbooks: --no-wait, then `wait`)",
         ["create-pool", *POOL, "--new-nodepool-name", NEW, "--spin-shim", "--query", "{action: action, "
          "name: nodepoolName, state: agentPool.properties.provisioningState}"]),
        ("Running it again changes nothing", ["create-pool", *POOL, "--new-nodepool-name", NEW, "--spin-shim",
                                              "--query", "action"]),
    ]


def aci_steps():
    return [
        ("The other target: the Spin app as ACI container groups (dry run; secrets would be ***)",
         ["create-aci", "-g", RG, "-n", CLUSTER, "--nodepool-name", OLD, "--workload", "shop/deployment/spin-shop",
          "--dry-run", "--query", "[].{workload: workload, action: action, groups: groups}"]),
    ]


def parallel_steps():
    return [
        ("Phase 3, parallel run: what retarget would change (one diff per object)",
         ["retarget", *POOL, "--new-nodepool-name", NEW, "--phase", "parallel", "--runtime-class", SPINKUBE,
          "--dry-run", "--query", "[].diff", "-o", "tsv"]),
        ("Both pools may serve while the new one is compared (--yes for runbooks)",
         ["retarget", *POOL, "--new-nodepool-name", NEW, "--phase", "parallel", "--runtime-class", SPINKUBE,
          "--yes", "-o", "table"]),
    ]


def cutover_steps():
    return [
        ("Phase 4, cutover: pinned to the new pool only (--yes for runbooks)",
         ["retarget", *POOL, "--new-nodepool-name", NEW, "--phase", "cutover", "--runtime-class", SPINKUBE,
          "--yes", "-o", "table"]),
        ("What a drain of the old pool would do now", ["drain", *POOL, "--dry-run", "--query",
                                                       "{wouldEvict: wouldEvict[].pod, skipped: skipped[].pod}"]),
        ("The drain (PodDisruptionBudgets honoured)",
         ["drain", *POOL, "--yes", "--grace-period", "1", "--drain-timeout", "2", "-o", "table"]),
        ("Verified: no workload runs on the old pool any more", ["scan", *POOL, "--query",
                                                                 "[].{workload: name, podsOnPool: podsOnPool}"]),
    ]


def decommission_steps():
    return [
        ("Is the new pool ready to take over for good? verify's gates, each with its evidence",
         ["verify", *POOL, "--new-nodepool-name", NEW, "-o", "table"]),
        ("delete-pool runs the same gates; a dry run shows them and what would be deleted",
         ["delete-pool", *POOL, "--new-nodepool-name", NEW, "--dry-run", "-o", "table"]),
        ("The one step that cannot be undone, on that evidence (one DELETE; the record is for the change ticket)",
         ["delete-pool", *POOL, "--new-nodepool-name", NEW, "--yes", "--query",
          "{action: action, pool: nodepool.name, runtime: nodepool.workloadRuntime, replacement: replacement, "
          "gatesPassed: verification.passed, at: finishedAt}"]),
        ("A WASI pool cannot be made again: a rollback now is refused, saying what can still be done",
         ["rollback", *POOL, "--new-nodepool-name", NEW, "--yes"]),
    ]


class Demo:
    def __init__(self, home):
        self.home = home
        self.az = os.environ["WASIMIG_AZ"]
        self.env = None

    def run(self, title, args):
        print(f"\n### {title}\n$ az aks wasi-migrate {shlex.join(args)}", flush=True)
        proc = subprocess.run([self.az, "aks", "wasi-migrate", *args], env=self.env, cwd=self.home)
        print(f"(exit code {proc.returncode})", flush=True)

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


def add_new_pool_nodes(api, kubelet):
    """What AKS and SpinKube do once the pool exists: its nodes join, labelled spin=true by --spin-shim, and
    runtime-class-manager installs the shim there and creates its RuntimeClass."""
    kubelet.add_pool(NEW, 2, labels={"spin": "true"})
    rest.call(api, "POST", "/apis/node.k8s.io/v1/runtimeclasses", body={
        "metadata": {"name": SPINKUBE}, "handler": "spin-v2", "scheduling": {"nodeSelector": {"spin": "true"}}})
    wait_for(lambda: len(rest.call(api, "GET", "/api/v1/nodes",
                                   query={"labelSelector": f"agentpool={NEW}"})["items"]) == 2, 30,
             f"the nodes of {NEW}", 0.2)


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
            for title, args in evaluate_steps() + prepare_steps():
                demo.run(title, args)
            add_new_pool_nodes(api, kubelet)
            print(f"\n(AKS adds the nodes of {NEW}; SpinKube installs its shim there: RuntimeClass {SPINKUBE})")
            for title, args in aci_steps() + parallel_steps():
                demo.run(title, args)
            show_placement(api, "after the parallel phase")
            for title, args in cutover_steps():
                demo.run(title, args)
            show_placement(api, "after the cutover and the drain")
            for title, args in decommission_steps():
                demo.run(title, args)
        finally:
            kubelet.stop()
            arm.stop()
            subprocess.run([str(REPO / "scripts" / "k8s-test-env" / "down.sh"), str(run), "--purge"],
                           check=False, capture_output=True)


if __name__ == "__main__":
    main()
