"""scan.assess over a plain-dict cluster with one workload of each kind the migration meets.

``cluster_objects`` is also what tests/k8s/test_snapshot_live.py creates on a real API server, so
the objects are valid API objects, not just what the scan reads.
"""

import copy

import pytest

from azext_wasimig import scan
from azext_wasimig.kube.snapshot import ClusterSnapshot

NS = "apps"
SPIN_LABEL = "kubernetes.azure.com/wasmtime-spin-v2"
SLIGHT_LABEL = "kubernetes.azure.com/wasmtime-slight-v1"
AGENTPOOL = "kubernetes.azure.com/agentpool"
ARCH = "kubernetes.io/arch"


def node(name, pool, labels=None, taints=None):
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"agentpool": pool, AGENTPOOL: pool, **(labels or {})}},
            "spec": {"taints": taints} if taints else {}}


def runtime_class(name, handler, selector=None):
    rc = {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": {"name": name}, "handler": handler}
    if selector:
        rc["scheduling"] = {"nodeSelector": selector}
    return rc


def container(command=None, image="example.azurecr.io/app:1.0"):
    c = {"name": "app", "image": image}
    if command:
        c["command"] = command
    return c


def pod_template(app, annotations=None, **spec):
    spec.setdefault("containers", [container()])
    meta = {"labels": {"app": app}}
    if annotations:
        meta["annotations"] = annotations
    return {"metadata": meta, "spec": spec}


def workload(kind, name, template, replicas=None, api_version="apps/v1", **extra):
    spec = {"selector": {"matchLabels": template["metadata"]["labels"]}, "template": template, **extra}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "namespace": NS}, "spec": spec}


def cronjob(name, template):
    template = copy.deepcopy(template)
    template["spec"]["restartPolicy"] = "OnFailure"
    return {"apiVersion": "batch/v1beta1", "kind": "CronJob", "metadata": {"name": name, "namespace": NS},
            "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": template}}}}


def pdb(name, app=None, api_version="policy/v1beta1", allowed=None, **spec):
    spec["selector"] = {"matchLabels": {"app": app}} if app else {}
    obj = {"apiVersion": api_version, "kind": "PodDisruptionBudget", "metadata": {"name": name, "namespace": NS},
           "spec": spec}
    if allowed is not None:
        obj["status"] = {"disruptionsAllowed": allowed}
    return obj


def pod(name, node_name, owner=None, phase="Running", **spec):
    spec.setdefault("containers", [container()])
    meta = {"name": name, "namespace": NS, "labels": {}}
    if owner:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1],
                                    "uid": "00000000-0000-0000-0000-000000000000", "controller": True}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": {"nodeName": node_name, **spec},
            "status": {"phase": phase}}


def owned(obj, kind, name):
    obj["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": kind, "name": name,
                                           "uid": "00000000-0000-0000-0000-000000000000", "controller": True}]
    return obj


def krustlet_tolerations():
    return [{"key": ARCH, "operator": "Equal", "value": "wasm32-wagi", "effect": effect}
            for effect in ("NoExecute", "NoSchedule")]


