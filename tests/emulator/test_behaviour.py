"""Emulator behaviour: paging, case-insensitive paths, faults, forbidden subscriptions, validation, credentials,
request-log redaction, identity endpoints, admin API, CLI. Fast: one in-process emulator per module (conftest.py's
``emu`` and ``arm``)."""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.emulator import EmulatorClient, generate_estate, load_estate, redacted
from tests.emulator.testing import AKS, PROD, PROD_POOLS, SAMPLE

ROOT = Path(__file__).resolve().parents[2]
TRICKY = ROOT / "tests/emulator/estates/tricky.yaml"
TRICKY_SUB = "33333333-3333-3333-3333-333333333333"
LOCKED_SUB = "44444444-4444-4444-4444-444444444444"
ACI_API = "2024-05-01-preview"


def all_pages(arm, path):
    items, url, pages = [], path, 0
    while url:
        body = arm.get(url).json()
        items += body["value"]
        url, pages = body.get("nextLink"), pages + 1
    return items, pages


# ---- paging, case, estates ------------------------------------------------------------------------------------------
def test_paging_follows_next_link(emu, arm):
    emu.set_estate(load_estate(TRICKY))  # pageSize 2
    first = arm.get(f"/subscriptions/{TRICKY_SUB}{AKS}").json()
    assert len(first["value"]) == 2
    assert first["nextLink"].startswith(emu.url + "/subscriptions/")
    assert "$skipToken=" in first["nextLink"] and "api-version=2026-06-01" in first["nextLink"]
    clusters, pages = all_pages(arm, f"/subscriptions/{TRICKY_SUB}{AKS}")
    assert pages == 4 and len({c["id"].lower() for c in clusters}) == 7
    in_rg, _ = all_pages(arm, f"/subscriptions/{TRICKY_SUB}/resourceGroups/rg-b{AKS}")
    assert {c["name"] for c in in_rg} == {"c-failed", "c-noprofiles", "c-emptypools", "c-nulls"}
    pools, pages = all_pages(arm, f"/subscriptions/{TRICKY_SUB}/resourceGroups/rg-a{AKS}/c-upper/agentPools")
    assert pages == 2 and len(pools) == 4
    assert arm.get(f"/subscriptions/{TRICKY_SUB}{AKS}", params={"$skipToken": "garbage"}).status_code == 400


def test_real_sdk_pages_and_polls(emu, arm):
    """azure-mgmt-containerservice (what az and the extension use) walks nextLink and finishes LROs quickly."""
    from azure.core.credentials import AccessToken
    from azure.mgmt.containerservice import ContainerServiceClient

    class FakeCredential:
        def get_token(self, *scopes, **kwargs):
            return AccessToken("fake", int(time.time()) + 3600)

    emu.set_estate(load_estate(TRICKY))
    client = ContainerServiceClient(FakeCredential(), TRICKY_SUB, base_url=emu.url, connection_verify=emu.ca_path,
                                    proxies={})
    names = [c.name for c in client.managed_clusters.list()]
    assert len(names) == 7 and "c-noprofiles" in names
    started = time.monotonic()
    poller = client.agent_pools.begin_create_or_update("rg-a", "c-upper", "spin", {
        "properties": {"vmSize": "Standard_D4s_v5", "count": 2, "mode": "User"}})
    assert poller.result().provisioning_state == "Succeeded"
    client.agent_pools.begin_delete("rg-a", "c-upper", "spin", ignore_pod_disruption_budget=False).result()
    assert time.monotonic() - started < 5  # Retry-After-Ms honoured: no 30 s default poll interval
    assert emu.dump()["poolDeletes"][-1]["ignorePodDisruptionBudget"] is False


def test_paths_are_case_insensitive_and_keep_resource_casing(emu, arm):
    resp = arm.get(f"/SUBSCRIPTIONS/{PROD}/RESOURCEGROUPS/RG-APPS/PROVIDERS/MICROSOFT.CONTAINERSERVICE/"
                   "MANAGEDCLUSTERS/AKS-PROD/AGENTPOOLS/WASI")
    assert resp.status_code == 200
    assert resp.json()["name"] == "wasi"
    assert "/managedClusters/aks-prod/agentPools/wasi" in resp.json()["id"]
    assert arm.get(f"/subscriptions/{PROD}/resourcegroups/rg-apps").json()["name"] == "rg-apps"
    groups = arm.get(f"/subscriptions/{PROD}/resourceGroups", api_version="2024-11-01").json()["value"]
    assert {g["name"] for g in groups} == {"rg-apps", "rg-edge", "rg-shared"}


