"""Microsoft.ContainerService: managed clusters (read), agent pools (CRUD + abort, real LROs), credentials."""
from __future__ import annotations

import base64
import re

from . import errors, resources
from .lro import CANCELED, IN_PROGRESS, region
from .web import RG, SUB, Request, Response, Router, paged

NS = "Microsoft.ContainerService"
MC = RG + r"/providers/microsoft\.containerservice/managedclusters/(?P<cluster>[^/]+)"
POOL = MC + r"/agentpools/(?P<pool>[^/]+)"
POOL_NAME = re.compile(r"^[a-z][a-z0-9]{0,11}$")
MODES = {"system", "user", "gateway"}


def register(router: Router) -> None:
    router.add("GET", SUB + r"/providers/microsoft\.containerservice/managedclusters", list_clusters)
    router.add("GET", RG + r"/providers/microsoft\.containerservice/managedclusters", list_clusters)
    router.add("GET", MC, get_cluster)
    router.add("POST", MC + r"/listclusterusercredential", user_credentials)
    router.add("POST", MC + r"/listclusteradmincredential", admin_credentials)
    router.add("GET", MC + r"/agentpools", list_pools)
    router.add("GET", POOL, get_pool)
    router.add("PUT", POOL, put_pool)
    router.add("DELETE", POOL, delete_pool)
    router.add("POST", POOL + r"/abort", abort_pool)


# ------------------------------------------------------------------------------------------------ clusters
def list_clusters(req: Request, sub: str, rg: str | None = None) -> Response:
    with req.state.lock:
        items = req.state.clusters_in(sub, rg)
        return paged(req, items, lambda c: resources.cluster_resource(c, c["subscriptionId"]))


def get_cluster(req: Request, sub: str, rg: str, cluster: str) -> Response:
    with req.state.lock:
        record = req.state.cluster(sub, rg, cluster)
        return Response(200, resources.cluster_resource(record, record["subscriptionId"]))


def user_credentials(req: Request, sub: str, rg: str, cluster: str) -> Response:
    return _credentials(req, sub, rg, cluster, admin=False)


def admin_credentials(req: Request, sub: str, rg: str, cluster: str) -> Response:
    return _credentials(req, sub, rg, cluster, admin=True)


def _credentials(req: Request, sub: str, rg: str, cluster: str, admin: bool) -> Response:
    state = req.state
    with state.lock:
        record = state.cluster(sub, rg, cluster)
        state.records["credentialRequests"].append({
            "cluster": resources.cluster_id(record, record["subscriptionId"]), "kind": "admin" if admin else "user",
            "format": req.query.get("format"), "serverFqdn": req.query.get("server-fqdn")})
        if admin and record.get("disableLocalAccounts"):
            raise errors.local_accounts_disabled()
        try:
            text = state.kubeconfig_text(record)
        except OSError as exc:
            raise errors.ArmError(500, "InternalServerError", f"emulator: cannot read kubeconfig: {exc}") from exc
    value = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return Response(200, {"kubeconfigs": [{"name": "clusterAdmin" if admin else "clusterUser", "value": value}]})


# ------------------------------------------------------------------------------------------------ agent pools
def list_pools(req: Request, sub: str, rg: str, cluster: str) -> Response:
    with req.state.lock:
        record = req.state.cluster(sub, rg, cluster)
        pools = list((record["pools"] or {}).values())
        return paged(req, pools, lambda p: resources.pool_resource(record, record["subscriptionId"], p))


def _pool(req: Request, sub: str, rg: str, cluster: str, pool: str):
    record = req.state.cluster(sub, rg, cluster)
    found = (record["pools"] or {}).get(pool.lower())
    return record, found


def get_pool(req: Request, sub: str, rg: str, cluster: str, pool: str) -> Response:
    with req.state.lock:
        record, found = _pool(req, sub, rg, cluster, pool)
        if found is None:
            raise errors.resource_not_found(f"{resources.AKS_TYPE}/{record['name']}/agentPools", pool, rg)
        req.state.ops.advance(found["op"])  # a GET is one polling step too (clients may poll the resource)
        return Response(200, resources.pool_resource(record, record["subscriptionId"], found))


