"""Every `az aks wasi-migrate` example of README.rst and _help.py runs here exactly as written, defaults included,
in the order a user would run them, against an estate that has the examples' names (MyResourceGroup, MyCluster,
wasipool, the signed-in default subscription) served by the emulated Azure and a loopback cluster.

``PLAN`` is that order: each example with the exit code a user should see and a check of its output, and between
them what the world does meanwhile (AKS adds the new pool's nodes, the rollouts finish). An example found in the
docs but not in ``PLAN`` (or the other way round) fails the first test, so no example goes unexercised.
"""

import ast
import copy
import json
import pathlib
import re
import shlex
import shutil
import stat

import pytest
import yaml

from azext_wasimig.kube import rest
from tests.conftest import serving_estate
from tests.httpservers import KnownServer
from tests.k8s.harness import (aks_owner, create_when_ready, embedded_kubeconfig, exists, kubelet_reports,
                               remove_namespace, wait_for)

pytestmark = [pytest.mark.e2e, pytest.mark.k8s]

REPO = pathlib.Path(__file__).resolve().parents[2]
PREFIX = "az aks wasi-migrate "
SUB, RG, CLUSTER = "e0e0e0e0-0000-4000-8000-0000000e0e0e", "MyResourceGroup", "MyCluster"
NS, OLD_CLASS, SPINKUBE_CLASS = "demo", "wasmtime-spin-v1", "wasmtime-spin-v2"
WASI_LABEL, POOL_LABEL, SPIN_LABEL = "kubernetes.azure.com/wasmtime-spin-v1", "kubernetes.azure.com/agentpool", "spin"
MINE = "wasimig.test/examples"   # on every node of this module: the cache Deployment runs only there
POOLS = ("wasipool", "wasipool2", "spinpool")


# --- the examples, as the docs have them ------------------------------------------------------------------------

def readme_examples():
    text, found = (REPO / "README.rst").read_text(), []
    for block in re.findall(r"\.\. code-block:: bash\n\n((?:[ \t]+.*\n|\n)+)", text):
        found += [line.strip() for line in block.splitlines() if line.strip().startswith(PREFIX)]
    return found


def help_examples():
    """What knack shows: each ``helps[...]`` string loaded as YAML, its examples' ``text`` lines."""
    tree, found = ast.parse((REPO / "azext_wasimig" / "_help.py").read_text()), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            for example in yaml.safe_load(node.value.value).get("examples") or []:
                found += [line.strip() for line in example["text"].splitlines() if line.strip().startswith("az ")]
    return found


# --- what each example must print --------------------------------------------------------------------------------

def _table(*headers):
    return lambda r, _: all(h in r.out.splitlines()[0] for h in headers) and "wasipool" in r.out


def _record(r, _):
    (pool,) = r.json
    return (pool["clusterName"], pool["name"], pool["workloadRuntime"], pool["subscriptionId"]) == (
        CLUSTER, "wasipool", "WasmWasi", SUB)


def _report(r, ctx):
    path = pathlib.Path(ctx.cwd, "wasi-report.md")
    ok = stat.S_IMODE(path.stat().st_mode) == 0o600 and "spin-web" in path.read_text()
    path.unlink()   # the next example writes it afresh, as on another day
    return ok and {f["name"] for f in r.json} >= {"spin-web", "web", "wagi-app", "report", "cache"}


def _pool_body(name, **props):
    return lambda r, _: r.json["nodepoolName"] == name and all(
        r.json["agentPool"]["properties"].get(k) == v for k, v in props.items())


def _arm_pool(name, state=None, **props):
    """The pool as ARM has it: made (in ``state``, when given) with these properties; --no-wait prints nothing."""
    def check(r, ctx):
        pools = {p["name"]: p["properties"] for p in ctx.arm.dump()["agentPools"] if f"/{CLUSTER}/" in p["id"]}
        found = pools.get(name) or {}
        return r.out == "" and found and (state is None or found.get("provisioningState") == state) and all(
            found.get(k) == v for k, v in props.items())
    return check


def _groups(action, names, rg=RG):
    """Each row's action, and (unless a dry run) its container groups made in ``rg``."""
    def check(r, ctx):
        made = {g["name"]: g["id"].split("/")[4] for g in ctx.arm.dump()["containerGroups"]}
        rows = r.json if r.out.lstrip().startswith("[") else [
            dict(zip(("workload", "action"), line.split())) for line in r.out.splitlines()[2:]]
        return all(row["action"] == action for row in rows) and all(n in r.out for n in names) and (
            action == "wouldCreate" or all(made.get(n) == rg for n in names))
    return check


