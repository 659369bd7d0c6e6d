"""retarget waits for the rollouts it started (kubectl's rollout-status rules) and exits 1 naming what did not
become available; --no-wait returns at once. The real az -> emulated ARM -> the real kube-apiserver, controllers
and scheduler v1.20.2, the harness playing kubelet.

The Spin app ``spin`` asks for 100 CPUs: the WASI pool's nodes have 200, the new pool's 64, a shortage no
placement check can see (they judge labels, taints and RuntimeClasses), so the cutover's new pod stays Pending
with the scheduler's "Insufficient cpu". Before retarget waited, that cutover exited 0.
"""

import threading

import pytest

from azext_wasimig.kube import rest
from tests.conftest import serving_estate
from tests.k8s.harness import cluster_estate, create_when_ready, embedded_kubeconfig, exists, pool_name, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.k8s]

SUB, RG, CLUSTER = "66666666-6666-4666-8666-666666666666", "rg-waits", "aks-waits"
TEST_LABEL, POOL_LABEL = "wasimig.test/ns", "kubernetes.azure.com/agentpool"
WASI_LABEL = "kubernetes.azure.com/wasmtime-spin-v1"
OLD_CLASS, NEW_CLASS = "wasmtime-spin-v1", "wasimig-waits-spin"


def estate(old, new):
    return cluster_estate(SUB, RG, CLUSTER, {"sys": ("System", 1, None), old: ("User", 2, "WasmWasi"),
                                             new: ("User", 2, None)})


@pytest.fixture(scope="module")
def waits_subscription(arm, az, k8s_api):
    made = []
    for name, scheduling in ((OLD_CLASS, {"nodeSelector": {WASI_LABEL: "true"}}), (NEW_CLASS, None)):
        if not exists(k8s_api, f"/apis/node.k8s.io/v1/runtimeclasses/{name}"):
            rest.call(k8s_api, "POST", "/apis/node.k8s.io/v1/runtimeclasses", body={
                "metadata": {"name": name}, "handler": "spin", **({"scheduling": scheduling} if scheduling else {})})
            made.append(name)
    with serving_estate(arm, az, estate("w", "s")):
        yield
    for name in made:
        rest.call(k8s_api, "DELETE", f"/apis/node.k8s.io/v1/runtimeclasses/{name}")


@pytest.fixture(name="spin_app")
def spin_app_fixture(arm, k8s_api, k8s_env, kubelet, namespace, waits_subscription):
    """The pools (old: 2 nodes of 200 CPUs; new: 2 of 64) and the Spin app running on the old one."""
    old, new = pool_name(namespace, "w"), pool_name(namespace, "s")
    arm.set_estate(estate(old, new))
    arm.set_kubeconfig(SUB, RG, CLUSTER, embedded_kubeconfig(k8s_env.kubeconfig))
    for index in range(2):
        kubelet.add_node(f"{old}-{index}", {POOL_LABEL: old, "agentpool": old, TEST_LABEL: namespace,
                                            WASI_LABEL: "true"}, capacity={"cpu": "200"})
    kubelet.add_pool(new, 2, labels={TEST_LABEL: namespace})
    create_when_ready(k8s_api, f"/apis/apps/v1/namespaces/{namespace}/deployments", {
        "metadata": {"name": "spin"}, "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "spin"}},
                                               "template": {"metadata": {"labels": {"app": "spin"}}, "spec": {
                                                   "runtimeClassName": OLD_CLASS, "terminationGracePeriodSeconds": 1,
                                                   "nodeSelector": {TEST_LABEL: namespace},
                                                   "containers": [{"name": "app", "image": "ghcr.io/demo/spin:1",
                                                                   "resources": {"requests": {"cpu": "100"}}}]}}}})
    wait_for(lambda: _available(k8s_api, namespace) == 1, 60, "the Spin app on the old pool")
    return old, new


def _available(api, namespace):
    return (rest.call(api, "GET", f"/apis/apps/v1/namespaces/{namespace}/deployments/spin").get("status") or {}).get(
        "availableReplicas") or 0