def put_pool(req: Request, sub: str, rg: str, cluster: str, pool: str) -> Response:
    body = req.body if isinstance(req.body, dict) else {}
    props = body.get("properties")
    if not isinstance(props, dict):
        raise errors.ArmError(400, "InvalidRequestContent", "The request content must contain 'properties'.")
    if not POOL_NAME.match(pool) or (str(props.get("osType")).lower() == "windows" and len(pool) > 6):
        raise errors.invalid_parameter("agentPoolProfile.name")
    state = req.state
    with state.lock:
        record, existing = _pool(req, sub, rg, cluster, pool)
        _check_preconditions(req, existing)
        _refuse_if_busy(existing)
        clean = {k: v for k, v in props.items() if k not in resources.POOL_SERVER_FIELDS}
        _validate_pool(clean, existing, record)
        old_props = existing["properties"] if existing else None
        new_props = resources.fill_pool_defaults(clean, record, pool, existing=old_props)
        new_props["provisioningState"] = "Updating" if existing else "Creating"
        target = existing or {"name": pool, "op": None}
        target["properties"] = new_props
        if record["pools"] is None:
            record["pools"] = {}
        record["pools"][pool.lower()] = target
        op = _start(req, record, target, "put")
        op.result = lambda: resources.pool_resource(record, record["subscriptionId"], target)
        headers = state.ops.headers(op, req.base_url, req.api_version, state.settings["retryAfterMs"], False)
        return Response(200 if existing else 201, resources.pool_resource(record, record["subscriptionId"], target),
                        headers)


def _check_preconditions(req: Request, pool: dict | None) -> None:
    """The spec's `if-match` / `if-none-match` PUT headers with RFC 9110 13.1.1-2 semantics: `*` is any current
    version; a list of (possibly weak, quoted) eTags matches the pool's properties.eTag."""
    current = (pool or {}).get("properties", {}).get("eTag")
    if_none_match, if_match = req.headers.get("If-None-Match"), req.headers.get("If-Match")
    if if_none_match is not None and pool is not None and _matches(if_none_match, current):
        raise errors.precondition_failed("If-None-Match", if_none_match)
    if if_match is not None and (pool is None or not _matches(if_match, current)):
        raise errors.precondition_failed("If-Match", if_match)


def _matches(header: str, etag: str | None) -> bool:
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or any(t.removeprefix("W/").strip('"') == etag for t in tags if t)


def _refuse_if_busy(pool: dict | None) -> None:
    if pool and pool["op"] is not None and pool["op"].status == IN_PROGRESS:
        raise errors.operation_in_progress(pool["properties"].get("provisioningState") or "Updating")


def _runtime(props: dict | None) -> str:
    # Absent/null means OCIContainer (the enum's default); compare case-insensitively like the service.
    return str((props or {}).get("workloadRuntime") or "OCIContainer").lower()


def _validate_pool(props: dict, existing: dict | None, cluster: dict) -> None:
    """What the RP checks on PUT (the subset the migration can trip over)."""
    if existing is None:
        if not props.get("vmSize"):
            raise errors.invalid_parameter("agentPoolProfile.vmSize")
        if _runtime(props) == "wasmwasi":
            raise errors.wasi_retired()
    else:
        old = existing["properties"]
        if _runtime(props) != _runtime(old):
            raise errors.property_change_not_allowed("workloadRuntime")
        for key in ("vmSize", "osType"):
            if key in props and props[key] is not None and str(props[key]).lower() != str(old.get(key)).lower():
                raise errors.property_change_not_allowed(key)
        if _is_system(old) and not _is_system(props) and _system_pools(cluster, exclude=existing) == 0:
            raise errors.last_system_pool(existing["name"])
    mode = str(props.get("mode") or "User").lower()
    if mode not in MODES:
        raise errors.invalid_parameter("agentPoolProfile.mode")
    _validate_count(props, mode)