def _diffs(r, _):
    return (f"--- a/{NS}/Deployment/spin-web\n" in r.out
            and f"-      runtimeClassName: {OLD_CLASS}\n+      runtimeClassName: {SPINKUBE_CLASS}\n" in r.out)


def _exported(_, ctx):
    files = sorted(pathlib.Path(ctx.cwd, "k8s", "retargeted").glob("*.yaml"))
    specs = [yaml.safe_load(f.read_text())["spec"]["template"]["spec"] for f in files if "spin-web" in f.name]
    return len(specs) == 1 and specs[0]["runtimeClassName"] == SPINKUBE_CLASS


def _rows(r, columns):
    """The rows of a JSON list, or of a table (``columns`` in order, the first ones without spaces)."""
    if r.out.lstrip().startswith("["):
        return r.json
    return [dict(zip(columns, line.split(None, len(columns) - 1))) for line in r.out.splitlines()[2:]]


def _retargeted(pool):
    """The three Deployments tied to wasipool patched (the cache and the Job skipped); spin-web now on ``pool``."""
    def check(r, ctx):
        actions = {row["name"]: row["action"] for row in _rows(r, ("namespace", "kind", "name", "action", "reason"))}
        spec = rest.call(ctx.api, "GET", f"/apis/apps/v1/namespaces/{NS}/deployments/spin-web")["spec"]
        return actions == {"spin-web": "patched", "web": "patched", "wagi-app": "patched", "cache": "skipped",
                           "report": "skipped"} and f'"{pool}"' in json.dumps(spec["template"]["spec"])
    return check


def _pinned_quietly(pool):
    """--no-wait: nothing printed (as az does for every --no-wait), spin-web's template already pinned to ``pool``."""
    def check(r, ctx):
        spec = rest.call(ctx.api, "GET", f"/apis/apps/v1/namespaces/{NS}/deployments/spin-web")["spec"]
        return r.out == "" and f'"{pool}"' in json.dumps(spec["template"]["spec"])
    return check


def _cordon_preview(r, ctx):
    nodes = sorted(r.json["nodes"])
    return (r.json["dryRun"] and nodes == ["ex-wasipool-0", "ex-wasipool-1"] == sorted(r.json["changed"])
            and _schedulable(ctx.api, "wasipool") == [True, True])


def _nodes_unschedulable(expected):
    def check(r, ctx):
        return sorted(r.json["changed"]) == ["ex-wasipool-0", "ex-wasipool-1"] and _schedulable(
            ctx.api, "wasipool") == [not expected] * 2
    return check


def _schedulable(api, pool):
    nodes = rest.call(api, "GET", "/api/v1/nodes", query={"labelSelector": f"{POOL_LABEL}={pool}"})["items"]
    return [not n["spec"].get("unschedulable") for n in nodes]


def _would_evict(r, _):
    return [e["pod"].split("/")[1].split("-")[0] for e in r.json["wouldEvict"]] == ["cache"] and not r.json["refused"]


def _drained(r, ctx):
    evicted = [p.split("/")[1].split("-")[0] for p in r.json["evicted"]]
    return (r.json["complete"] and evicted == ["cache"] and not _pods_on(ctx.api, "wasipool")
            and "cache" in _pods_on(ctx.api, "wasipool2") and _schedulable(ctx.api, "wasipool") == [False, False])


def _nothing_left(r, ctx):
    rows = _rows(r, ("node", "pods", "toMove", "moved", "left", "drained"))
    return ({row["node"]: (row["pods"], row["drained"]) for row in rows}
            == {"ex-wasipool-0": ("0", "True"), "ex-wasipool-1": ("0", "True")} and not _pods_on(ctx.api, "wasipool"))


def _failed_gate(r, _):
    return "workload(s) still have WASI-specific settings" in r.err and "rendered.yaml" in r.err


def _all_gates_pass(r, _):
    rows = _rows(r, ("gate", "passed", "failures", "evidence"))
    return [row["gate"] for row in rows] == ["new-pool", "rollouts", "off-old-pool", "on-new-pool", "containers",
                                             "restarts", "events", "runtime-classes", "managed-sources"] and all(
        row["passed"] == "True" and row["failures"] == "0" for row in rows)


def _soaked(r, ctx):
    """At least one check after the first within the minute (each waits --interval after the one before)."""
    path = pathlib.Path(ctx.cwd, "verify-wasipool.md")
    mode, text = stat.S_IMODE(path.stat().st_mode), path.read_text()
    path.unlink()
    return (r.json["passed"] and r.json["checks"] >= 2 and r.json["soakMinutes"] == 1 and mode == 0o600
            and "PASSED" in text and f"| Checks | {r.json['checks']} |" in text)


