"""`az aks wasi-migrate create-aci` end to end: the real az with the wheel -> the real kube-apiserver (workloads,
Secrets, ConfigMaps, Services) and the emulated ARM (container groups, with real long-running operations).

What was sent is read from the emulator's request log, which keeps every secret only as ``redacted(value)`` (a
SHA-256 prefix): comparing with ``redacted(<the Secret's value>)`` proves that exactly that value was sent as a
``secureValue``/``password``, without the log holding it. Every output of az (``--debug`` included) is searched
for the values in clear and base64.
"""

import base64
import copy
import json
import uuid

import pytest

from tests.conftest import arm_calls, serving_estate
from tests.emulator.requestlog import redacted
from tests.k8s.harness import embedded_kubeconfig
from tests.k8s.helpers import _create
from tests.k8s.leaks import leaked

pytestmark = [pytest.mark.e2e, pytest.mark.k8s]

SUB, RG, CLUSTER = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa", "rg-aci", "aks-aci"
OTHER_RG = "rg-aci-other"
WASI = f"w{uuid.uuid4().hex[:6]}"
SPIN_MIRROR = "myreg.azurecr.io/fermyon/spin:v2.7.0"
APP_IMAGE = "myreg.azurecr.io/spin-web:1.0"
TOKEN = f"s3cr3t-{uuid.uuid4().hex}"
PULL_PASSWORD = f"pull-{uuid.uuid4().hex}"
CLASH = {"name": "taken-0", "resourceGroup": RG, "location": "westeurope", "tags": {"owner": "someone else"},
         "properties": {"osType": "Linux", "containers": [{"name": "c", "properties": {
             "image": "nginx", "resources": {"requests": {"cpu": 1, "memoryInGB": 1.5}}}}]}}
ESTATE = {"tenantId": "72f988bf-0000-0000-0000-000000000001", "subscriptions": [{
    "subscriptionId": SUB, "displayName": "ACI", "resourceGroups": [OTHER_RG], "containerGroups": [CLASH],
    "clusters": [{"name": CLUSTER, "resourceGroup": RG, "location": "westeurope", "kubernetesVersion": "1.30.4",
                  "agentPools": [{"name": "sys", "mode": "System", "vmSize": "Standard_D2s_v5", "count": 1},
                                 {"name": WASI, "mode": "User", "vmSize": "Standard_D2s_v5", "count": 2,
                                  "workloadRuntime": "WasmWasi"}]}]}]}


@pytest.fixture(scope="module")
def aci_subscription(arm, az):
    with serving_estate(arm, az, copy.deepcopy(ESTATE)):
        yield


@pytest.fixture(name="ns")
def ns_fixture(arm, aci_subscription, namespace, k8s_env, k8s_api):
    """A fresh ARM state (no container group but the clash) and the test's namespace holding the Spin app."""
    arm.set_estate(copy.deepcopy(ESTATE))
    arm.set_kubeconfig(SUB, RG, CLUSTER, embedded_kubeconfig(k8s_env.kubeconfig))
    arm.clear_faults()
    spin_app(k8s_api, namespace)
    arm.clear_requests()
    yield namespace
    arm.clear_faults()


def spin_app(api, ns, name="web", **spec_extra):
    core = f"/api/v1/namespaces/{ns}"
    if name == "web":
        _create(api, f"{core}/secrets", {"metadata": {"name": "app"}, "stringData": {"token": TOKEN}})
        auth = {"auths": {"https://myreg.azurecr.io": {"username": "puller", "password": PULL_PASSWORD}}}
        _create(api, f"{core}/secrets", {"metadata": {"name": "acr"}, "type": "kubernetes.io/dockerconfigjson",
                                         "stringData": {".dockerconfigjson": json.dumps(auth)}})
        _create(api, f"{core}/configmaps", {"metadata": {"name": "cfg"}, "data": {"MODE": "prod"}})
        _create(api, f"{core}/services", {"metadata": {"name": "web"}, "spec": {
            "selector": {"app": "web"}, "ports": [{"port": 8080, "targetPort": "http"}]}})
    container = {"name": "web", "image": APP_IMAGE, "command": ["/"], "ports": [{"name": "http", "containerPort": 80}],
                 "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "app", "key": "token"}}},
                         {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "MODE"}}}],
                 "resources": {"requests": {"cpu": "250m", "memory": "128Mi"}}}
    pod = {"runtimeClassName": "wasmtime-spin-v1", "nodeSelector": {"kubernetes.azure.com/agentpool": WASI},
           "imagePullSecrets": [{"name": "acr"}], "containers": [container], **spec_extra}
    _create(api, f"/apis/apps/v1/namespaces/{ns}/deployments", {"metadata": {"name": name}, "spec": {
        "replicas": 2, "selector": {"matchLabels": {"app": name}},
        "template": {"metadata": {"labels": {"app": name}}, "spec": pod}}})