def _validate_count(props: dict, mode: str) -> None:
    count = props.get("count", 3)
    low = 1 if mode == "system" else 0
    if not isinstance(count, int) or isinstance(count, bool) or not low <= count <= 1000:
        raise errors.invalid_parameter("agentPoolProfile.count")
    if props.get("enableAutoScaling"):
        lo, hi = props.get("minCount"), props.get("maxCount")
        if not isinstance(lo, int) or not isinstance(hi, int) or not low <= lo <= hi <= 1000:
            raise errors.invalid_parameter("agentPoolProfile.minCount")
        if not lo <= count <= hi:
            raise errors.invalid_parameter("agentPoolProfile.count")


def _is_system(props: dict | None) -> bool:
    return str((props or {}).get("mode") or "").lower() == "system"


def _system_pools(cluster: dict, exclude: dict | None) -> int:
    return sum(1 for p in (cluster["pools"] or {}).values() if p is not exclude and _is_system(p["properties"]))


def _start(req: Request, cluster: dict, pool: dict, kind: str, **details):
    """Start an LRO on `pool`; when it ends the pool takes its final state (or disappears after a delete)."""
    def done(op):
        if pool.get("op") is op:
            pool["op"] = None
        if kind == "delete" and op.status == "Succeeded":
            if (cluster["pools"] or {}).get(pool["name"].lower()) is pool:
                del cluster["pools"][pool["name"].lower()]
            return
        aborted = kind == "abort" and op.status == "Succeeded"
        pool["properties"]["provisioningState"] = CANCELED if aborted else op.status

    op = req.state.ops.start(
        kind=kind, target=resources.pool_id(cluster, cluster["subscriptionId"], pool["name"]),
        subscription=cluster["subscriptionId"], location=region(cluster.get("location")), namespace=NS,
        resource_group=None, polls_left=int(req.state.settings["lroPolls"]), on_done=done,
        fail_error=req.lro_fail, details=details)
    pool["op"] = op
    return op


def delete_pool(req: Request, sub: str, rg: str, cluster: str, pool: str) -> Response:
    state = req.state
    with state.lock:
        record, found = _pool(req, sub, rg, cluster, pool)
        if found is None:
            return Response(204)
        _refuse_if_busy(found)
        if _is_system(found["properties"]) and _system_pools(record, exclude=found) == 0:
            raise errors.last_system_pool(found["name"])
        ignore_pdb = _flag(req.query.get("ignore-pod-disruption-budget"))
        found["properties"]["provisioningState"] = "Deleting"
        op = _start(req, record, found, "delete", ignorePodDisruptionBudget=ignore_pdb)
        state.records["poolDeletes"].append({
            "id": op.target, "ignorePodDisruptionBudget": ignore_pdb, "operationId": op.id})
        headers = state.ops.headers(op, req.base_url, req.api_version, state.settings["retryAfterMs"], True)
        return Response(202, None, headers)


def _flag(value: str | None) -> bool | None:
    return None if value is None else value.lower() == "true"


def abort_pool(req: Request, sub: str, rg: str, cluster: str, pool: str) -> Response:
    """Cancel the running operation: pool Canceling -> Canceled (no rollback); nothing running -> 204."""
    state = req.state
    with state.lock:
        record, found = _pool(req, sub, rg, cluster, pool)
        if found is None:
            raise errors.resource_not_found(f"{resources.AKS_TYPE}/{record['name']}/agentPools", pool, rg)
        running = found["op"]
        if running is None or running.status != IN_PROGRESS:
            return Response(204)
        state.ops.finish(running, CANCELED)
        found["properties"]["provisioningState"] = "Canceling"
        op = _start(req, record, found, "abort")
        op.fail_error = None
        headers = state.ops.headers(op, req.base_url, req.api_version, state.settings["retryAfterMs"], True)
        return Response(202, None, headers)
