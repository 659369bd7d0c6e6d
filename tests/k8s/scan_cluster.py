"""The scan scenario on the live API server (the ``cluster`` fixture, shared by test_snapshot_live.py and
test_e2e_scan.py): the unit tests' objects (tests/unit/evaluate/helpers.py) under names unique to this run, their
pods Running and PDB status computed. Not a test module itself."""

import copy
import os
import uuid

import pytest

from azext_wasimig.evaluate import scan
from azext_wasimig.kube import rest
from azext_wasimig.vocabulary.kubernetes import POOL_LABEL
from tests.k8s.harness import exists, vmss_provider_id, wait_for
from tests.unit.evaluate import helpers as unit

# up.sh starts a kube-scheduler unless WASIMIG_K8S_WITH_SCHEDULER=0. Without one the test binds the pods itself,
# honouring node affinity (the fake kubelet's binder reads only nodeSelector, which would scatter them).
SCHEDULER = os.environ.get("WASIMIG_K8S_WITH_SCHEDULER", "1") != "0"
# spin-hello 2, slight-kv 1, wws-api 1, wagi-legacy 1, web 3, metrics 1, elsewhere 1, spinkube-app 2, log-agent 2
# (one per pool node), cache 1, legacy-rs 2, the CronJob's Job 1, debug-shell 1
EXPECTED_PODS = 19
PATHS = {"Deployment": "/apis/apps/v1/namespaces/{ns}/deployments",
         "StatefulSet": "/apis/apps/v1/namespaces/{ns}/statefulsets",
         "DaemonSet": "/apis/apps/v1/namespaces/{ns}/daemonsets",
         "ReplicaSet": "/apis/apps/v1/namespaces/{ns}/replicasets",
         "Job": "/apis/batch/v1/namespaces/{ns}/jobs",
         "CronJob": "/apis/batch/v1beta1/namespaces/{ns}/cronjobs",
         "PodDisruptionBudget": "/apis/policy/v1beta1/namespaces/{ns}/poddisruptionbudgets",
         "Pod": "/api/v1/namespaces/{ns}/pods",
         "RuntimeClass": "/apis/node.k8s.io/v1/runtimeclasses"}


def create(api, obj, ns=None):
    obj = copy.deepcopy(obj)
    if ns:
        obj["metadata"]["namespace"] = ns
    return rest.call(api, "POST", PATHS[obj["kind"]].format(ns=ns), body=obj)


@pytest.fixture(name="api", scope="module")
def api_fixture(k8s_api):
    return k8s_api   # conftest.py: the ApiClient from kube.connect for the session's control plane


@pytest.fixture(name="cluster", scope="module")
def cluster_fixture(api, kubelet, node_owner):
    """The scenario on the server; yields (namespace, pool names) and removes it all afterwards. Its nodes carry
    the providerIDs of ``node_owner``'s cluster (None: no providerID)."""
    tag = uuid.uuid4().hex[:6]
    ns, pools = f"scan-{tag}", {"wasipool": f"w{tag}", "krustlet": f"k{tag}", "stdpool": f"s{tag}"}
    objects = unit.cluster_objects(pool=pools["wasipool"], krustlet=pools["krustlet"], std=pools["stdpool"],
                                   rc_suffix=f"-{tag}")
    try:
        rest.call(api, "POST", "/api/v1/namespaces", body={"metadata": {"name": ns}})
        wait_for(lambda: exists(api, f"/api/v1/namespaces/{ns}/serviceaccounts/default"), 30,
                 "the default ServiceAccount", 0.2)
        _create_nodes(api, kubelet, objects["nodes"], node_owner)
        for obj in objects["runtime_classes"]:
            create(api, obj)
        created = {(o["kind"], o["metadata"]["name"]): create(api, o, ns)
                   for o in objects["workloads"] + objects["pdbs"]}
        _create_owned_job_and_bare_pod(api, ns, pools["wasipool"], created[("CronJob", "nightly-spin")])
        _wait_until_settled(api, ns, objects["nodes"])
        yield ns, pools
    finally:
        _quietly(api, "DELETE", f"/api/v1/namespaces/{ns}")   # no new pods from here on
        _quietly(api, "DELETE", f"/api/v1/namespaces/{ns}/pods", {"gracePeriodSeconds": 0})   # no kubelet waits
        wait_for(lambda: not exists(api, f"/api/v1/namespaces/{ns}"), 60, "the namespace to go", 0.2)
        for obj in objects["runtime_classes"]:
            _quietly(api, "DELETE", f"/apis/node.k8s.io/v1/runtimeclasses/{obj['metadata']['name']}")
        for obj in objects["nodes"]:   # the session's fake kubelet outlives us: take our nodes away now
            _quietly(api, "DELETE", f"/api/v1/nodes/{obj['metadata']['name']}")