def _aci_verified(r, _):
    gates = {g["name"]: g for g in r.json["gates"]}
    return r.json["passed"] and gates["aci-groups"]["evidence"] == {"groups": ["spin-web-0"]}


def _given_up(pool):
    """The rollback of a move nothing was moved by: nothing restored, and the pool wasimig made is deleted."""
    def check(r, ctx):
        steps = {row["step"]: row["action"] for row in _rows(r, ("step", "action", "objects"))}
        return steps.get("deleteNewPool") == "deleted" and steps.get("restore") == "unchanged" and (
            pool not in _arm_pools(ctx))
    return check


def _rollback(action):
    """After the parallel run: a dry run changes nothing, the rollback puts spin-web back on wasipool alone."""
    def check(r, ctx):
        steps = {row["step"]: row["action"] for row in _rows(r, ("step", "action", "objects"))}
        spec = rest.call(ctx.api, "GET", f"/apis/apps/v1/namespaces/{NS}/deployments/spin-web")["spec"]
        pins = spec["template"]["spec"].get("nodeSelector")
        back = pins == {POOL_LABEL: "wasipool"} and _pods_on(ctx.api, "wasipool") >= {"spin-web", "web", "wagi-app"}
        return steps.get("restore") == action and (back if action == "restored" else pins != {POOL_LABEL: "wasipool"})
    return check


def _would_delete(r, ctx):
    rows = [line.split() for line in r.out.splitlines()[2:]]
    return (r.out.splitlines()[0].split() == ["Step", "Name", "Result"] and rows[-1] == ["delete", "wasipool",
                                                                                        "wouldDelete"]
            and all(row[-1] == "passed" for row in rows[:-1]) and len(rows) > 5 and "wasipool" in _arm_pools(ctx))


def _deleted(r, ctx):
    return (r.json["action"] == "deleted" and r.json["nodepool"]["name"] == "wasipool"
            and r.json["verification"]["passed"] and "wasipool" not in _arm_pools(ctx))


def _arm_pools(ctx):
    return {p["name"] for p in ctx.arm.dump()["agentPools"]}


def _cutover_plan(r, ctx):
    """The plan, nothing recorded: after the manual path above, the move's pool exists and its body is shown."""
    return (r.json["dryRun"] and r.json["nextPhase"] == "preflight" and r.json["plan"]["options"]["newPool"]
            == "wasipool2" and not rest.call(ctx.api, "GET", "/api/v1/configmaps",
                                             query={"labelSelector": "wasimig.azure.com/record=cutover"})["items"])


def _cutover_until(last, following):
    def check(r, _):
        return r.json["phase"] == last and r.json["nextPhase"] == following and all(
            g["passed"] for g in r.json["gates"].get("parallel", []) if g["name"] != "off-old-pool")
    return check


def _cutover_done(r, ctx):
    """The rest of the cutover ran, the abort written before it spent: wasipool deleted after the final verify."""
    return (r.json["completed"] and r.json["phase"] == "decommission" and r.json["nextPhase"] is None
            and r.json["stoppedBy"] is None and all(g["passed"] for g in r.json["gates"]["verify"])
            and "wasipool" not in _arm_pools(ctx))


def _keep_the_old_pool(ctx):
    ctx.old_pool = copy.deepcopy(ctx.arm.state.cluster(SUB, RG, CLUSTER)["pools"]["wasipool"])


def _old_pool_back(ctx):
    """The cutover deleted wasipool. The examples that follow are the manual path's (delete-pool, the rollback of a
    move to ACI) on the same names: the emulated Azure has the pool again, as it was before the cutover's DELETE
    (its nodes were never removed from the loopback cluster), and the cutover's record is dropped."""
    with ctx.arm.state.lock:
        ctx.arm.state.cluster(SUB, RG, CLUSTER)["pools"]["wasipool"] = ctx.old_pool
    rest.call(ctx.api, "DELETE", "/api/v1/namespaces/wasimig-system/configmaps",
              query={"labelSelector": "wasimig.azure.com/record=cutover"})


def _cutover_aci_plan(r, ctx):
    """The plan of a move to ACI, nothing recorded or made: the groups of the workloads create-aci can run."""
    plan = r.json["plan"]
    return (r.json["dryRun"] and plan["options"]["aci"] and plan["aciResourceGroup"] == RG
            and isinstance(plan["aciGroups"], dict) and "newPoolBody" not in plan
            and not rest.call(ctx.api, "GET", "/api/v1/configmaps",
                              query={"labelSelector": "wasimig.azure.com/record=cutover"})["items"])


