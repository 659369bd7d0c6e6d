"""Small HTTP vocabulary shared by the handlers: Request, Response, a regex router, ARM paging."""
from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import quote

from .errors import ArmError


@dataclass
class Request:
    method: str
    path: str                  # percent-decoded path, no query
    query_string: str
    query: dict                # lower-cased keys -> last value (ARM query names are case-insensitive)
    headers: Any               # email.message.Message (case-insensitive get)
    body: Any                  # parsed JSON (or form dict for the token endpoint), None when empty
    base_url: str              # https://127.0.0.1:PORT
    state: Any                 # EmulatorState
    lro_fail: dict | None = None

    @property
    def api_version(self) -> str | None:
        return self.query.get("api-version")


@dataclass
class Response:
    status: int = 200
    body: Any = None           # dict/list -> JSON, str -> text, None -> empty
    headers: dict = field(default_factory=dict)


@dataclass
class Route:
    methods: tuple
    regex: re.Pattern
    handler: Callable
    arm: bool                  # ARM routes require api-version and are subject to subscription checks


class Router:
    def __init__(self):
        self.routes: list[Route] = []

    def add(self, methods: str, pattern: str, handler: Callable, arm: bool = True) -> None:
        # Case-insensitive, anchored, optional trailing slash: ARM ignores case in paths.
        regex = re.compile(pattern + "/?", re.IGNORECASE)
        self.routes.append(Route(tuple(methods.split()), regex, handler, arm))

    def resolve(self, method: str, path: str):
        """(route, params) for the first matching route, else (None, {}); HEAD falls back to GET routes."""
        for route in self.routes:
            match = route.regex.fullmatch(path)
            if match and (method in route.methods or (method == "HEAD" and "GET" in route.methods)):
                return route, match.groupdict()
        return None, {}


SUB = r"/subscriptions/(?P<sub>[^/]+)"
RG = SUB + r"/resourcegroups/(?P<rg>[^/]+)"


def paged(req: Request, items: list, render: Callable[[Any], dict]) -> Response:
    """One page of `items` plus an absolute `nextLink` carrying an opaque `$skipToken`, like ARM list calls."""
    size = max(1, int(req.state.settings["pageSize"]))
    skip = _decode_skip(req.query.get("$skiptoken"))
    body: dict = {"value": [render(item) for item in items[skip:skip + size]]}
    if skip + size < len(items):
        token = base64.urlsafe_b64encode(json.dumps({"skip": skip + size}).encode()).decode().rstrip("=")
        link = f"{req.base_url}{quote(req.path)}?api-version={quote(req.api_version or '')}&$skipToken={token}"
        body["nextLink"] = link
    return Response(200, body)


def _decode_skip(token: str | None) -> int:
    if not token:
        return 0
    try:
        padded = token + "=" * (-len(token) % 4)
        return int(json.loads(base64.urlsafe_b64decode(padded))["skip"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ArmError(400, "InvalidSkipToken", f"The skip token '{token}' is invalid.") from exc
