"""Helpers for tests that use the emulator: a plain HTTPS caller and a key-structure comparison."""
from __future__ import annotations

import json
from pathlib import Path

import requests

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "arm-examples"
SAMPLE = Path(__file__).resolve().parent / "estates" / "sample.yaml"
PROD = "11111111-1111-1111-1111-111111111111"
AKS = "/providers/Microsoft.ContainerService/managedClusters"
PROD_POOLS = f"/subscriptions/{PROD}/resourceGroups/rg-apps{AKS}/aks-prod/agentPools"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


class Arm:
    """requests.Session bound to an emulator; ignores proxy env vars (the az safety net) and trusts its CA."""

    def __init__(self, handle, api_version: str = "2026-06-01"):
        self.base = handle.url
        self.api_version = api_version
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = handle.ca_path
        self.session.headers["Authorization"] = "Bearer test-token"

    def call(self, method: str, path: str, body=None, params=None, api_version: str | None = None, headers=None):
        url = path if path.startswith("https://") else self.base + path
        query = dict(params or {})
        if "api-version=" not in url and api_version != "":
            query.setdefault("api-version", api_version or self.api_version)
        return self.session.request(method, url, json=body, params=query, headers=headers, timeout=30)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def put(self, path, body, **kw):
        return self.call("PUT", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body=body, **kw)

    def poll(self, response, limit: int = 50) -> dict:
        """Follow Azure-AsyncOperation until a terminal status; returns the last status body."""
        url = response.headers["Azure-AsyncOperation"]
        for _ in range(limit):
            status = self.get(url).json()
            if status["status"] not in ("InProgress", "Accepted", "Running"):
                return status
        raise AssertionError(f"operation {url} did not finish after {limit} polls")


def structure_diff(expected, actual, path: str = "") -> tuple[list[str], list[str], list[str]]:
    """Compare key structure (not values). Returns (missing, extra, kind_mismatch) key paths; lists compare
    element i of `expected` with element i of `actual` (paths use `[]`). A null in `expected` matches anything;
    a null in `actual` where the example has an object/list is a mismatch."""
    missing: list[str] = []
    extra: list[str] = []
    mismatch: list[str] = []
    if expected is None:
        return missing, extra, mismatch
    if actual is None:
        return missing, extra, ([path or "$"] if isinstance(expected, (dict, list)) else [])
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return missing, extra, [path or "$"]
        for key in expected:
            sub = f"{path}.{key}" if path else key
            if key not in actual:
                missing.append(sub)
            else:
                _extend((missing, extra, mismatch), structure_diff(expected[key], actual[key], sub))
        extra += [f"{path}.{k}" if path else k for k in actual if k not in expected]
    elif isinstance(expected, list):
        if not isinstance(actual, list):
            return missing, extra, [path or "$"]
        if expected and not actual:
            return [f"{path}[]"], extra, mismatch
        for exp_item, act_item in zip(expected, actual):
            _extend((missing, extra, mismatch), structure_diff(exp_item, act_item, f"{path}[]"))
    elif isinstance(actual, (dict, list)):
        mismatch.append(path or "$")
    return sorted(set(missing)), sorted(set(extra)), sorted(set(mismatch))


def _extend(targets, results) -> None:
    for target, result in zip(targets, results):
        target.extend(result)