def _aci_rollback_preview(r, ctx):
    """Nothing scaled in by a cutover --aci here: nothing to restore; the groups of the move would go."""
    steps = {row["step"]: row["action"] for row in _rows(r, ("step", "action", "objects"))}
    return steps.get("restoreReplicas") == "unchanged" and steps.get("deleteAci") in ("wouldDelete", "none") and (
        "spin-web-0" in {g["name"] for g in ctx.arm.dump()["containerGroups"]})


def _cutover_table(r, _):
    rows = _rows(r, ("phase", "status", "attempts", "seconds", "next"))
    return [row["phase"] for row in rows] == ["preflight", "prepare", "parallel", "switch", "drain", "verify",
                                              "decommission"] and all(row["status"] == "done" for row in rows)


# --- what happens between the examples ---------------------------------------------------------------------------

def _new_pool_nodes(ctx):
    """AKS adds the pool's nodes once it exists; --spin-shim labelled them spin=true for SpinKube."""
    ctx.kubelet.add_pool("wasipool2", 2, prefix="ex-wasipool2", labels={SPIN_LABEL: "true", MINE: "true"},
                         owner=ctx.owner)


def _rolled_out(ctx):
    """The cut-over rollouts finish, and the Job, moved to ACI, is deleted from the cluster."""
    rest.call(ctx.api, "DELETE", f"/apis/batch/v1/namespaces/{NS}/jobs/report",
              body={"propagationPolicy": "Background"})
    wait_for(lambda: {p for p in _pods_on(ctx.api, "wasipool")} == {"cache"}, 60, "the rollouts off wasipool", 0.2)


def _pods_on(api, pool):
    nodes = {n["metadata"]["name"] for n in rest.call(api, "GET", "/api/v1/nodes", query={
        "labelSelector": f"{POOL_LABEL}={pool}"})["items"]}
    pods = rest.call(api, "GET", f"/api/v1/namespaces/{NS}/pods")["items"]
    return {p["metadata"]["labels"]["app"] for p in pods if p["spec"].get("nodeName") in nodes}


def _manifests(ctx):
    """What `helm template ./chart > rendered.yaml` wrote, and a k8s/ folder of plain manifests."""
    cwd = pathlib.Path(ctx.cwd)
    (cwd / "k8s").mkdir(exist_ok=True)
    (cwd / "rendered.yaml").write_text(yaml.safe_dump(_deployment("spin-web", _pinned())))
    (cwd / "k8s" / "web.yaml").write_text(yaml.safe_dump(_deployment("web", {"containers": _containers()})))


REPO_FILE = """\
# spin-web, as the team's Git repository has it: pinned to the WASI pool.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: spin-web
  namespace: demo
spec:
  selector:
    matchLabels: {app: spin-web}
  template:
    metadata:
      labels: {app: spin-web}
    spec:
      nodeSelector:
        kubernetes.azure.com/agentpool: wasipool   # the WASI pool
      runtimeClassName: wasmtime-spin-v1
      containers:
        - name: app
          image: contoso.azurecr.io/spin-web:1.0
"""


def _repository(ctx):
    """The Git repository's manifests next to the rendered ones: k8s/spin-web.yaml pins the old pool."""
    pathlib.Path(ctx.cwd, "k8s", "spin-web.yaml").write_text(REPO_FILE)


def _repo_file(ctx):
    return pathlib.Path(ctx.cwd, "k8s", "spin-web.yaml").read_text()


def _repo_diff(r, ctx):
    return ("-        kubernetes.azure.com/agentpool: wasipool   # the WASI pool\n" in r.out
            and "+        kubernetes.azure.com/agentpool: wasipool2  # the WASI pool\n" in r.out
            and _repo_file(ctx) == REPO_FILE)


def _repo_rewritten(r, ctx):
    rows = _rows(r, ("file", "type", "changed", "objects", "reported", "written"))
    text = _repo_file(ctx)
    return ([row["file"] for row in rows] == ["k8s/spin-web.yaml"] and "wasipool2  # the WASI pool" in text
            and "runtimeClassName: wasmtime-spin-v2" in text and text.startswith(REPO_FILE.splitlines()[0]))


def _repo_restored(_, ctx):
    return _repo_file(ctx) == REPO_FILE


