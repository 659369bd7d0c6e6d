"""ARM plumbing: subscriptions, tenants, resource groups, LRO status URLs, the per-subscription access check."""
from __future__ import annotations

import base64
import json
import re

from . import errors, resources
from .lro import CANCELED, FAILED, IN_PROGRESS
from .web import RG, SUB, Request, Response, Router, paged

DEFAULT_OBJECT_ID = "00000000-0000-0000-0000-00000000e0e0"


def register(router: Router) -> None:
    router.add("GET", r"/subscriptions", list_subscriptions)
    router.add("GET", SUB, get_subscription)
    router.add("GET", r"/tenants", list_tenants)
    router.add("GET", SUB + r"/resourcegroups", list_resource_groups)
    router.add("GET PUT", RG, resource_group)
    router.add("POST", SUB + r"/providers/microsoft\.authorization/acquirepolicytoken", acquire_policy_token)
    ops = SUB + r"(?:/resourcegroups/(?P<rg>[^/]+))?/providers/(?P<ns>[^/]+)/locations/(?P<loc>[^/]+)"
    router.add("GET", ops + r"/(?:operations|operationstatus|operationstatuses)/(?P<op>[^/]+)", operation_status)
    router.add("GET", ops + r"/operationresults/(?P<op>[^/]+)", operation_result)


POLICY_TOKEN = "emulated-policy-token"


def acquire_policy_token(req: Request, sub: str) -> Response:
    """What `--acquire-policy-token`/`--change-reference` make az ask before each write (azure.cli.core.sdk.policies):
    a token az then sends in `x-ms-policy-external-evaluations`. The emulator evaluates no policy: always granted."""
    return Response(200, {"result": "Succeeded", "token": POLICY_TOKEN})


def check_subscription(req: Request) -> None:
    """Unknown subscription -> 404; `forbidden: true` -> 403 AuthorizationFailed for every call inside it."""
    match = re.match(r"/subscriptions/([^/]+)", req.path, re.IGNORECASE)
    if not match:
        return
    with req.state.lock:
        sub = req.state.subscription(match.group(1))
    if sub["forbidden"]:
        raise errors.authorization_failed(_action(req.method, req.path), req.path, _caller_object_id(req))


def _action(method: str, path: str) -> str:
    """RBAC action name for a path, e.g. Microsoft.ContainerService/managedClusters/agentPools/write."""
    parts = [p for p in path.strip("/").split("/") if p]
    lowered = [p.lower() for p in parts]
    if "providers" in lowered:
        rest = parts[len(lowered) - 1 - lowered[::-1].index("providers") + 1:]
        namespace, segments = rest[0], rest[1:]
    else:
        namespace, segments = "Microsoft.Resources", parts[0:1] + parts[2:3]
    if method == "POST" and len(segments) % 2 == 1 and len(segments) > 1:
        types, verb = segments[0:-1:2] + [segments[-1]], "action"
    else:
        types = segments[0::2]
        verb = {"GET": "read", "HEAD": "read", "PUT": "write", "PATCH": "write", "DELETE": "delete"}.get(method,
                                                                                                        "action")
    return "/".join([namespace, *types, verb])


def _caller_object_id(req: Request) -> str:
    """`oid` of the (unsigned) bearer token, so 403 messages name the caller like ARM does."""
    auth = req.headers.get("Authorization") or ""
    try:
        payload = auth.split(" ", 1)[1].split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["oid"]
    except (IndexError, ValueError, KeyError):
        return DEFAULT_OBJECT_ID


def list_subscriptions(req: Request) -> Response:
    # Forbidden subscriptions are still listed: the caller can see them but not the AKS resources inside.
    with req.state.lock:
        subs = list(req.state.subscriptions.values())
        return paged(req, subs, lambda s: resources.subscription_resource(s, req.state.tenant_id))


def get_subscription(req: Request, sub: str) -> Response:
    with req.state.lock:
        return Response(200, resources.subscription_resource(req.state.subscription(sub), req.state.tenant_id))


def list_tenants(req: Request) -> Response:
    return Response(200, {"value": [resources.tenant_resource(req.state.tenant_id)]})


def list_resource_groups(req: Request, sub: str) -> Response:
    with req.state.lock:
        sub_id = req.state.subscription(sub)["subscriptionId"]
        groups = [g for k, g in req.state.groups.items() if k[0] == sub.lower()]
        return paged(req, groups, lambda g: resources.resource_group_resource(sub_id, g))


def resource_group(req: Request, sub: str, rg: str) -> Response:
    state = req.state
    with state.lock:
        if req.method == "PUT":
            return _put_resource_group(req, sub, rg)
        group = state.group(sub, rg)
        if req.method == "HEAD":  # `az group exists`
            return Response(204)
        return Response(200, resources.resource_group_resource(state.subscription(sub)["subscriptionId"], group))


def _put_resource_group(req: Request, sub: str, rg: str) -> Response:
    body = req.body or {}
    if not body.get("location"):
        raise errors.ArmError(400, "LocationRequired", "The location property is required for this definition.")
    key = (sub.lower(), rg.lower())
    existed = key in req.state.groups
    group = req.state.groups.setdefault(key, {"name": rg, "location": body["location"], "tags": {}})
    group["tags"] = body.get("tags") or {}
    return Response(200 if existed else 201, resources.resource_group_resource(sub, group))


def operation_status(req: Request, sub: str, rg: str | None, ns: str, loc: str, op: str) -> Response:
    with req.state.lock:
        operation = _operation(req, op)
        req.state.ops.advance(operation)
        # azure-core takes the poll delay from the *latest* response: without the hint here it waits 30 s per poll.
        headers = {"Retry-After-Ms": str(req.state.settings["retryAfterMs"])} if operation.status == IN_PROGRESS \
            else {}
        return Response(200, req.state.ops.status_body(operation), headers)


def operation_result(req: Request, sub: str, rg: str | None, ns: str, loc: str, op: str) -> Response:
    """The `Location` URL: 202 while running, then 204 (delete/abort) or the resource (put), or the error."""
    state = req.state
    with state.lock:
        operation = _operation(req, op)
        state.ops.advance(operation)
        if operation.status == IN_PROGRESS:
            headers = {"Location": req.base_url + req.path + "?" + req.query_string,
                       "Retry-After-Ms": str(state.settings["retryAfterMs"])}
            return Response(202, None, headers)
        if operation.status in (FAILED, CANCELED):
            raise errors.ArmError(400, operation.error["code"], operation.error["message"])
        return Response(200, operation.result()) if operation.result else Response(204)


def _operation(req: Request, op_id: str):
    operation = req.state.ops.get(op_id)
    if operation is None:
        raise errors.ArmError(404, "NotFound", f"Operation '{op_id}' was not found.")
    return operation
