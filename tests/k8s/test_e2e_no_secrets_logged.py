"""No credential reaches az's output, ``--debug`` trace or log file, in any encoding, for every command that
fetches cluster credentials or sends Secret values: the real az with the wheel -> emulated ARM (credentials,
container groups) -> the real kube-apiserver.

ARM hands out a kubeconfig as base64 inside JSON, and that kubeconfig holds the token and a base64 PEM client key
(itself base64 of DER), so a search for the raw values proves nothing: every base64-looking run in the text is
decoded, and so is every run in what that gives, a few levels deep (``leaks.decoded_forms``), before searching.
The log file is switched on with ``AZURE_LOGGING_ENABLE_LOG_FILE`` (what ``az config set
logging.enable_log_file=yes`` sets), pointed at this test's folder.
"""

import base64
import copy
import json
import uuid

import pytest
import yaml

from tests.conftest import arm_calls, serving_estate
from tests.k8s.harness import aks_owner, embedded_kubeconfig
from tests.k8s.helpers import _create
from tests.k8s.leaks import leaked

pytestmark = [pytest.mark.e2e, pytest.mark.k8s]

SUB, RG, CLUSTER = "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb", "rg-secrets", "aks-secrets"
WASI, STD = f"w{uuid.uuid4().hex[:6]}", f"s{uuid.uuid4().hex[:6]}"
SECRET_VALUE = f"app-secret-{uuid.uuid4().hex}"
PULL_PASSWORD = f"pull-{uuid.uuid4().hex}"
ESTATE = {"tenantId": "72f988bf-0000-0000-0000-000000000001", "subscriptions": [{
    "subscriptionId": SUB, "displayName": "Secrets",
    "clusters": [{"name": CLUSTER, "resourceGroup": RG, "location": "westeurope", "kubernetesVersion": "1.30.4",
                  "agentPools": [{"name": "sys", "mode": "System", "vmSize": "Standard_D2s_v5", "count": 1},
                                 {"name": WASI, "mode": "User", "vmSize": "Standard_D2s_v5", "count": 1,
                                  "workloadRuntime": "WasmWasi"},
                                 {"name": STD, "mode": "User", "vmSize": "Standard_D2s_v5", "count": 1}]}]}]}


def test_the_decoder_finds_values_hidden_in_nested_base64():
    inner = base64.b64encode(b"users:\n- user:\n    token: s3cr3t-token-value\n")
    outer = b'{"kubeconfigs": [{"value": "' + base64.b64encode(b"x: " + inner + b"\n") + b'"}]}'
    assert leaked({"token": b"s3cr3t-token-value"}, b"Response content:\n" + outer) == ["token"]
    assert leaked({"token": b"s3cr3t-token-value"}, b"b'{\\n  \\\"v\\\": \\\"" + inner + b"\\\"}'") == ["token"]
    assert leaked({"token": b"s3cr3t-token-value"}, b"nothing here: " + base64.b64encode(b"other text")) == []


@pytest.fixture(scope="module")
def secrets_subscription(arm, az):
    with serving_estate(arm, az, copy.deepcopy(ESTATE)):
        yield


