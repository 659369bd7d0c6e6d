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


def render(sub: str, rg: str, name: str, body: dict, provisioning_state: str, start_time: str,
           view: dict | None = None) -> dict:
    """ARM resource for a stored (already secret-free) body. ``view`` (see ``set_view``) replaces what a healthy
    group reports: its state and events, and per container its state, restart count and events."""
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
    view = view or {}
    for container in props.get("containers") or []:
        # Per-container instanceView: present once the group runs (ContainerGroupsList.json shows it), or as set;
        # ContainerGroupsGet_Failed.json shows one for a Failed group (a container Waiting).
        given = (view.get("containers") or {}).get(container.get("name"))
        if running or given:
            container.setdefault("properties", {})["instanceView"] = _container_view(start_time, given)
    # Group-level instanceView (SDK ContainerGroupPropertiesInstanceView): the live service always sends it.
    props["instanceView"] = {"events": copy.deepcopy(view.get("events") or []),
                             "state": view.get("state") or ("Running" if running else "Pending")}
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


def _container_view(start_time: str, given: dict | None = None) -> dict:
    """A container's instanceView: Running with no restart, or what ``given`` says (``state``, ``restartCount``,
    ``detailStatus``, ``events``: ContainerEvent objects {count, firstTimestamp, lastTimestamp, message, name,
    type}). A restarted container also reports its ``previousState`` (Terminated), as the service does."""
    given = given or {}
    view = {"restartCount": int(given.get("restartCount") or 0),
            "currentState": {"state": given.get("state") or "Running", "startTime": start_time,
                             "detailStatus": given.get("detailStatus") or ""},
            "events": copy.deepcopy(given.get("events") or [])}
    if view["restartCount"]:
        view["previousState"] = {"state": "Terminated", "exitCode": 1, "detailStatus": "Error",
                                 "startTime": start_time, "finishTime": start_time}
    return view


def check_view(view: dict) -> dict:
    """A view as ``set_view`` takes it, or ValueError (the admin API answers 400)."""
    if not isinstance(view, dict) or set(view) - {"state", "events", "containers", "provisioningState"}:
        raise ValueError('a view is {"state", "events", "containers": {NAME: {"state", "restartCount", '
                         '"detailStatus", "events"}}, "provisioningState"}')
    for name, container in (view.get("containers") or {}).items():
        if not isinstance(container, dict) or set(container) - {"state", "restartCount", "detailStatus", "events"}:
            raise ValueError(f"container {name!r}: only state, restartCount, detailStatus and events can be set")
    return copy.deepcopy(view)