def cluster_objects(pool="wasipool", krustlet="krustlet", std="stdpool", rc_suffix=""):
    """Nodes, RuntimeClasses, workloads and PDBs of the scenario (pods: see running_pods)."""
    spin_rc, slight_rc = f"wasmtime-spin-v2{rc_suffix}", f"wasmtime-slight-v1{rc_suffix}"
    wws_rc, spinkube_rc = f"wasmtime-wws-v0-8-0{rc_suffix}", f"spin-v2{rc_suffix}"
    krustlet_taints = [{"key": ARCH, "value": "wasm32-wagi", "effect": e} for e in ("NoExecute", "NoSchedule")]
    wagi_annotations = {"alpha.wagi.krustlet.dev/default-host": "0.0.0.0:3001",
                        "alpha.wagi.krustlet.dev/modules": '{"hello": {"route": "/"}}'}
    pool_affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "agentpool", "operator": "In", "values": [pool]}]}]}}}
    preferred_affinity = {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 50, "preference": {"matchExpressions": [{"key": AGENTPOOL, "operator": "In", "values": [pool]}]}}]}}
    return {
        "nodes": [node(f"aks-{pool}-0", pool, {SPIN_LABEL: "true", SLIGHT_LABEL: "true"}),
                  node(f"aks-{pool}-1", pool, {SPIN_LABEL: "true", SLIGHT_LABEL: "true"}),
                  node(f"aks-{krustlet}-0", krustlet, {ARCH: "wasm32-wagi"}, krustlet_taints),
                  node(f"aks-{std}-0", std, {"spin": "true"})],
        "runtime_classes": [runtime_class(spin_rc, "spin", {SPIN_LABEL: "true"}),
                            runtime_class(slight_rc, "slight", {SLIGHT_LABEL: "true"}),
                            runtime_class(wws_rc, "wws-v0-8-0"),
                            runtime_class(spinkube_rc, "spin-v2", {"spin": "true"})],
        "workloads": [
            workload("Deployment", "spin-hello", pod_template(
                "spin-hello", runtimeClassName=spin_rc, containers=[container(["/"])]), replicas=2),
            workload("Deployment", "slight-kv", pod_template("slight-kv", runtimeClassName=slight_rc), replicas=1),
            workload("Deployment", "wws-api", pod_template(
                "wws-api", runtimeClassName=wws_rc, nodeSelector={AGENTPOOL: pool}), replicas=1),
            workload("Deployment", "wagi-legacy", pod_template(
                "wagi-legacy", wagi_annotations, nodeSelector={ARCH: "wasm32-wagi"},
                tolerations=krustlet_tolerations(), hostNetwork=True), replicas=1),
            workload("Deployment", "web", pod_template("web", affinity=pool_affinity), replicas=3),
            workload("Deployment", "metrics", pod_template(
                "metrics", nodeSelector={"kubernetes.io/hostname": f"aks-{pool}-1"}), replicas=1),
            workload("Deployment", "elsewhere", pod_template("elsewhere", nodeSelector={AGENTPOOL: std}),
                     replicas=1),
            workload("Deployment", "spinkube-app", pod_template("spinkube-app", runtimeClassName=spinkube_rc),
                     replicas=2),
            workload("DaemonSet", "log-agent", pod_template("log-agent", nodeSelector={AGENTPOOL: pool})),
            workload("StatefulSet", "cache", pod_template(
                "cache", nodeSelector={"agentpool": pool}, volumes=[{"name": "scratch", "emptyDir": {}}]),
                replicas=1, serviceName="cache"),
            workload("ReplicaSet", "legacy-rs", pod_template("legacy-rs", affinity=preferred_affinity), replicas=2),
            cronjob("nightly-spin", pod_template("nightly-spin", runtimeClassName=spin_rc)),
        ],
        "pdbs": [pdb("spin-hello-pdb", "spin-hello", allowed=0, minAvailable=2),
                 pdb("web-pdb", "web", allowed=1, maxUnavailable=1),
                 pdb("empty-v1beta1")],
    }


def running_pods(pool="wasipool", std="stdpool"):
    """Pods as the controllers made them, for the unit test (the live test gets them from the server)."""
    return [
        pod("spin-hello-6d4-abcde", f"aks-{pool}-0", ("ReplicaSet", "spin-hello-6d4")),
        pod("metrics-7c9-xyz12", f"aks-{pool}-1", ("ReplicaSet", "metrics-7c9")),
        pod("nightly-spin-28000000-q7x", f"aks-{pool}-0", ("Job", "nightly-spin-28000000")),
        pod("elsewhere-5f5-k2j4l", f"aks-{std}-0", ("ReplicaSet", "elsewhere-5f5")),
        pod("debug-shell", f"aks-{pool}-1"),
        pod("old-task", f"aks-{pool}-0", phase="Succeeded"),
    ]


def owned_children():
    """The ReplicaSets and the Job the controllers made: they lead pods back to their owners."""
    job = owned({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "nightly-spin-28000000",
                                                                       "namespace": NS}, "spec": {}},
                "CronJob", "nightly-spin")
    return [owned(workload("ReplicaSet", f"{app}-{h}", pod_template(app), replicas=1), "Deployment", app)
            for app, h in (("spin-hello", "6d4"), ("metrics", "7c9"), ("elsewhere", "5f5"))] + [job]


