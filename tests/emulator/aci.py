"""Container group bodies as Microsoft.ContainerInstance (api 2024-05-01-preview) returns them.

The service echoes the PUT body, adds read-only fields, and never returns secrets: environment variables keep only
their name when they had a `secureValue`, registry credentials lose `password`, volumes lose `storageAccountKey` and
the contents of `secret`, log analytics keeps only `workspaceId` (see ContainerGroupsCreateOrUpdate.json, 200 body).
"""
from __future__ import annotations

import copy
import hashlib

ACI_TYPE = "Microsoft.ContainerInstance/containerGroups"
_TOP_LEVEL = ("location", "tags", "zones", "identity")


def group_id(sub: str, rg: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{ACI_TYPE}/{name}"


def strip_secrets(body: dict) -> dict:
    """What the service keeps of a PUT body (secrets dropped, not redacted: the real answer simply omits them)."""
    body = copy.deepcopy(body)
    props = body.get("properties") or {}
    for container in props.get("containers") or []:
        for env in (container.get("properties") or {}).get("environmentVariables") or []:
            env.pop("secureValue", None)
    for cred in props.get("imageRegistryCredentials") or []:
        cred.pop("password", None)
    for volume in props.get("volumes") or []:
        if isinstance(volume.get("azureFile"), dict):
            volume["azureFile"].pop("storageAccountKey", None)
        if isinstance(volume.get("secret"), dict):
            volume["secret"] = {}
    log_analytics = (props.get("diagnostics") or {}).get("logAnalytics")
    if isinstance(log_analytics, dict):
        props["diagnostics"]["logAnalytics"] = {"workspaceId": log_analytics.get("workspaceId")}
    return body


def render(sub: str, rg: str, name: str, body: dict, provisioning_state: str, start_time: str) -> dict:
    """ARM resource for a stored (already secret-free) body."""
    props = copy.deepcopy(body.get("properties") or {})
    out = {"id": group_id(sub, rg, name)}
    for key in _TOP_LEVEL:
        if key in body:
            out[key] = copy.deepcopy(body[key])
    out["name"] = name
    _fill_ip(props.get("ipAddress"), name, rg, body.get("location"))
    props.setdefault("isCreatedFromStandbyPool", False)
    props["provisioningState"] = provisioning_state
    running = provisioning_state == "Succeeded"
    for container in props.get("containers") or []:
        # Per-container instanceView: present once the group runs (ContainerGroupsList.json shows it).
        if running:
            container.setdefault("properties", {})["instanceView"] = _container_view(start_time)
    # Group-level instanceView (SDK ContainerGroupPropertiesInstanceView): the live service always sends it.
    props["instanceView"] = {"events": [], "state": "Running" if running else "Pending"}
    out["properties"] = props
    out["type"] = ACI_TYPE
    return out


def _fill_ip(ip: dict | None, name: str, rg: str, location: str | None) -> None:
    if not isinstance(ip, dict):
        return
    digest = hashlib.sha256(f"{rg}/{name}".encode()).digest()
    prefix = "10.0" if ip.get("type") == "Private" else "20.50"
    ip.setdefault("ip", f"{prefix}.{digest[0]}.{max(1, digest[1] % 255)}")
    if ip.get("dnsNameLabel"):
        region = (location or "westeurope").replace(" ", "").lower()
        ip["fqdn"] = f"{ip['dnsNameLabel']}.{region}.azurecontainer.io"


def _container_view(start_time: str) -> dict:
    return {"restartCount": 0,
            "currentState": {"state": "Running", "startTime": start_time, "detailStatus": ""},
            "events": []}