def cutover(az, old, new, *args, expect):
    return az("aks", "wasi-migrate", "retarget", "--subscription", SUB, "-g", RG, "-n", CLUSTER, "--nodepool-name",
              old, "--new-nodepool-name", new, "--phase", "cutover", "--runtime-class", NEW_CLASS, "--yes", *args,
              expect=expect)


def test_a_cutover_whose_new_pod_stays_pending_exits_1_naming_it(az, spin_app, namespace):
    old, new = spin_app
    result = cutover(az, old, new, "--timeout", "20", expect=1)
    assert f"1 rollout(s) did not become available within 20 s:\n  {namespace}/Deployment/spin: " in result.err
    assert "is Pending: 0/" in result.err and "Insufficient cpu" in result.err
    again = cutover(az, old, new, "--timeout", "5", expect=1)    # as the error advises: it waits again
    assert f"  {namespace}/Deployment/spin: " in again.err and "Insufficient cpu" in again.err


def test_no_wait_returns_at_once(az, k8s_api, spin_app, namespace):
    """az's --no-wait: exit 0 once patched, nothing printed (as for every az command that does not wait)."""
    old, new = spin_app
    assert cutover(az, old, new, "--no-wait", expect=0).out == ""
    template = rest.call(k8s_api, "GET", f"/apis/apps/v1/namespaces/{namespace}/deployments/spin")["spec"]["template"]
    assert template["spec"]["nodeSelector"][POOL_LABEL] == new and _available(k8s_api, namespace) == 1


def test_a_crash_looping_new_pod_exits_1_naming_it(az, k8s_api, spin_app, namespace):
    """The harness, as a kubelet, reports every pod of the app on the new pool as crash-looping."""
    old, new = spin_app
    path = f"/apis/apps/v1/namespaces/{namespace}/deployments/spin"
    rest.call(k8s_api, "PATCH", path, content_type="application/merge-patch+json", body={"spec": {"template": {
        "spec": {"containers": [{"name": "app", "image": "ghcr.io/demo/spin:1",
                                 "resources": {"requests": {"cpu": "1"}}}]}}}})
    wait_for(lambda: _available(k8s_api, namespace) == 1 and rest.call(k8s_api, "GET", path)["status"].get(
        "updatedReplicas") == 1, 60, "the smaller app on the old pool")
    done = threading.Event()
    crasher = threading.Thread(target=_crash_loop_on, args=(k8s_api, namespace, new, done), daemon=True)
    crasher.start()
    try:
        result = cutover(az, old, new, "--timeout", "20", expect=1)
    finally:
        done.set()
        crasher.join(timeout=5)
    assert f"  {namespace}/Deployment/spin: " in result.err
    assert "container app is waiting in CrashLoopBackOff" in result.err


def _crash_loop_on(api, namespace, pool, done):
    while not done.wait(0.2):
        pods = rest.call(api, "GET", f"/api/v1/namespaces/{namespace}/pods",
                         query={"labelSelector": "app=spin"})["items"]
        for pod in pods:
            statuses = (pod.get("status") or {}).get("containerStatuses") or []
            crashing = statuses and ((statuses[0].get("state") or {}).get("waiting") or {}).get(
                "reason") == "CrashLoopBackOff"
            if (pod["spec"].get("nodeName") or "").startswith(pool + "-") and not crashing:
                _report_crash(api, namespace, pod)


def _report_crash(api, namespace, pod):
    try:
        rest.call(api, "PATCH", f"/api/v1/namespaces/{namespace}/pods/{pod['metadata']['name']}/status",
                  content_type="application/strategic-merge-patch+json", body={"status": {
                      "conditions": [{"type": "Ready", "status": "False"}, {"type": "ContainersReady",
                                                                            "status": "False"}],
                      "containerStatuses": [{"name": "app", "image": "ghcr.io/demo/spin:1", "imageID": "",
                                             "ready": False, "restartCount": 3,
                                             "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}})
    except rest.KubeApiError:
        pass   # gone meanwhile
