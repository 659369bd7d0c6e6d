"""Fault injection: throttling (429 + Retry-After), server errors, slow answers, failing LROs.

Rule (JSON): {"method": "GET"|"*", "path": "<regex, case-insensitive, searched in the URL path>", "query": "<regex on the
raw query string, optional>", "status": 429, "times": 3, "retryAfter": 1, "retryAfterMs": null, "delayMs": 0,
"body": {...}, "headers": {...}, "lroFail": false, "error": {"code", "message"}}.
Every matching rule with `times` left applies and uses one `times` (-1 = forever): delays add up, the first matching rule
with a `status` answers instead of the real handler, and `lroFail` makes the LRO started by the request end Failed
(with `error`, or a default error).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_DEFAULT_CODES = {429: "TooManyRequests", 500: "InternalServerError", 502: "BadGateway", 503: "ServiceUnavailable",
                  504: "GatewayTimeout", 409: "Conflict", 404: "NotFound", 403: "AuthorizationFailed"}
_KNOWN_KEYS = {"method", "path", "query", "status", "times", "retryAfter", "retryAfterMs", "delayMs", "body",
               "headers", "lroFail", "error"}


@dataclass
class FaultRule:
    method: str = "*"
    path: str = ".*"
    query: str | None = None
    status: int | None = None
    times: int = 1
    retryAfter: int | None = None
    retryAfterMs: int | None = None
    delayMs: int = 0
    body: dict | None = None
    headers: dict = field(default_factory=dict)
    lroFail: bool = False
    error: dict | None = None
    hits: int = 0

    @classmethod
    def from_json(cls, raw: dict) -> "FaultRule":
        unknown = set(raw) - _KNOWN_KEYS
        if unknown:
            raise ValueError(f"unknown fault keys {sorted(unknown)}")
        rule = cls(**raw)
        re.compile(rule.path)
        if rule.retryAfter is not None and int(rule.retryAfter) != rule.retryAfter:
            # A fractional Retry-After crashes the AKS SDK's DELETE poller; refuse it rather than hide it.
            raise ValueError("retryAfter must be a whole number of seconds (use retryAfterMs for less)")
        return rule

    def matches(self, method: str, path: str, query: str) -> bool:
        if self.times == 0:
            return False
        if self.method not in ("*", "") and self.method.upper() != method.upper():
            return False
        if not re.search(self.path, path, re.IGNORECASE):
            return False
        return self.query is None or bool(re.search(self.query, query, re.IGNORECASE))

    def use(self) -> None:
        self.hits += 1
        if self.times > 0:
            self.times -= 1

    def response(self) -> tuple[int, dict, dict]:
        """(status, body, headers) of the injected answer."""
        code = _DEFAULT_CODES.get(self.status, "InjectedFault")
        body = self.body if self.body is not None else {
            "error": {"code": code, "message": f"Injected by the emulator: HTTP {self.status}."}}
        headers = dict(self.headers)
        if self.retryAfter is not None:
            headers["Retry-After"] = str(int(self.retryAfter))
        if self.retryAfterMs is not None:
            headers["Retry-After-Ms"] = str(int(self.retryAfterMs))
        return self.status, body, headers

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in sorted(_KNOWN_KEYS | {"hits"})}


@dataclass
class FaultOutcome:
    delay_ms: int = 0
    answer: FaultRule | None = None
    lro_fail: dict | None = None     # the error an LRO started by this request must end with


class Faults:
    """Rule list; callers hold the state lock."""

    def __init__(self):
        self.rules: list[FaultRule] = []

    def add(self, raw_rules) -> list[dict]:
        raw_rules = raw_rules if isinstance(raw_rules, list) else [raw_rules]
        new = [FaultRule.from_json(r) for r in raw_rules]
        self.rules.extend(new)
        return [r.to_json() for r in new]

    def clear(self) -> None:
        self.rules.clear()

    def evaluate(self, method: str, path: str, query: str) -> FaultOutcome:
        outcome = FaultOutcome()
        for rule in self.rules:
            if not rule.matches(method, path, query):
                continue
            if rule.status is not None and outcome.answer is not None:
                continue  # only the first answering rule is used up
            rule.use()
            outcome.delay_ms += int(rule.delayMs or 0)
            if rule.status is not None:
                outcome.answer = rule
            if rule.lroFail:
                outcome.lro_fail = rule.error or {"code": "InternalOperationError",
                                                  "message": "The operation failed (injected by the emulator)."}
        return outcome