def create_aci(az, *args, expect=0, env=None):
    return az("aks", "wasi-migrate", "create-aci", "--subscription", SUB, "-g", RG, "-n", CLUSTER, *args,
              expect=expect, env=env)


def puts(arm):
    return {c["path"].rsplit("/", 1)[-1]: c["body"] for c in arm_calls(arm.requests(), "PUT", "/containerGroups/")}


def groups(arm, rg=RG):
    return {g["name"]: g for g in arm.dump()["containerGroups"] if f"/resourceGroups/{rg}/" in g["id"]}


def b64(text):
    return base64.b64encode(text.encode()).decode()


def assert_no_secret(*texts):
    """Neither Secret value in any text, in clear or in any nesting of base64 (a Docker config.json in a secret
    volume is base64 of JSON holding base64 of user:password)."""
    assert leaked({"Secret value": TOKEN.encode(), "registry password": PULL_PASSWORD.encode()}, *texts) == []


def test_spin_replicas_become_groups_with_secure_values_and_an_unsupported_workload_fails_alone(az, arm, ns,
                                                                                                  k8s_api):
    spin_app(k8s_api, ns, "files", volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}])
    arm.clear_requests()
    result = create_aci(az, "--workload", f"{ns}/deployment/web", f"{ns}/deploy/files", "--spin-image", SPIN_MIRROR,
                        expect=1)
    assert f"{ns}/Deployment/files: ACI cannot run it: volume 'data' is a persistentVolumeClaim volume" in result.err
    assert f"{ns}/Deployment/web: created (web-0, web-1)" in result.err and "Traceback" not in result.err
    sent = puts(arm)
    assert sorted(sent) == ["web-0", "web-1"]
    for index, name in enumerate(["web-0", "web-1"]):
        props = sent[name]["properties"]
        container = props["containers"][0]["properties"]
        assert container["image"] == SPIN_MIRROR
        assert container["command"] == ["spin", "up", "--listen", "0.0.0.0:80", "-f", APP_IMAGE]
        assert container["environmentVariables"][:2] == [{"name": "TOKEN", "secureValue": redacted(TOKEN)},
                                                         {"name": "MODE", "value": "prod"}]
        assert props["imageRegistryCredentials"] == [{"server": "myreg.azurecr.io", "username": "puller",
                                                      "password": redacted(PULL_PASSWORD)}]
        assert props["osType"] == "Linux" and props["ipAddress"]["ports"] == [{"port": 80, "protocol": "TCP"}]
        assert sent[name]["tags"]["wasimig.migratedFrom"] == f"{ns}/Deployment/web"
        assert sent[name]["tags"]["wasimig.replica"] == str(index)
        # the groups of this move are found by tags alone: the cluster's ARM id and the WASI pool moved off
        assert sent[name]["tags"]["wasimig.cluster"].lower() == (
            f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.ContainerService/managedClusters/"
            f"{CLUSTER}").lower()
        assert sent[name]["tags"]["wasimig.nodepool"] == WASI
    made = groups(arm)
    assert {n: made[n]["properties"]["provisioningState"] for n in ("web-0", "web-1")} == \
        {"web-0": "Succeeded", "web-1": "Succeeded"}
    assert not any(n.startswith("files") for n in made)
    assert_no_secret(result.out, result.err, json.dumps(arm.requests()))


def test_debug_output_holds_no_secret_and_a_rerun_changes_nothing(az, arm, ns):
    first = create_aci(az, "--workload", f"{ns}/deployment/web", "--spin-image", SPIN_MIRROR, "--debug")
    assert "Request body" in first.err, "--debug traced the HTTP requests"
    assert_no_secret(first.out, first.err)
    assert [r["action"] for r in first.json] == ["created"]
    arm.clear_requests()
    again = create_aci(az, "--workload", f"{ns}/deployment/web", "--spin-image", SPIN_MIRROR)
    assert [(r["action"], r["groups"]) for r in again.json] == [("unchanged", ["web-0", "web-1"])]
    assert puts(arm) == {}
    table = create_aci(az, "--workload", f"{ns}/deployment/web", "--spin-image", SPIN_MIRROR, "-o", "table").out
    assert table.split()[:5] == ["Workload", "Action", "ResourceGroup", "Groups", "Reason"] and "unchanged" in table
    other = create_aci(az, "--workload", f"{ns}/deployment/web", expect=1)
    assert "differs from what the workload gives now" in other.err and "image" in other.err
    assert puts(arm) == {}


