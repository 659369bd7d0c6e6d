"""Test-only admin API under /_emulator/ (plain JSON, never logged, never subject to faults or latency).

GET    /_emulator/health                                   {"ok": true, "url": ...}
GET    /_emulator/requests        DELETE /_emulator/requests   the request log / clear it
GET    /_emulator/faults          POST (rule or list)          DELETE (clear)
GET    /_emulator/settings        POST {"latencyMs", "lroPolls", "pageSize", "retryAfterMs"}
POST   /_emulator/estate          body = estate (replaces the world)
GET    /_emulator/state           current resources, operations, faults, credential requests, pool deletes
POST   /_emulator/clusters/{sub}/{rg}/{name}/kubeconfig    {"kubeconfig": "<text>"}
POST   /_emulator/containergroups/{sub}/{rg}/{name}/view     a container group's instance view (aci.check_view)
"""
from __future__ import annotations

from . import errors
from .estate import EstateError
from .web import Request, Response, Router


def set_kubeconfig(state, sub: str, rg: str, name: str, text: str) -> None:
    with state.lock:
        cluster = state.cluster(sub, rg, name)
        cluster["kubeconfigText"] = text


def replace_estate(state, estate) -> dict:
    state.load(estate)
    with state.lock:
        return {"subscriptions": len(state.subscriptions), "clusters": len(state.clusters),
                "containerGroups": len(state.container_groups)}


def build_router() -> Router:
    router = Router()
    router.add("GET", r"/_emulator/health", lambda req: Response(200, {"ok": True, "url": req.base_url}), arm=False)
    router.add("GET DELETE", r"/_emulator/requests", _requests, arm=False)
    router.add("GET POST DELETE", r"/_emulator/faults", _faults, arm=False)
    router.add("GET POST", r"/_emulator/settings", _settings, arm=False)
    router.add("POST PUT", r"/_emulator/estate", lambda req: Response(200, replace_estate(req.state, req.body or {})),
               arm=False)
    router.add("GET", r"/_emulator/state", lambda req: Response(200, req.state.dump()), arm=False)
    router.add("POST PUT", r"/_emulator/clusters/(?P<sub>[^/]+)/(?P<rg>[^/]+)/(?P<name>[^/]+)/kubeconfig",
               _kubeconfig, arm=False)
    router.add("POST PUT", r"/_emulator/containergroups/(?P<sub>[^/]+)/(?P<rg>[^/]+)/(?P<name>[^/]+)/view",
               _group_view, arm=False)
    return router


def handle(req: Request) -> Response:
    route, params = ROUTER.resolve(req.method, req.path)
    if route is None:
        return Response(404, {"error": f"no admin endpoint {req.method} {req.path}", "help": __doc__})
    try:
        return route.handler(req, **params)
    except errors.ArmError as exc:
        return Response(exc.status, exc.body())
    except (ValueError, TypeError, KeyError, EstateError) as exc:
        return Response(400, {"error": f"{type(exc).__name__}: {exc}"})


def _requests(req: Request) -> Response:
    if req.method == "DELETE":
        req.state.log.clear()
        return Response(204)
    return Response(200, req.state.log.entries())


def _faults(req: Request) -> Response:
    with req.state.lock:
        if req.method == "POST":
            return Response(200, req.state.faults.add(req.body or []))
        if req.method == "DELETE":
            req.state.faults.clear()
            return Response(204)
        return Response(200, [r.to_json() for r in req.state.faults.rules])


def _settings(req: Request) -> Response:
    if req.method == "POST":
        return Response(200, req.state.update_settings(req.body or {}))
    with req.state.lock:
        return Response(200, dict(req.state.settings))


def _kubeconfig(req: Request, sub: str, rg: str, name: str) -> Response:
    body = req.body or {}
    if not isinstance(body.get("kubeconfig"), str):
        raise ValueError('body must be {"kubeconfig": "<text>"}')
    set_kubeconfig(req.state, sub, rg, name, body["kubeconfig"])
    return Response(204)


def _group_view(req: Request, sub: str, rg: str, name: str) -> Response:
    req.state.set_group_view(sub, rg, name, req.body or {})
    return Response(204)


ROUTER = build_router()  # after the handlers it references