def test_tricky_estate_keeps_odd_values(emu, arm):
    emu.set_estate(load_estate(TRICKY))
    base = f"/subscriptions/{TRICKY_SUB}/resourceGroups"
    assert "agentPoolProfiles" not in arm.get(f"{base}/rg-b{AKS}/c-noprofiles").json()["properties"]
    assert arm.get(f"{base}/rg-b{AKS}/c-noprofiles/agentPools").json() == {"value": []}
    assert arm.get(f"{base}/rg-b{AKS}/c-emptypools").json()["properties"]["agentPoolProfiles"] == []
    nulls = arm.get(f"{base}/rg-b{AKS}/c-nulls").json()
    assert nulls["location"] is None and nulls["properties"]["powerState"] is None
    wasi = [p for p in nulls["properties"]["agentPoolProfiles"] if p["name"] == "wasi"][0]
    assert wasi["vmSize"] is None and wasi["count"] is None and wasi["mode"] is None
    runtimes = {p["name"]: p.get("workloadRuntime")
                for p in arm.get(f"{base}/rg-a{AKS}/c-runtimes").json()["properties"]["agentPoolProfiles"]}
    assert runtimes == {"sys": "OCIContainer", "kata": "KataVmIsolation", "newthing": "SomethingNew",
                        "ocilower": "ocicontainer"}
    stopped = arm.get(f"{base}/rg-a{AKS}/c-stopped").json()["properties"]
    assert stopped["powerState"] == {"code": "Stopped"}
    assert {p["powerState"]["code"] for p in stopped["agentPoolProfiles"]} == {"Stopped"}


def test_generate_estate_is_deterministic_and_mixed():
    one, two = generate_estate(subscriptions=2, clusters=24, wasi_every=3), generate_estate(2, 24, 3)
    assert one == two
    pools = [p for s in one["subscriptions"] for c in s["clusters"] for p in c["agentPools"]]
    runtimes = [p["properties"].get("workloadRuntime") for p in pools]
    assert runtimes.count("WasmWasi") and runtimes.count("wasmwasi") and runtimes.count("OCIContainer")
    assert None in runtimes
    assert sum(r in ("WasmWasi", "wasmwasi") for r in runtimes) == 16
    clusters = [c for s in one["subscriptions"] for c in s["clusters"]]
    assert {c["powerState"] for c in clusters} == {"Running", "Stopped"}
    assert {c["provisioningState"] for c in clusters} == {"Succeeded", "Failed"}
    assert len({c["resourceGroup"] for c in clusters}) == 4