def test_dry_run_prints_redacted_bodies_and_creates_nothing(az, arm, ns):
    result = create_aci(az, "--workload", f"{ns}/deployment/web", "--dry-run", "--aci-resource-group", OTHER_RG,
                        "--dns-name-label", "spinweb", "-l", "North Europe")
    (row,) = result.json
    assert row["action"] == "wouldCreate" and row["groups"] == ["web-0", "web-1"]
    assert row["resourceGroup"] == OTHER_RG
    body = row["containerGroups"][1]
    assert _pull_config_volume(body)[2]["secret"] == {"config.json": "***"}
    container = body["properties"]["containers"][0]["properties"]
    assert container["image"] == "ghcr.io/fermyon/spin:v2.7.0"
    assert container["command"] == ["spin", "up", "--listen", "0.0.0.0:80", "-f", APP_IMAGE]
    assert {"name": "TOKEN", "secureValue": "***"} in container["environmentVariables"]
    assert body["location"] == "northeurope" and body["properties"]["ipAddress"]["dnsNameLabel"] == "spinweb-1"
    assert puts(arm) == {} and groups(arm, OTHER_RG) == {}
    assert_no_secret(result.out, result.err)


def test_no_wait_returns_at_once(az, arm, ns):
    result = create_aci(az, "--workload", f"{ns}/deployment/web", "--no-wait")
    assert result.out.strip() == "" and sorted(puts(arm)) == ["web-0", "web-1"]


@pytest.mark.parametrize("args, words", [
    (["--location", "west_europe!"], "--location"),
    (["--subnet-id", "/subscriptions/x/subnets/y"], "--subnet-id"),
    (["--subnet-id", "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/a",
      "--dns-name-label", "spinweb"], "--dns-name-label"),
    (["--dns-name-label", "Not_A_Label"], "--dns-name-label"),
    (["--workload", "no-kind-here"], "NAMESPACE/KIND/NAME"),
    (["--workload", "demo/service/web"], "NAMESPACE/KIND/NAME"),
])
def test_bad_input_is_refused_before_any_call(az, arm, aci_subscription, args, words):
    arm.clear_requests()
    workload = [] if "--workload" in args else ["--workload", "demo/deployment/web"]
    result = create_aci(az, *workload, *args, expect=None)
    assert result.rc == 2 or result.rc == 1
    assert words in result.err and "Traceback" not in result.err
    assert arm_calls(arm.requests()) == []


def test_unknown_or_untied_workloads_are_refused_and_nothing_is_made(az, arm, ns, k8s_api):
    result = create_aci(az, "--workload", f"{ns}/deployment/web", f"{ns}/deployment/nosuch", expect=3)
    assert f"{ns}/Deployment/nosuch: namespace '{ns}' has no Deployment named 'nosuch'" in result.err
    _create(k8s_api, f"/apis/apps/v1/namespaces/{ns}/deployments", {"metadata": {"name": "plain"}, "spec": {
        "replicas": 1, "selector": {"matchLabels": {"app": "plain"}}, "template": {
            "metadata": {"labels": {"app": "plain"}},
            "spec": {"nodeSelector": {"wasimig.test/nowhere": "true"},   # Pending: on no other test's node
                     "containers": [{"name": "c", "image": "nginx"}]}}}})
    result = create_aci(az, "--workload", f"{ns}/deployment/plain", expect=1)
    assert f"{ns}/Deployment/plain: not tied to a WASI node pool" in result.err
    assert puts(arm) == {}


def test_a_failed_operation_says_what_exists_and_a_rerun_retries_it(az, arm, ns):
    arm.add_faults([{"method": "PUT", "path": "/containerGroups/web-1$", "lroFail": True, "times": 1}])
    result = create_aci(az, "--workload", f"{ns}/deployment/web", expect=1)
    assert "Creating container group 'web-1' failed" in result.err
    assert f"Now in resource group '{RG}': 'web-0' exists (Succeeded), 'web-1' exists (Failed)" in result.err
    assert "az container delete" in result.err
    arm.clear_requests()
    again = create_aci(az, "--workload", f"{ns}/deployment/web")
    assert [r["action"] for r in again.json] == ["created"] and sorted(puts(arm)) == ["web-1"]
    assert groups(arm)["web-1"]["properties"]["provisioningState"] == "Succeeded"


