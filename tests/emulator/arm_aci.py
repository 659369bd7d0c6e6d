"""Microsoft.ContainerInstance container groups (api 2024-05-01-preview): CRUD with LROs, lists with paging."""
from __future__ import annotations

import base64

from . import aci, errors
from .lro import IN_PROGRESS, region
from .web import RG, SUB, Request, Response, Router, paged

NS = "Microsoft.ContainerInstance"
CG = RG + r"/providers/microsoft\.containerinstance/containergroups/(?P<name>[^/]+)"


def register(router: Router) -> None:
    router.add("GET", SUB + r"/providers/microsoft\.containerinstance/containergroups", list_groups)
    router.add("GET", RG + r"/providers/microsoft\.containerinstance/containergroups", list_groups)
    router.add("GET", CG, get_group)
    router.add("PUT", CG, put_group)
    router.add("DELETE", CG, delete_group)


def list_groups(req: Request, sub: str, rg: str | None = None) -> Response:
    with req.state.lock:
        return paged(req, req.state.container_groups_in(sub, rg), req.state.render_group)


def get_group(req: Request, sub: str, rg: str, name: str) -> Response:
    with req.state.lock:
        record = req.state.container_group(sub, rg, name)
        req.state.ops.advance(record["op"])
        return Response(200, req.state.render_group(record))


def _validate(body: dict) -> None:
    if not body.get("location"):
        raise errors.ArmError(400, "LocationRequired", "The location property is required for this definition.")
    props = body.get("properties")
    if not isinstance(props, dict) or not props.get("containers"):
        raise errors.ArmError(400, "InvalidContainerGroupProperties",
                              "The container group must have at least one container.")
    if str(props.get("osType") or "").lower() not in ("linux", "windows"):
        raise errors.ArmError(400, "InvalidOsType", "The 'osType' of the container group must be Linux or Windows.")
    for volume in props.get("volumes") or []:
        _validate_secret_volume(volume)


def _validate_secret_volume(volume) -> None:
    """`secret` is SecretVolume: a map of file name -> string (containerInstance.json), each value base64 of the
    file's content (ACI's "Mount a secret volume" documentation). The error code and wording are not the live
    service's (unverified); what matters is that a value that is not base64 is refused."""
    files = volume.get("secret") if isinstance(volume, dict) else None
    if files is None:
        return
    bad = [name for name, value in (files.items() if isinstance(files, dict) else [(None, files)])
           if not isinstance(value, str) or not _is_base64(value)]
    if bad:
        raise errors.ArmError(400, "InvalidSecretVolume", f"The secret volume '{volume.get('name')}' must map file "
                              "names to base64-encoded values.")


def _is_base64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except ValueError:
        return False
    return True


def put_group(req: Request, sub: str, rg: str, name: str) -> Response:
    body = req.body if isinstance(req.body, dict) else {}
    _validate(body)
    state = req.state
    with state.lock:
        state.group(sub, rg)
        key = (sub.lower(), rg.lower(), name.lower())
        existing = state.container_groups.get(key)
        if existing and existing["op"] is not None and existing["op"].status == IN_PROGRESS:
            raise errors.ArmError(409, "Conflict", f"The container group '{name}' is still being updated.")
        stored = aci.strip_secrets({k: v for k, v in body.items() if k not in ("id", "name", "type")})
        sub_id = state.subscription(sub)["subscriptionId"]
        record = state.put_container_group(sub_id, rg, name, stored, "Updating" if existing else "Creating")
        op = _start(req, record, "put")
        op.result = lambda: state.render_group(record)
        headers = state.ops.headers(op, req.base_url, req.api_version, state.settings["retryAfterMs"], False)
        return Response(200 if existing else 201, state.render_group(record), headers)


def delete_group(req: Request, sub: str, rg: str, name: str) -> Response:
    state = req.state
    with state.lock:
        state.group(sub, rg)
        record = state.container_groups.get((sub.lower(), rg.lower(), name.lower()))
        if record is None:
            return Response(204)
        record["provisioningState"] = "Deleting"
        op = _start(req, record, "delete")
        headers = state.ops.headers(op, req.base_url, req.api_version, state.settings["retryAfterMs"], True)
        return Response(202, None, headers)


def _start(req: Request, record: dict, kind: str):
    state = req.state
    key = (record["subscriptionId"].lower(), record["resourceGroup"].lower(), record["name"].lower())

    def done(op):
        record["op"] = None
        if kind == "delete" and op.status == "Succeeded":
            if state.container_groups.get(key) is record:
                del state.container_groups[key]
            return
        record["provisioningState"] = op.status

    op = state.ops.start(
        kind=kind, target=aci.group_id(record["subscriptionId"], record["resourceGroup"], record["name"]),
        subscription=record["subscriptionId"], location=region(record["body"].get("location")), namespace=NS,
        resource_group=record["resourceGroup"], polls_left=int(state.settings["lroPolls"]), on_done=done,
        fail_error=req.lro_fail)
    record["op"] = op
    return op