def _compared_aci(r, ctx):
    """spin-web's pod on wasipool against its container group spin-web-0; the report and its chart written."""
    (web,) = r.json["workloads"]
    report = pathlib.Path(ctx.cwd, "compare.md")
    ok = (web["workload"] == "demo/Deployment/spin-web" and [p["pod"] for p in web["new"]["pods"]] == ["spin-web-0"]
          and web["old"]["pods"][0]["node"].startswith("ex-wasipool-") and "spin-web-0" in report.read_text()
          and pathlib.Path(ctx.cwd, "compare-startup.svg").is_file())
    for name in ("compare.md", "compare-startup.svg"):
        pathlib.Path(ctx.cwd, name).unlink()
    return ok


def _compared_table(r, _):
    rows = _rows(r, ("workload", "figure", "old", "new", "ratio", "regressed"))
    return r.out.splitlines()[0].split()[:2] == ["Workload", "Figure"] and {row["workload"] for row in rows} == {
        "demo/Deployment/spin-api"} and "startupP95Seconds" in r.out


def _compared_load(r, ctx):
    """Both servers loaded (the new one is the faster), no regression."""
    loaded = r.json["load"]
    return (r.json["regressions"] == [] and loaded["old"]["requests"] > 0 and loaded["new"]["requests"] > 0
            and ctx.servers[0].requests >= loaded["old"]["requests"] and loaded["old"]["errorRate"] == 0)


def _parallel_spin_api(ctx):
    """The team runs spin-api on both pools (one pod each) behind port-forwards on 47181 (old) and 47182 (new)."""
    spread = [{"maxSkew": 1, "topologyKey": POOL_LABEL, "whenUnsatisfiable": "DoNotSchedule",
               "labelSelector": {"matchLabels": {"app": "spin-api"}}}]
    body = _deployment("spin-api", {"nodeSelector": {MINE: "true"}, "topologySpreadConstraints": spread,
                                    "containers": _containers("contoso.azurecr.io/spin-api:1.0")})
    body["spec"]["replicas"] = 2
    create_when_ready(ctx.api, f"/apis/apps/v1/namespaces/{NS}/deployments", body)
    wait_for(lambda: len(_spin_api_pods(ctx.api)) == 2, 60, "spin-api on both pools", 0.2)
    for pod in _spin_api_pods(ctx.api):
        kubelet_reports(ctx.api, pod, ready_after=2)
    ctx.servers = [KnownServer(delay=0.05, port=47181).__enter__(), KnownServer(delay=0.01, port=47182).__enter__()]