# ---- errors, subscriptions, validation --------------------------------------------------------------------------------
def test_not_found_errors(emu, arm):
    missing = arm.get(f"/subscriptions/{PROD}/resourceGroups/rg-apps{AKS}/nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "ResourceNotFound"
    assert "'Microsoft.ContainerService/managedClusters/nope' under resource group 'rg-apps'" in \
        missing.json()["error"]["message"]
    no_rg = arm.get(f"/subscriptions/{PROD}/resourceGroups/rg-nope{AKS}")
    assert no_rg.status_code == 404 and no_rg.json()["error"]["code"] == "ResourceGroupNotFound"
    assert arm.get(f"/subscriptions/{PROD}/resourcegroups/rg-nope").status_code == 404
    no_sub = arm.get(f"/subscriptions/99999999-0000-0000-0000-000000000000{AKS}")
    assert no_sub.status_code == 404 and no_sub.json()["error"]["code"] == "SubscriptionNotFound"
    assert arm.get(PROD_POOLS + "/nope").json()["error"]["code"] == "ResourceNotFound"
    assert arm.get(f"/subscriptions/{PROD}{AKS}", api_version="").json()["error"]["code"] == \
        "MissingApiVersionParameter"


def test_unknown_arm_path_is_404_and_flagged_in_the_log(emu, arm):
    resp = arm.get(f"/subscriptions/{PROD}/providers/Microsoft.Compute/virtualMachines")
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "EmulatorUnsupportedPath"
    assert emu.requests()[-1]["unhandled"] is True


def test_forbidden_subscription(emu, arm):
    emu.set_estate(load_estate(TRICKY))
    listed = {s["subscriptionId"] for s in arm.get("/subscriptions", api_version="2022-12-01").json()["value"]}
    assert LOCKED_SUB in listed
    resp = arm.get(f"/subscriptions/{LOCKED_SUB}{AKS}")
    assert resp.status_code == 403
    error = resp.json()["error"]
    assert error["code"] == "AuthorizationFailed"
    assert "'Microsoft.ContainerService/managedClusters/read'" in error["message"]
    pool_put = arm.put(f"/subscriptions/{LOCKED_SUB}/resourceGroups/rg-x{AKS}/c-hidden/agentPools/p", {})
    assert pool_put.status_code == 403
    assert "managedClusters/agentPools/write" in pool_put.json()["error"]["message"]


@pytest.mark.parametrize("name, props, target", [
    ("Bad_Name", {"vmSize": "Standard_D2s_v5"}, "agentPoolProfile.name"),
    ("waytoolongname1", {"vmSize": "Standard_D2s_v5"}, "agentPoolProfile.name"),
    ("novm", {"count": 1}, "agentPoolProfile.vmSize"),
    ("toomany", {"vmSize": "Standard_D2s_v5", "count": 1001}, "agentPoolProfile.count"),
    ("sys0", {"vmSize": "Standard_D2s_v5", "count": 0, "mode": "System"}, "agentPoolProfile.count"),
    ("auto", {"vmSize": "Standard_D2s_v5", "count": 9, "enableAutoScaling": True, "minCount": 1, "maxCount": 5},
     "agentPoolProfile.count"),
    ("wasinew", {"vmSize": "Standard_D2s_v5", "workloadRuntime": "wasmWASI"}, "agentPoolProfile.workloadRuntime"),
])
def test_pool_put_validation(emu, arm, name, props, target):
    resp = arm.put(f"{PROD_POOLS}/{name}", {"properties": props})
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "InvalidParameter"
    assert resp.json()["error"]["target"] == target


def test_pool_updates_and_deletes_follow_rp_rules(emu, arm):
    # an existing WASI pool can still be updated (e.g. scaled) but its runtime/vmSize cannot change
    assert arm.put(f"{PROD_POOLS}/wasi", {"properties": {"vmSize": "Standard_D4s_v5", "count": 1,
                                                        "workloadRuntime": "WasmWasi"}}).status_code == 200
    busy = arm.put(f"{PROD_POOLS}/wasi", {"properties": {"vmSize": "Standard_D4s_v5", "count": 2}})
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "OperationNotAllowed"
    states = [arm.get(f"{PROD_POOLS}/wasi").json()["properties"]["provisioningState"] for _ in range(3)]
    assert states == ["Updating", "Updating", "Succeeded"]  # each GET of the pool is a polling step too
    changed = arm.put(f"{PROD_POOLS}/wasi", {"properties": {"vmSize": "Standard_D4s_v5", "count": 1}})
    assert changed.status_code == 400 and changed.json()["error"]["code"] == "PropertyChangeNotAllowed"
    last_system = arm.delete(f"{PROD_POOLS}/sys")
    assert last_system.status_code == 400 and "at least one 'System'" in last_system.json()["error"]["message"]
    demote = arm.put(f"{PROD_POOLS}/sys", {"properties": {"vmSize": "Standard_D2s_v5", "count": 2, "mode": "User"}})
    assert demote.status_code == 400
    assert arm.delete(f"{PROD_POOLS}/ghost").status_code == 204


def test_new_pool_defaults_like_the_rp(emu, arm):
    resp = arm.put(f"{PROD_POOLS}/spin", {"properties": {"vmSize": "Standard_D4s_v5", "orchestratorVersion": "",
                                                         "nodeLabels": {"spin": "true"}, "count": 2}})
    props = resp.json()["properties"]
    assert props["orchestratorVersion"] == props["currentOrchestratorVersion"] == "1.30.4"
    assert props["maxPods"] == 110 and props["powerState"] == {"code": "Running"} and props["eTag"]
    assert props["nodeImageVersion"] and props["mode"] == "User" and props["osType"] == "Linux"
    assert emu.requests()[-1]["body"]["properties"]["nodeLabels"] == {"spin": "true"}
    cluster = arm.get(f"/subscriptions/{PROD}/resourceGroups/rg-apps{AKS}/aks-prod").json()
    assert "spin" in [p["name"] for p in cluster["properties"]["agentPoolProfiles"]]


# ---- faults -----------------------------------------------------------------------------------------------------------
def test_throttling_then_success(emu, arm):
    emu.add_faults([{"method": "GET", "path": r"managedclusters$", "status": 429, "times": 2, "retryAfter": 1}])
    first = arm.get(f"/subscriptions/{PROD}{AKS}")
    assert first.status_code == 429 and first.headers["Retry-After"] == "1"
    assert first.json()["error"]["code"] == "TooManyRequests"
    assert arm.get(f"/subscriptions/{PROD}{AKS}").status_code == 429
    assert arm.get(f"/subscriptions/{PROD}{AKS}").status_code == 200
    assert emu.dump()["faults"][0]["hits"] == 2


def test_forever_500_delay_and_custom_body(emu, arm):
    emu.add_faults([{"method": "*", "path": "/agentpools$", "status": 500, "times": -1},
                    {"path": r"/agentpools/wasi$", "delayMs": 300, "times": -1},
                    {"method": "GET", "path": "aks-edge$", "status": 503, "body": {"error": {"code": "X",
                                                                                           "message": "y"}}}])
    for _ in range(3):
        assert arm.get(PROD_POOLS).status_code == 500
    started = time.monotonic()
    assert arm.get(f"{PROD_POOLS}/wasi").status_code == 200
    assert time.monotonic() - started >= 0.3
    edge = arm.get(f"/subscriptions/{PROD}/resourceGroups/rg-edge{AKS}/aks-edge")
    assert edge.status_code == 503 and edge.json() == {"error": {"code": "X", "message": "y"}}


def test_lro_fail_marks_operation_and_resource_failed(emu, arm):
    emu.add_faults([{"method": "PUT", "path": "/agentpools/", "lroFail": True,
                     "error": {"code": "ReconcileVMSSAgentPoolFailed", "message": "allocation failed"}}])
    created = arm.put(f"{PROD_POOLS}/spin", {"properties": {"vmSize": "Standard_D4s_v5"}})
    assert created.status_code == 201
    status = arm.poll(created)
    assert status["status"] == "Failed"
    assert status["error"] == {"code": "ReconcileVMSSAgentPoolFailed", "message": "allocation failed"}
    assert arm.get(f"{PROD_POOLS}/spin").json()["properties"]["provisioningState"] == "Failed"
    emu.add_faults({"method": "DELETE", "path": "/agentpools/spin", "lroFail": True})
    deleting = arm.delete(f"{PROD_POOLS}/spin")
    assert arm.poll(deleting)["status"] == "Failed"
    assert arm.get(f"{PROD_POOLS}/spin").json()["properties"]["provisioningState"] == "Failed"
    results = arm.get(deleting.headers["Location"])
    assert results.status_code == 400 and results.json()["error"]["code"] == "InternalOperationError"


def test_lro_poll_count_and_location_url(emu, arm):
    emu.settings(lroPolls=3)
    resp = arm.delete(f"{PROD_POOLS}/web")
    statuses = [arm.get(resp.headers["Azure-AsyncOperation"]).json()["status"] for _ in range(4)]
    assert statuses == ["InProgress"] * 3 + ["Succeeded"]
    assert arm.get(resp.headers["Location"]).status_code == 204
    put = arm.put(f"{PROD_POOLS}/spin", {"properties": {"vmSize": "Standard_D4s_v5"}})
    results = arm.get(put.headers["Azure-AsyncOperation"].replace("/operations/", "/operationresults/"))
    assert results.status_code == 202 and "Location" in results.headers


def test_faults_reject_fractional_retry_after(emu):
    with pytest.raises(ValueError):
        emu.add_faults([{"path": "x", "status": 429, "retryAfter": 0.5}])


# ---- credentials ------------------------------------------------------------------------------------------------------
def test_credentials(emu, arm, tmp_path):
    edge = f"/subscriptions/{PROD}/resourceGroups/rg-edge{AKS}/aks-edge"
    denied = arm.post(edge + "/listClusterAdminCredential")
    assert denied.status_code == 400
    assert denied.json()["error"]["message"] == ("Getting static credential isn't allowed because this cluster is "
                                                 "set to disable local accounts.")
    user = arm.post(edge + "/listClusterUserCredential", params={"format": "exec"}).json()["kubeconfigs"][0]
    assert user["name"] == "clusterUser"
    assert "https://127.0.0.1:1" in base64.b64decode(user["value"]).decode()
    emu.set_kubeconfig(PROD, "RG-EDGE", "AKS-EDGE", "apiVersion: v1\nkind: Config\n# custom\n")
    again = arm.post(edge + "/listClusterUserCredential").json()["kubeconfigs"][0]["value"]
    assert base64.b64decode(again).decode().endswith("# custom\n")
    kubeconfig = tmp_path / "kc.yaml"
    kubeconfig.write_text("from-file\n")
    estate = load_estate(SAMPLE)
    estate["subscriptions"][0]["clusters"][0]["kubeconfig"] = str(kubeconfig)
    emu.set_estate(estate)
    prod = arm.post(f"/subscriptions/{PROD}/resourceGroups/rg-apps{AKS}/aks-prod/listClusterAdminCredential")
    assert prod.json()["kubeconfigs"][0]["name"] == "clusterAdmin"
    assert base64.b64decode(prod.json()["kubeconfigs"][0]["value"]) == b"from-file\n"
    assert emu.requests()[-1]["query"] == {"api-version": "2026-06-01"}


def test_credential_format_is_recorded(emu, arm):
    arm.post(f"/subscriptions/{PROD}/resourceGroups/rg-apps{AKS}/aks-prod/listClusterUserCredential",
             params={"format": "azure"})
    assert emu.dump()["credentialRequests"][-1]["format"] == "azure"
    assert emu.requests()[-1]["query"]["format"] == "azure"


# ---- request log ------------------------------------------------------------------------------------------------------
def test_request_log_redacts_secrets(emu, arm):
    group = f"/subscriptions/{PROD}/resourceGroups/rg-apps/providers/Microsoft.ContainerInstance/containerGroups/g1"
    body = {"location": "westeurope", "properties": {
        "osType": "Linux",
        "containers": [{"name": "c", "properties": {
            "image": "ghcr.io/fermyon/spin:v2.7.0", "resources": {"requests": {"cpu": 1, "memoryInGB": 1}},
            "environmentVariables": [{"name": "TOKEN", "secureValue": "s3cret-token"}, {"name": "A", "value": "b"}]}}],
        "imageRegistryCredentials": [{"server": "r.example", "username": "u", "password": "hunter2"}],
        "volumes": [{"name": "s", "secret": {"key": "c2VjcmV0LWZpbGU="}}]}}
    resp = arm.put(group, body, api_version=ACI_API)
    assert resp.status_code == 201
    assert "s3cret-token" not in resp.text and "hunter2" not in resp.text
    assert resp.json()["properties"]["containers"][0]["properties"]["environmentVariables"][0] == {"name": "TOKEN"}
    entry = emu.requests()[-1]
    env = entry["body"]["properties"]["containers"][0]["properties"]["environmentVariables"]
    assert env[0]["secureValue"] == redacted("s3cret-token") and env[1]["value"] == "b"
    assert entry["headers"]["Authorization"] == "Bearer " + redacted("test-token")
    everything = json.dumps(emu.requests()) + json.dumps(emu.dump())
    for secret in ("s3cret-token", "hunter2", "c2VjcmV0LWZpbGU=", "test-token"):
        assert secret not in everything


def test_secret_volumes_must_be_base64_and_are_never_returned(emu, arm):
    group = f"/subscriptions/{PROD}/resourceGroups/rg-apps/providers/Microsoft.ContainerInstance/containerGroups/g2"
    body = {"location": "westeurope", "properties": {"osType": "Linux", "containers": [{"name": "c", "properties": {
        "image": "nginx", "resources": {"requests": {"cpu": 1, "memoryInGB": 1}},
        "volumeMounts": [{"name": "login", "mountPath": "/run/login", "readOnly": True}]}}],
        "volumes": [{"name": "login", "secret": {"config.json": "not base64!"}}]}}
    refused = arm.put(group, body, api_version=ACI_API)
    assert refused.status_code == 400 and "base64" in refused.json()["error"]["message"]
    assert arm.get(group, api_version=ACI_API).status_code == 404
    body["properties"]["volumes"][0]["secret"]["config.json"] = base64.b64encode(b'{"auths": {}}').decode()
    created = arm.put(group, body, api_version=ACI_API)
    assert created.status_code == 201 and created.json()["properties"]["volumes"] == [{"name": "login", "secret": {}}]
    assert arm.get(group, api_version=ACI_API).json()["properties"]["volumes"][0]["secret"] == {}


def test_request_log_records_headers_and_bodies(emu, arm):
    arm.session.headers.update({"CommandName": "aks wasi-migrate list", "ParameterSetName": "--all"})
    resp = arm.get(f"/subscriptions/{PROD}{AKS}")
    assert resp.headers["x-ms-request-id"] and resp.headers["x-ms-correlation-request-id"]
    entry = emu.requests()[-1]
    assert entry["method"] == "GET" and entry["status"] == 200
    assert entry["headers"]["CommandName"] == "aks wasi-migrate list"
    assert entry["headers"]["ParameterSetName"] == "--all"
    emu.clear_requests()
    assert emu.requests() == []


# ---- identity ---------------------------------------------------------------------------------------------------------
def test_identity_endpoints(emu, arm):
    tenant = emu.tenant_id
    config = arm.get(f"/{tenant}/v2.0/.well-known/openid-configuration", api_version="").json()
    assert config["token_endpoint"] == f"{emu.url}/{tenant}/oauth2/v2.0/token"
    assert config["issuer"] == f"{emu.url}/{tenant}/v2.0"
    token = arm.session.post(config["token_endpoint"], data={
        "grant_type": "client_credentials", "client_id": "fake-sp", "client_secret": "fake-secret",
        "scope": "https://management.core.windows.net//.default"}).json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 86399 and token["ext_expires_in"] == 86399
    payload = token["access_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["tid"] == tenant and claims["appid"] == "fake-sp" and claims["oid"]
    assert "fake-secret" not in json.dumps(emu.requests())
    metadata = arm.get("/metadata/endpoints", api_version="2022-09-01").json()
    assert metadata["resourceManager"] == emu.url + "/"
    assert metadata["authentication"]["loginEndpoint"] == emu.url
    assert arm.get("/tenants", api_version="2022-12-01").json()["value"][0]["tenantId"] == tenant


# ---- admin API from another process, CLI ----------------------------------------------------------------------------
def test_admin_api_over_http(emu, arm):
    client = EmulatorClient(emu.url, emu.ca_path)
    assert client.health()["ok"] is True
    assert client.settings(pageSize=1)["pageSize"] == 1
    assert "nextLink" in arm.get(f"/subscriptions/{PROD}{AKS}").json()
    client.add_faults([{"method": "GET", "path": "aks-prod$", "status": 500}])
    assert arm.get(f"/subscriptions/{PROD}/resourceGroups/rg-apps{AKS}/aks-prod").status_code == 500
    client.clear_faults()
    assert client.set_estate(generate_estate(1, 5, 2)) == {"subscriptions": 1, "clusters": 5, "containerGroups": 0}
    assert len(client.dump()["managedClusters"]) == 5
    client.set_kubeconfig("00000001-0000-4000-8000-000000000001", "rg-bench-00", "aks-00-00000", "kc-text")
    assert [r["path"] for r in client.requests()] == [f"/subscriptions/{PROD}{AKS}",
                                                      f"/subscriptions/{PROD}/resourceGroups/rg-apps{AKS}/aks-prod"]
    client.clear_requests()
    assert client.requests() == []


def test_cli_foreground_process(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "tests.emulator", "--estate", str(TRICKY), "--state-dir",
                             str(tmp_path), "--port", "0"], cwd=ROOT, env=env, stderr=subprocess.PIPE)
    try:
        client = EmulatorClient.from_state_dir(tmp_path, timeout=20)
        info = json.loads((tmp_path / "emulator.json").read_text())
        assert info["pid"] == proc.pid and info["url"] == f"https://127.0.0.1:{info['port']}"
        assert (tmp_path / "ca.pem").exists()
        assert client.dump()["settings"]["pageSize"] == 2
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
