"""The request log tests assert on (api-version, PUT bodies, which calls were made), with secrets redacted.

Secrets are never stored in clear: a redacted value keeps a short SHA-256 prefix, so a test can still check *which*
secret was sent (compare with `redacted(value)`) without the log holding it.
"""
from __future__ import annotations

import copy
import datetime
import hashlib
import threading

# Body keys whose values are secrets (ACI env vars/registries/volumes/log analytics, OAuth form fields).
SECRET_KEYS = {"securevalue", "password", "client_secret", "client_assertion", "workspacekey", "storageaccountkey",
               "refresh_token", "access_token", "assertion", "secret"}
LOGGED_HEADERS = ("User-Agent", "CommandName", "ParameterSetName", "x-ms-client-request-id", "Authorization",
                  "Host", "Content-Type", "If-Match", "If-None-Match", "x-ms-correlation-request-id",
                  "x-ms-policy-external-evaluations")


def redacted(value) -> str:
    digest = hashlib.sha256(str(value).encode("utf-8")).hexdigest()[:12]
    return f"<redacted sha256:{digest}>"


def redact(obj):
    """Deep copy of a JSON-like value with every secret value replaced (a `secret` volume's whole map included)."""
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            if str(key).lower() in SECRET_KEYS and value is not None:
                out[key] = _redact_value(value)
            else:
                out[key] = redact(value)
        return out
    if isinstance(obj, list):
        return [redact(v) for v in obj]
    return copy.deepcopy(obj)


def _redact_value(value):
    if isinstance(value, dict):  # e.g. ACI `secret` volume {fileName: base64 content}
        return {k: redacted(v) for k, v in value.items()}
    return redacted(value)


def redact_headers(headers) -> dict:
    out = {}
    for name in LOGGED_HEADERS:
        value = headers.get(name)
        if value is None:
            continue
        if name == "Authorization":
            scheme, _, token = value.partition(" ")
            value = f"{scheme} {redacted(token)}"
        out[name] = value
    return out


class RequestLog:
    """Thread-safe append-only list with its own lock (logging must not wait for the state lock)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries: list[dict] = []
        self._seq = 0

    def add(self, entry: dict) -> dict:
        with self._lock:
            self._seq += 1
            entry = {"seq": self._seq, "time": _now(), **entry}
            self._entries.append(entry)
            return entry

    def update(self, entry: dict, **fields) -> None:
        with self._lock:
            entry.update(fields)

    def entries(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat()