def _spin_api_pods(api):
    pods = rest.call(api, "GET", f"/api/v1/namespaces/{NS}/pods", query={"labelSelector": "app=spin-api"})["items"]
    return [p for p in pods if p["status"].get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")]


def _end_parallel(ctx):
    for server in ctx.servers:
        server.__exit__(None, None, None)
    ctx.servers = []
    rest.call(ctx.api, "DELETE", f"/apis/apps/v1/namespaces/{NS}/deployments/spin-api")
    wait_for(lambda: not rest.call(ctx.api, "GET", f"/api/v1/namespaces/{NS}/pods",
                                   query={"labelSelector": "app=spin-api"})["items"], 60, "spin-api gone", 0.2)


R = "-g MyResourceGroup -n MyCluster"
OLD = f"{R} --nodepool-name wasipool"
MOVE = f"{OLD} --new-nodepool-name wasipool2"
REWRITE = "--nodepool-name wasipool --new-nodepool-name wasipool2"
SUBNET = "/subscriptions/SUB/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/aci"
PLAN = [
    ("list -o table", 0, _table("Cluster", "NodePool")),
    (f"list {R}", 0, _record),
    ('list --all-subscriptions --query "[].[subscriptionId, clusterName, name]" -o tsv', 0,
     lambda r, _: r.out == f"{SUB}\t{CLUSTER}\twasipool\n"),
    ('list --all-subscriptions --query "[].[clusterName, name]" -o tsv', 0,
     lambda r, _: r.out == f"{CLUSTER}\twasipool\n"),
    (f"show {OLD}", 0, lambda r, _: r.json["name"] == "wasipool" and r.json["agentPool"]["name"] == "wasipool"),
    (f"scan {R} -o table", 0, lambda r, _: "spin-web" in r.out and "Name" in r.out.splitlines()[0]),
    (f'scan {R} --query "[?managedBy].[name, managedBy.tool, managedBy.owner.name]" -o tsv', 0,
     lambda r, _: r.out == "web\thelm\tweb\n"),
    (f"scan {R} --report wasi-report.md", 0, _report),
    (f"scan {OLD} --report wasi-report.md", 0, _report),
    (_manifests,),
    ("scan --manifests rendered.yaml k8s/ --fail-on-findings", 1, _failed_gate),
    (_repository,),
    (f"rewrite --manifests k8s/ {REWRITE} --phase cutover --query \"[].diff\" -o tsv", 0, _repo_diff),
    (f"rewrite --manifests k8s/ {REWRITE} --phase cutover --check", 1,
     lambda r, ctx: "k8s/spin-web.yaml" in r.err and _repo_file(ctx) == REPO_FILE),
    (f"rewrite --manifests k8s/ {REWRITE} --phase cutover --in-place -o table", 0, _repo_rewritten),
    (f"rewrite --manifests k8s/ {REWRITE} --phase cutover --check", 0,
     lambda r, _: [row["changed"] for row in r.json] == [False]),
    (f"rewrite --manifests k8s/ {REWRITE} --phase rollback --in-place", 0, _repo_restored),
    (f"create-pool {OLD} --spin-shim --dry-run", 0,
     _pool_body("wasipool2", nodeLabels={SPIN_LABEL: "true"}, workloadRuntime="OCIContainer")),
    (f"create-pool {OLD} --spin-shim --no-wait", 0, _arm_pool("wasipool2", nodeLabels={SPIN_LABEL: "true"})),
    (f"wait {R} --nodepool-name wasipool2 --created", 0, _arm_pool("wasipool2", "Succeeded")),
    (_new_pool_nodes,),
    (f"create-pool {OLD} --spin-shim", 0, lambda r, _: r.json["action"] == "unchanged"),
    (f"create-pool {OLD} --new-nodepool-name spinpool --vm-size Standard_D8s_v5 --no-wait", 0,
     _arm_pool("spinpool", vmSize="Standard_D8s_v5")),
    (f"wait {R} --nodepool-name spinpool --created", 0, _arm_pool("spinpool", "Succeeded")),
    (f"rollback {R} --nodepool-name wasipool --new-nodepool-name spinpool --delete-new-pool --yes -o table", 0,
     _given_up("spinpool")),
    (f"create-aci {R} --workload demo/deployment/spin-web --dry-run", 0, _groups("wouldCreate", ["spin-web-0"])),
    (f"create-aci {R} --workload demo/deployment/spin-web --dns-name-label spinweb -o table", 0,
     _groups("created", ["spin-web-0"])),
    (f"wait {R} --container-group spin-web-0 --created", 0, lambda r, _: r.out == ""),
    (f"create-aci {R} --workload demo/deployment/spin-web --dns-name-label spinweb --aci-resource-group MyAciGroup",
     0, _groups("created", ["spin-web-0"], rg="MyAciGroup")),
    (f"create-aci {R} --workload demo/deployment/web demo/job/report --subnet-id {SUBNET} "
     "--spin-image myregistry.azurecr.io/fermyon/spin:v2.7.0 -o table", 0, _groups("created", ["web-0", "report-0"])),
    (f"create-aci {R} --workload demo/deployment/wagi-app --image myregistry.azurecr.io/wagi-app:2.0", 0,
     _groups("created", ["wagi-app-0"])),
    (f"compare {OLD} --aci --workload demo/deployment/spin-web --report compare.md", 0, _compared_aci),
    (f'retarget {MOVE} --phase parallel --dry-run --query "[].diff" -o tsv', 0, _diffs),
    (f"retarget {MOVE} --phase parallel --yes -o table", 0, _retargeted("wasipool2")),
    (f"rollback {MOVE} --dry-run -o table", 0, _rollback("wouldRestore")),
    (f"rollback {MOVE} --yes -o table", 0, _rollback("restored")),
    (f"retarget {MOVE} --phase parallel --yes -o table", 0, _retargeted("wasipool2")),
    (f"retarget {MOVE} --phase cutover --dry-run --export-dir k8s/retargeted", 0, _exported),
    (f"retarget {MOVE} --phase cutover --yes -o table", 0, _retargeted("wasipool2")),
    (f"retarget {MOVE} --phase rollback --yes --no-wait", 0, _pinned_quietly("wasipool")),
    (f"retarget {MOVE} --phase cutover --yes --timeout 1200", 0, _retargeted("wasipool2")),
    (f"retarget {MOVE} --phase rollback --yes --no-wait", 0, _pinned_quietly("wasipool")),
    (f"retarget {MOVE} --phase cutover --yes", 0, _retargeted("wasipool2")),
    (_rolled_out,),
    (_parallel_spin_api,),
    (f"compare {MOVE} -o table", 0, _compared_table),
    (f"compare {MOVE} --workload demo/deployment/spin-api --url-old http://127.0.0.1:47181/ "
     "--url-new http://127.0.0.1:47182/ --duration 20 --concurrency 4 --max-regression 10", 0, _compared_load),
    (_end_parallel,),
    (f"cordon {OLD} --dry-run", 0, _cordon_preview),
    (f"cordon {OLD} --yes", 0, _nodes_unschedulable(True)),
    (f"uncordon {OLD} --yes", 0, _nodes_unschedulable(False)),
    (f"drain {OLD} --dry-run", 0, _would_evict),
    (f"drain {OLD} --drain-timeout 20 --yes", 0, _drained),
    (f"drain {OLD} --yes -o table", 0, _nothing_left),
    (f"verify {MOVE} -o table", 0, _all_gates_pass),
    (f"verify {MOVE} --soak 1 --interval 20 --max-restarts 1 --report verify-wasipool.md", 0, _soaked),
    (f"verify {OLD} --aci --aci-resource-group MyAciGroup", 0, _aci_verified),
    (f"cutover {OLD} --aci --dry-run", 0, _cutover_aci_plan),
    (f"cutover {MOVE} --dry-run", 0, _cutover_plan),
    (f"cutover {MOVE} --parallel-replicas 1 --dry-run", 0,
     lambda r, ctx: _cutover_plan(r, ctx) and r.json["plan"]["options"]["parallelReplicas"] == 1
     and r.json["plan"]["companions"] == []),   # moved by the manual path above: nothing left to copy
    (f"cutover {MOVE} --until switch --yes", 0, _cutover_until("switch", "drain")),
    (f"cutover {OLD} --abort", 0, lambda r, _: r.json["abortRequested"] and r.json["running"] is False),
    (_keep_the_old_pool,),
    (f"cutover {MOVE} --drain-batch-size 2 --batch-soak 1 --final-soak 0.5 --interval 10 --replan --yes", 0,
     _cutover_done),
    (f"cutover {OLD} --status -o table", 0, _cutover_table),
    (_old_pool_back,),
    (f"rollback {OLD} --aci --delete-aci --dry-run -o table", 0, _aci_rollback_preview),
    (f"delete-pool {MOVE} --dry-run -o table", 0, _would_delete),
    (f"delete-pool {MOVE} --yes", 0, _deleted),
]


def test_every_example_of_the_docs_is_in_the_plan():
    documented = set(readme_examples()) | set(help_examples())
    planned = {PREFIX + step[0] for step in PLAN if isinstance(step[0], str)}
    assert not documented - planned, "examples no test runs:\n" + "\n".join(sorted(documented - planned))
    assert not planned - documented, "planned lines no doc has:\n" + "\n".join(sorted(planned - documented))


def test_the_examples_run_as_written_in_a_users_order(az, examples_cluster):
    """Each example's exit code and output; all of them are run and every one that failed is listed."""
    failed = []
    for step in PLAN:
        if callable(step[0]):
            step[0](examples_cluster)
            continue
        line, expect, check = step
        result = az(*shlex.split(PREFIX + line)[1:], expect=None)
        if result.rc != expect or not _holds(check, result, examples_cluster):
            failed.append(f"{PREFIX}{line} -> {result.rc} (expected {expect})\nstdout:{result.out}\n"
                          f"stderr:{result.err}")
    assert not failed, "\n\n".join(failed)


def _holds(check, result, ctx):
    try:
        return check(result, ctx)
    except (ValueError, KeyError, TypeError, IndexError, OSError):   # output of another shape than documented
        return False


# --- the estate and the cluster ----------------------------------------------------------------------------------

def _containers(image="contoso.azurecr.io/spin-web:1.0"):
    return [{"name": "app", "image": image, "command": ["/"], "ports": [{"containerPort": 80}],
             "resources": {"requests": {"cpu": "250m", "memory": "128Mi"}}}]


def _pinned():
    return {"runtimeClassName": OLD_CLASS, "nodeSelector": {POOL_LABEL: "wasipool"}, "containers": _containers()}


def _deployment(name, spec):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": NS}, "spec": {
        "replicas": 1, "selector": {"matchLabels": {"app": name}},
        "template": {"metadata": {"labels": {"app": name}}, "spec": {"terminationGracePeriodSeconds": 1, **spec}}}}