def unit_snapshot():
    objects = cluster_objects()
    return ClusterSnapshot(nodes=objects["nodes"], pods=running_pods(),
                           workloads=objects["workloads"] + owned_children(), pdbs=objects["pdbs"],
                           runtime_classes=objects["runtime_classes"])


# What both this test and the live one expect: (kind, name) -> (payload, target, pools, setting evidence fields)
T = "spec.template.spec"
EXPECTED = {
    ("CronJob", "nightly-spin"): ("spin", "standard-pool-spinkube", ["wasipool"],
                                  ["spec.jobTemplate.spec.template.spec.runtimeClassName"]),
    ("DaemonSet", "log-agent"): ("container", "standard-pool", ["wasipool"], [f"{T}.nodeSelector"]),
    ("Deployment", "metrics"): ("container", "standard-pool", ["wasipool"], []),
    ("Deployment", "slight-kv"): ("slight", "none", ["wasipool"], [f"{T}.runtimeClassName"]),
    ("Deployment", "spin-hello"): ("spin", "standard-pool-spinkube", ["wasipool"], [f"{T}.runtimeClassName"]),
    ("Deployment", "wagi-legacy"): ("wagi", "standard-pool-spinkube", ["krustlet"], [
        "spec.template.metadata.annotations", "spec.template.metadata.annotations", f"{T}.nodeSelector",
        f"{T}.tolerations[0]", f"{T}.tolerations[1]"]),
    ("Deployment", "web"): ("container", "standard-pool", ["wasipool"], [
        f"{T}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
        ".matchExpressions[0]"]),
    ("Deployment", "wws-api"): ("wws", "none", ["wasipool"], [f"{T}.nodeSelector"]),
    ("Pod", "debug-shell"): ("container", "standard-pool", ["wasipool"], []),
    ("ReplicaSet", "legacy-rs"): ("container", "standard-pool", ["wasipool"], [
        f"{T}.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference"
        ".matchExpressions[0]"]),
    ("StatefulSet", "cache"): ("container", "standard-pool", ["wasipool"], [f"{T}.nodeSelector"]),
}


def setting_fields(finding):
    return sorted(e["field"] for e in finding["evidence"] if e["field"] != scan.RUNNING_FIELD)


def classification(findings, rename_pools=None):
    rename_pools = rename_pools or {}
    return {(f["kind"], f["name"]): (f["payload"], f["recommendedTarget"],
                                     [rename_pools.get(p, p) for p in f["pools"]], setting_fields(f))
            for f in findings}


@pytest.fixture(name="findings")
def findings_fixture():
    return scan.assess(unit_snapshot(), ["wasipool", "krustlet"])


def by_name(findings, name):
    (finding,) = [f for f in findings if f["name"] == name]
    return finding


def test_classifies_every_tied_workload_and_nothing_else(findings):
    assert classification(findings) == EXPECTED


def test_order_is_namespace_kind_name(findings):
    assert [(f["kind"], f["name"]) for f in findings] == sorted(EXPECTED)


def test_evidence_names_the_selector_value_and_why():
    finding = by_name(scan.assess(unit_snapshot(), ["wasipool", "krustlet"]), "log-agent")
    assert finding["evidence"] == [{"field": f"{T}.nodeSelector", "value": f"{AGENTPOOL}=wasipool",
                                    "reason": "selects the nodes of WASI pool wasipool"}]
    assert finding["replicas"] == 2   # a DaemonSet: one pod per pool node


def test_runtime_class_scheduling_ties_spin_and_warns_about_the_aks_runtime_class(findings):
    spin = by_name(findings, "spin-hello")
    (rc_evidence,) = [e for e in spin["evidence"] if e["field"].endswith("runtimeClassName")]
    assert rc_evidence["value"] == "wasmtime-spin-v2"
    assert f"{SPIN_LABEL}=true" in rc_evidence["reason"] and "wasipool" in rc_evidence["reason"]
    assert any("RuntimeClass wasmtime-spin-v2 is the one AKS made" in w for w in spin["warnings"])
    assert any('placeholder command ["/"]' in w for w in spin["warnings"])
    assert spin["runtimeClassName"] == "wasmtime-spin-v2"