def test_a_group_made_from_something_else_is_never_overwritten(az, arm, ns, k8s_api):
    spin_app(k8s_api, ns, "taken")
    result = create_aci(az, "--workload", f"{ns}/deployment/taken", expect=1)
    assert "container group 'taken-0' already exists" in result.err and "was not made by wasimig" in result.err
    assert puts(arm) == {}


def test_a_resource_group_that_does_not_exist_fails_the_put_and_says_nothing_exists(az, arm, ns):
    result = create_aci(az, "--workload", f"{ns}/deployment/web", "--aci-resource-group", "rg-nosuch", expect=1)
    assert "Creating container group 'web-0' failed" in result.err and "rg-nosuch" in result.err
    assert "could not be found. Nothing was created for it." in result.err


def _pull_config_volume(body):
    """(DOCKER_CONFIG value, its mount, the volume mounted there) of a group's Spin container."""
    props = body["properties"]
    container = props["containers"][0]["properties"]
    env = {e["name"]: e for e in container["environmentVariables"]}
    assert set(env["DOCKER_CONFIG"]) == {"name", "value"}, "a path, sent as a plain value"
    mount = next(m for m in container["volumeMounts"] if m["mountPath"] == env["DOCKER_CONFIG"]["value"])
    volume = next(v for v in props["volumes"] if v["name"] == mount["name"])
    return env["DOCKER_CONFIG"]["value"], mount, volume


def test_a_private_spin_artifact_gets_its_registry_login_as_a_docker_config_volume(az, arm, ns, tmp_path):
    """spin up -f reads $DOCKER_CONFIG/config.json: the pull Secret's entry for the artifact's registry goes there,
    in a secret volume, and nowhere in az's output or log file."""
    logs = tmp_path / "logs"
    result = create_aci(az, "--workload", f"{ns}/deployment/web", "--debug",
                        env={"AZURE_LOGGING_ENABLE_LOG_FILE": "yes", "AZURE_LOGGING_LOG_DIR": str(logs)})
    assert "Request body" in result.err, "--debug traced the HTTP requests"
    assert not any("spin up -f" in note for row in result.json for note in row["notes"])
    config = json.dumps({"auths": {"myreg.azurecr.io": {"auth": b64(f"puller:{PULL_PASSWORD}")}}})
    sent = puts(arm)
    assert sorted(sent) == ["web-0", "web-1"]
    for body in sent.values():
        path, mount, volume = _pull_config_volume(body)
        assert mount["readOnly"] is True and path.startswith("/")
        assert volume == {"name": mount["name"], "secret": {"config.json": redacted(b64(config))}}
        assert body["properties"]["containers"][0]["properties"]["command"][-2:] == ["-f", APP_IMAGE]
    kept = groups(arm)["web-0"]["properties"]
    assert next(v for v in kept["volumes"] if v["name"] == mount["name"])["secret"] == {}, "ACI never returns it"
    log_text = "".join(p.read_text(errors="replace") for p in logs.rglob("*") if p.is_file())
    assert "create-aci" in log_text, "az wrote its log file"
    assert_no_secret(result.out, result.err, log_text, json.dumps(arm.requests()))


def test_a_daemonset_is_refused_for_aci_and_nothing_is_made(az, arm, ns, k8s_api):
    pod = {"nodeSelector": {"kubernetes.azure.com/agentpool": WASI}, "runtimeClassName": "wasmtime-spin-v1",
           "containers": [{"name": "agent", "image": APP_IMAGE, "command": ["/"]}]}
    _create(k8s_api, f"/apis/apps/v1/namespaces/{ns}/daemonsets", {"metadata": {"name": "agent"}, "spec": {
        "selector": {"matchLabels": {"app": "agent"}},
        "template": {"metadata": {"labels": {"app": "agent"}}, "spec": pod}}})
    arm.clear_requests()
    result = create_aci(az, "--workload", f"{ns}/ds/agent", expect=1)
    assert f"{ns}/DaemonSet/agent: ACI cannot run it: a DaemonSet runs one pod on every node" in result.err
    assert "Deployment" in result.err and "Nothing was created for it." in result.err
    assert "Traceback" not in result.err
    assert puts(arm) == {} and not any(n.startswith("agent") for n in groups(arm))