def _workloads():
    apps = f"/apis/apps/v1/namespaces/{NS}/deployments"
    job = {"metadata": {"name": "report"}, "spec": {"backoffLimit": 0, "template": {
        "metadata": {"labels": {"app": "report"}},
        "spec": {"restartPolicy": "Never", "terminationGracePeriodSeconds": 1, **_pinned()}}}}
    cache = _deployment("cache", {"nodeSelector": {MINE: "true"}, "containers": _containers("redis:7")})
    web = _deployment("web", _pinned())   # installed with Helm: scan names its release, retarget warns
    web["metadata"].update(labels={"app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/instance": "web"},
                           annotations={"meta.helm.sh/release-name": "web", "meta.helm.sh/release-namespace": NS})
    return [(apps, _deployment(n, _pinned())) for n in ("spin-web", "wagi-app")] + [(apps, web)] + [
        (f"/apis/batch/v1/namespaces/{NS}/jobs", job), (apps, cache)]


def _estate(k8s_env):
    pools = [{"name": "nodepool1", "mode": "System", "vmSize": "Standard_D2s_v5", "count": 1},
             {"name": "wasipool", "mode": "User", "vmSize": "Standard_D2s_v5", "count": 2,
              "workloadRuntime": "WasmWasi"}]
    return {"tenantId": "72f988bf-0000-0000-0000-000000000001", "subscriptions": [{
        "subscriptionId": SUB, "displayName": "Examples", "resourceGroups": ["MyAciGroup"],
        "clusters": [{"name": CLUSTER, "resourceGroup": RG, "location": "westeurope", "kubernetesVersion": "1.30.4",
                      "agentPools": pools, "kubeconfigText": embedded_kubeconfig(k8s_env.kubeconfig)}]}]}