def _create_nodes(api, kubelet, nodes, owner):
    for index, node in enumerate(nodes):
        labels = node["metadata"]["labels"]
        provider_id = vmss_provider_id(owner, labels[POOL_LABEL], index) if owner else None
        kubelet.add_node(node["metadata"]["name"], labels, provider_id=provider_id)
        if node["spec"].get("taints"):   # the Krustlet node: add_node cleared every taint
            rest.call(api, "PATCH", f"/api/v1/nodes/{node['metadata']['name']}", body={"spec": node["spec"]},
                      content_type="application/merge-patch+json")


def _create_owned_job_and_bare_pod(api, ns, pool, cron):
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {
        "name": "nightly-spin-28000000", "ownerReferences": [{
            "apiVersion": "batch/v1beta1", "kind": "CronJob", "name": cron["metadata"]["name"],
            "uid": cron["metadata"]["uid"], "controller": True}]},
        "spec": copy.deepcopy(cron["spec"]["jobTemplate"]["spec"])}
    create(api, job, ns)
    bare = unit.pod("debug-shell", f"aks-{pool}-1")
    del bare["status"]
    create(api, bare, ns)


def _wait_until_settled(api, ns, nodes):
    """Pods bound and Running where they can be, PDB status computed by the disruption controller."""
    def all_running():
        pods = rest.call(api, "GET", f"/api/v1/namespaces/{ns}/pods").get("items") or []
        if not SCHEDULER:
            _bind_pending(api, ns, pods, nodes)
        return len(pods) == EXPECTED_PODS and all((p.get("status") or {}).get("phase") == "Running" for p in pods)
    wait_for(all_running, 30, f"all {EXPECTED_PODS} pods to run", 0.2)

    def budgets():
        items = rest.call(api, "GET", PATHS["PodDisruptionBudget"].format(ns=ns)).get("items") or []
        allowed = {p["metadata"]["name"]: (p.get("status") or {}).get("disruptionsAllowed") for p in items}
        return allowed.get("web-pdb") == 1 and allowed.get("spin-hello-pdb") == 0
    wait_for(budgets, 30, "PDB status", 0.2)


def _bind_pending(api, ns, pods, nodes):
    """Play kube-scheduler: each unbound pod to the first of our nodes its placement rules allow."""
    for pod in pods:
        spec = pod["spec"]
        if spec.get("nodeName"):
            continue
        fitting = [n["metadata"]["name"] for n in nodes if _fits(spec, n)]
        if fitting:
            rest.call(api, "POST", f"/api/v1/namespaces/{ns}/pods/{pod['metadata']['name']}/binding", body={
                "apiVersion": "v1", "kind": "Binding", "metadata": {"name": pod["metadata"]["name"]},
                "target": {"apiVersion": "v1", "kind": "Node", "name": fitting[0]}})


def _fits(spec, node):
    labels = dict(node["metadata"]["labels"], **{"kubernetes.io/hostname": node["metadata"]["name"]})
    if any(labels.get(k) != v for k, v in (spec.get("nodeSelector") or {}).items()):
        return False
    terms = ((((spec.get("affinity") or {}).get("nodeAffinity") or {})
              .get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get("nodeSelectorTerms") or [])
    fields = {"metadata.name": node["metadata"]["name"]}   # DaemonSet pods name their node in matchFields
    return not terms or any(scan.selector_matches({"matchExpressions": t.get("matchExpressions")}, labels, True)
                            and scan.selector_matches({"matchExpressions": t.get("matchFields")}, fields, True)
                            for t in terms)


def _quietly(api, method, path, body=None):
    try:
        rest.call(api, method, path, body=body)
    except rest.KubeApiError:
        pass