@pytest.fixture(name="credentials")
def credentials_fixture(arm, secrets_subscription, k8s_env):
    """ARM hands out an admin-style kubeconfig: a bearer token and an inline client certificate and key.
    Returns the values that must never show, as {name: bytes}."""
    config = yaml.safe_load(embedded_kubeconfig(k8s_env.kubeconfig))
    pki = k8s_env.run / "pki"
    cert, key = (pki / "admin.crt").read_bytes(), (pki / "admin.key").read_bytes()
    user = config["users"][0]["user"]
    user["client-certificate-data"] = base64.b64encode(cert).decode()
    user["client-key-data"] = base64.b64encode(key).decode()
    arm.set_kubeconfig(SUB, RG, CLUSTER, yaml.safe_dump(config))
    key_lines = [line for line in key.splitlines() if line and not line.startswith(b"-----")]
    der = base64.b64decode(b"".join(key_lines))
    return {"token": user["token"].encode(), "client key (PEM)": key_lines[1],
            "client key (DER)": der[len(der) // 2:len(der) // 2 + 24]}


@pytest.fixture(name="spin_apps")
def spin_apps_fixture(k8s_api, kubelet, namespace):
    """Two Spin apps on the WASI pool's node, each reading a Secret value, pulling with a registry password."""
    kubelet.add_pool(WASI, 1, owner=aks_owner(SUB, RG, CLUSTER))
    core = f"/api/v1/namespaces/{namespace}"
    _create(k8s_api, f"{core}/secrets", {"metadata": {"name": "app"}, "stringData": {"token": SECRET_VALUE}})
    auth = {"auths": {"https://myreg.azurecr.io": {"username": "puller", "password": PULL_PASSWORD}}}
    _create(k8s_api, f"{core}/secrets", {"metadata": {"name": "acr"}, "type": "kubernetes.io/dockerconfigjson",
                                         "stringData": {".dockerconfigjson": json.dumps(auth)}})
    for name in ("web", "api"):
        container = {"name": name, "image": "myreg.azurecr.io/spin-web:1.0", "command": ["/"],
                     "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "app", "key": "token"}}}]}
        pod = {"runtimeClassName": "wasmtime-spin-v1", "nodeSelector": {"kubernetes.azure.com/agentpool": WASI},
               "imagePullSecrets": [{"name": "acr"}], "containers": [container]}
        _create(k8s_api, f"/apis/apps/v1/namespaces/{namespace}/deployments", {"metadata": {"name": name}, "spec": {
            "replicas": 1, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": pod}}})
    return namespace


def wasi_migrate(az, env, verb, *args):
    return az("aks", "wasi-migrate", verb, "--subscription", SUB, "-g", RG, "-n", CLUSTER, *args, env=env)


def test_no_credential_or_secret_value_in_debug_output_or_log_file(az, arm_log, credentials, spin_apps, tmp_path):
    ns = spin_apps
    env = {"AZURE_LOGGING_ENABLE_LOG_FILE": "yes", "AZURE_LOGGING_LOG_DIR": str(tmp_path)}
    pool = ["--nodepool-name", WASI]
    runs = [wasi_migrate(az, env, "scan", "--debug"),
            wasi_migrate(az, env, "scan", "--admin", "--debug", "-o", "none"),
            wasi_migrate(az, env, "cordon", *pool, "--dry-run", "--debug"),
            wasi_migrate(az, env, "drain", *pool, "--dry-run", "--debug"),
            wasi_migrate(az, env, "retarget", *pool, "--new-nodepool-name", STD, "--phase", "parallel", "--dry-run",
                         "--runtime-class", "wasmtime-spin-v2", "--debug"),
            wasi_migrate(az, env, "create-aci", "--workload", f"{ns}/deployment/web", "--debug"),
            wasi_migrate(az, env, "scan", "-o", "none"),                                  # the log file only
            wasi_migrate(az, env, "create-aci", "--workload", f"{ns}/deployment/api")]
    log = (tmp_path / "az.log").read_bytes()
    debug = "".join(run.err for run in runs)
    assert "Response content" in debug and b"Response content" in log, "the network trace was on"
    assert b"listClusterUserCredential" in log and b"listClusterAdminCredential" in log
    # This test's own PUTs (the log was emptied before it; another module's may linger otherwise): one per app.
    puts = [call["path"] for call in arm_calls(arm_log(), "PUT", f"/subscriptions/{SUB}/")]
    assert len(puts) == 2 and len(set(puts)) == 2 and all("/containerGroups/" in p for p in puts), puts
    needles = dict(credentials, **{"Secret value": SECRET_VALUE.encode(), "registry password": PULL_PASSWORD.encode()})
    assert leaked(needles, debug, log, *(run.out for run in runs)) == []