def test_running_pods_are_traced_through_replicaset_and_job_to_their_owner(findings):
    assert by_name(findings, "spin-hello")["podsOnPool"] == ["spin-hello-6d4-abcde"]
    assert by_name(findings, "nightly-spin")["podsOnPool"] == ["nightly-spin-28000000-q7x"]
    metrics = by_name(findings, "metrics")
    assert metrics["evidence"] == [{"field": "spec.nodeName", "value": "aks-wasipool-1",
                                    "reason": "1 pod(s) run now on node aks-wasipool-1 of WASI pool wasipool"}]
    names = {f["name"] for f in findings}
    assert not names & {"spin-hello-6d4", "nightly-spin-28000000", "old-task", "elsewhere", "spinkube-app"}


def test_pdb_allowing_no_disruption_blocks_and_others_are_listed(findings):
    spin, web = by_name(findings, "spin-hello"), by_name(findings, "web")
    assert spin["pdbs"] == [{"name": "spin-hello-pdb", "minAvailable": 2, "maxUnavailable": None,
                             "disruptionsAllowed": 0}]
    assert [b for b in spin["blockers"] if "spin-hello-pdb" in b] == [
        "PodDisruptionBudget spin-hello-pdb allows no disruption (minAvailable 2 with 2 replica(s)): evictions are "
        "refused, so draining the WASI pool hangs. Relax it (e.g. maxUnavailable: 1) or add replicas first."]
    assert [p["name"] for p in web["pdbs"]] == ["web-pdb"] and web["pdbs"][0]["disruptionsAllowed"] == 1
    assert web["blockers"] == [] and web["warnings"] == []
    assert all("empty-v1beta1" not in [p["name"] for p in f["pdbs"]] for f in findings)   # v1beta1: {} matches none


def test_slight_and_wws_are_blocked_with_no_target(findings):
    slight, wws = by_name(findings, "slight-kv"), by_name(findings, "wws-api")
    assert "Slight (SpiderLightning) app: it has no supported successor" in slight["blockers"][0]
    assert "Wasm Workers Server (wws) app: it has no supported successor" in wws["blockers"][0]
    assert slight["recommendedTarget"] == wws["recommendedTarget"] == "none"
    assert slight["actions"][0].startswith("Rewrite the app")


def test_krustlet_wagi_is_blocked_by_its_annotations_and_warns_about_host_network(findings):
    wagi = by_name(findings, "wagi-legacy")
    assert len(wagi["blockers"]) == 1
    assert ("WAGI annotations alpha.wagi.krustlet.dev/default-host, alpha.wagi.krustlet.dev/modules"
            in wagi["blockers"][0])
    assert any(w.startswith("hostNetwork: true") for w in wagi["warnings"])
    assert any(w.startswith("One replica and no PodDisruptionBudget") for w in wagi["warnings"])
    values = [e["value"] for e in wagi["evidence"]]
    assert values == [f"{ARCH}=wasm32-wagi", f"{ARCH}=wasm32-wagi:NoExecute", f"{ARCH}=wasm32-wagi:NoSchedule",
                      "alpha.wagi.krustlet.dev/default-host", "alpha.wagi.krustlet.dev/modules"]


def test_stateful_set_with_empty_dir_and_bare_pod_warn(findings):
    cache, shell = by_name(findings, "cache"), by_name(findings, "debug-shell")
    assert any(w.startswith("emptyDir volume(s) scratch") for w in cache["warnings"])
    assert shell["warnings"] == [
        "Bare Pod with no controller: draining deletes it and nothing re-creates it. Re-create it on the new pool "
        "yourself, or put it under a Deployment."]
    assert shell["podsOnPool"] == ["debug-shell"] and shell["replicas"] == 1