def _runtime_classes(api):
    """The WASI-era class AKS made, and SpinKube's under the default name (the AKS one is gone, as the docs say)."""
    made = []
    for name, selector in ((OLD_CLASS, {WASI_LABEL: "true"}), (SPINKUBE_CLASS, {SPIN_LABEL: "true"})):
        if not exists(api, f"/apis/node.k8s.io/v1/runtimeclasses/{name}"):
            rest.call(api, "POST", "/apis/node.k8s.io/v1/runtimeclasses", body={
                "metadata": {"name": name}, "handler": "spin", "scheduling": {"nodeSelector": selector}})
            made.append(name)
    assert SPINKUBE_CLASS in made, f"RuntimeClass {SPINKUBE_CLASS} is left over from another test"
    return made


def _drop_nodes(api, pools):
    for pool in pools:
        for node in rest.call(api, "GET", "/api/v1/nodes", query={"labelSelector": f"{POOL_LABEL}={pool}"})["items"]:
            rest.call(api, "DELETE", f"/api/v1/nodes/{node['metadata']['name']}")


@pytest.fixture(name="examples_cluster")
def examples_cluster_fixture(arm, az, k8s_env, k8s_api, kubelet):
    """One staged cluster for all the examples; everything it made is removed and the sample estate restored."""
    from types import SimpleNamespace
    _drop_nodes(k8s_api, POOLS)   # other tests' README-named pools must not look like ours
    assert not exists(k8s_api, f"/api/v1/namespaces/{NS}"), f"namespace {NS} is left over from another test"
    made = _runtime_classes(k8s_api)
    owner = aks_owner(SUB, RG, CLUSTER)
    kubelet.add_pool("wasipool", 2, prefix="ex-wasipool", labels={WASI_LABEL: "true", MINE: "true"}, owner=owner)
    rest.call(k8s_api, "POST", "/api/v1/namespaces", body={"metadata": {"name": NS}})
    for path, body in _workloads():
        create_when_ready(k8s_api, path, body)
    wait_for(lambda: len(_pods_on(k8s_api, "wasipool")) == 5, 60, "the demo's pods on wasipool", 0.2)
    ctx = SimpleNamespace(api=k8s_api, arm=arm, kubelet=kubelet, owner=owner, cwd=az.cwd, servers=[])
    try:
        with serving_estate(arm, az, _estate(k8s_env)):
            yield ctx
    finally:
        for server in ctx.servers:
            server.__exit__(None, None, None)
        rest.call(k8s_api, "DELETE", f"/apis/batch/v1/namespaces/{NS}/jobs", query={"propagationPolicy": "Background"})
        remove_namespace(k8s_api, NS)
        _drop_nodes(k8s_api, POOLS)
        for name in made:
            rest.call(k8s_api, "DELETE", f"/apis/node.k8s.io/v1/runtimeclasses/{name}")
        if exists(k8s_api, "/api/v1/namespaces/wasimig-system"):   # the cutover examples' records
            rest.call(k8s_api, "DELETE", "/api/v1/namespaces/wasimig-system/configmaps",
                      query={"labelSelector": "wasimig.azure.com/record=cutover"})
        for leftover in ("wasi-report.md", "rendered.yaml", "compare.md", "compare-startup.svg", "verify-wasipool.md"):
            pathlib.Path(az.cwd, leftover).unlink(missing_ok=True)
        shutil.rmtree(pathlib.Path(az.cwd, "k8s"), ignore_errors=True)