def test_aci_is_offered_only_for_stateless_single_container_spin_deployments(findings):
    assert [a["target"] for a in by_name(findings, "spin-hello")["alternatives"]] == ["aci"]
    assert by_name(findings, "nightly-spin")["alternatives"] == []
    assert by_name(findings, "web")["alternatives"] == []


def test_only_pool_keeps_the_workloads_of_that_pool():
    assert [f["name"] for f in scan.assess(unit_snapshot(), ["wasipool", "krustlet"], "krustlet")] == ["wagi-legacy"]
    names = {f["name"] for f in scan.assess(unit_snapshot(), ["wasipool", "krustlet"], "wasipool")}
    assert names == {name for _, name in EXPECTED} - {"wagi-legacy"}


def test_pool_names_tie_only_when_known_from_arm():
    snapshot = unit_snapshot()
    snapshot.nodes, snapshot.pods = [], []
    found = classification(scan.assess(snapshot, []))
    # without pool names and nodes: only the WASI-specific signals, and the pool is unknown
    assert set(found) == {("CronJob", "nightly-spin"), ("Deployment", "slight-kv"), ("Deployment", "spin-hello"),
                          ("Deployment", "wagi-legacy")}
    assert all(pools == [] for _, _, pools, _ in found.values())


def test_missing_aks_runtime_class_is_judged_by_its_name():
    snapshot = unit_snapshot()
    snapshot.runtime_classes = []
    found = classification(scan.assess(snapshot, ["wasipool", "krustlet"]))
    assert found[("Deployment", "wws-api")][3] == [f"{T}.nodeSelector", f"{T}.runtimeClassName"]
    assert ("Deployment", "spinkube-app") not in found   # "spin-v2" is not an AKS name


def test_policy_v1_empty_selector_covers_every_pod():
    snapshot = unit_snapshot()
    snapshot.pdbs = [pdb("all", api_version="policy/v1", allowed=3, maxUnavailable=1)]
    assert [p["name"] for p in by_name(scan.assess(snapshot, ["wasipool"]), "cache")["pdbs"]] == ["all"]


def test_pdb_with_zero_disruptions_in_status_only_blocks_with_its_reason():
    snapshot = unit_snapshot()
    snapshot.pdbs = [pdb("web-pdb", "web", allowed=0, maxUnavailable=1)]
    (blocker,) = by_name(scan.assess(snapshot, ["wasipool"]), "web")["blockers"]
    assert "status.disruptionsAllowed is 0 now" in blocker


def test_summary_counts(findings):
    summary = scan.summarize(findings)
    assert summary["workloads"] == 11
    assert summary["byPayload"] == {"container": 6, "slight": 1, "spin": 2, "wagi": 1, "wws": 1}
    assert summary["byTarget"] == {"none": 2, "standard-pool": 6, "standard-pool-spinkube": 3}
    assert summary["workloadsBlocked"] == 4   # slight, wws, wagi, spin-hello's PDB
    assert summary["pools"] == ["krustlet", "wasipool"]
    assert summary["podsOnPool"] == 4


def test_has_findings_ignores_a_pod_that_merely_runs_there(findings):
    assert scan.has_findings(findings)
    quiet = dict(by_name(findings, "metrics"), warnings=[])
    assert not scan.has_findings([quiet])
    assert scan.has_findings([dict(by_name(findings, "web"))])   # its nodeAffinity is a WASI setting left
    assert not scan.has_findings([])


def test_mirror_pods_are_skipped_and_pods_of_unread_owners_are_not_called_bare():
    snapshot = unit_snapshot()
    mirror = pod("kube-proxy-aks", "aks-wasipool-0", ("Node", "aks-wasipool-0"))
    mirror["metadata"]["annotations"] = {"kubernetes.io/config.mirror": "abc"}
    task = pod("build-7", "aks-wasipool-0", ("TaskRun", "build-7"))
    snapshot.pods += [mirror, task]
    findings = scan.assess(snapshot, ["wasipool"])
    assert "kube-proxy-aks" not in {f["name"] for f in findings}
    assert by_name(findings, "build-7")["warnings"] == [
        "Owned by TaskRun build-7, which the scan does not read: check that it re-creates the pod on the new pool "
        "once the WASI pool is drained."]
