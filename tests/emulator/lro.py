"""Long-running operations the way ARM and azure-core's ARM poller expect them (testing-recipes.md A).

An operation advances one step per poll of its status URL (and per GET of its resource, so clients that poll the
resource instead, e.g. `--no-wait` + `az aks nodepool wait`, also finish). After `polls` "InProgress" answers the next
step completes it: the resource takes its final state, then the status says Succeeded/Failed/Canceled.
Headers carry `Retry-After-Ms` only: without a retry hint azure-core waits 30 s per poll, `Retry-After: 0` counts as
absent, and a fractional `Retry-After` crashes the AKS SDK's DELETE (int() on the header).
"""
from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Callable

IN_PROGRESS, SUCCEEDED, FAILED, CANCELED = "InProgress", "Succeeded", "Failed", "Canceled"
DEFAULT_FAIL_ERROR = {"code": "InternalOperationError",
                      "message": "The operation failed (injected by the emulator's lroFail fault)."}


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Operation:
    id: str
    kind: str                      # "put" | "delete" | "abort"
    target: str                    # resource id the operation works on
    subscription: str
    location: str
    namespace: str                 # provider namespace that serves the status URL
    resource_group: str | None     # ACI's status URLs live under the resource group
    polls_left: int
    on_done: Callable[["Operation"], None]
    fail_error: dict | None = None
    result: Callable[[], dict] | None = None   # body of the operationresults URL once done (PUTs)
    status: str = IN_PROGRESS
    error: dict | None = None
    start_time: str = field(default_factory=_now)
    end_time: str | None = None
    details: dict = field(default_factory=dict)

    def summary(self) -> dict:
        return {"id": self.id, "kind": self.kind, "target": self.target, "status": self.status,
                "pollsLeft": self.polls_left, "error": self.error, "startTime": self.start_time,
                "endTime": self.end_time, **self.details}


class Operations:
    """All operations of one emulator; callers hold the state lock."""

    def __init__(self):
        self._ops: dict[str, Operation] = {}

    def start(self, **kwargs) -> Operation:
        op = Operation(id=str(uuid.uuid4()), **kwargs)
        self._ops[op.id] = op
        return op

    def get(self, op_id: str) -> Operation | None:
        return self._ops.get(op_id.lower())

    def all(self) -> list[Operation]:
        return list(self._ops.values())

    def advance(self, op: Operation | None) -> None:
        if op is None or op.status != IN_PROGRESS:
            return
        if op.polls_left > 0:
            op.polls_left -= 1
            return
        self.finish(op, FAILED if op.fail_error else SUCCEEDED)

    def finish(self, op: Operation, status: str) -> None:
        op.status, op.end_time = status, _now()
        if status == FAILED:
            op.error = dict(op.fail_error or DEFAULT_FAIL_ERROR)
        elif status == CANCELED:
            op.error = {"code": "OperationCanceled", "message": "The operation was aborted by the user."}
        op.on_done(op)

    def status_body(self, op: Operation) -> dict:
        body = {"id": self.status_path(op), "name": op.id, "status": op.status, "startTime": op.start_time}
        if op.end_time:
            body["endTime"] = op.end_time
        if op.error:
            body["error"] = op.error
        return body

    @staticmethod
    def status_path(op: Operation, results: bool = False) -> str:
        scope = f"/subscriptions/{op.subscription}"
        if op.resource_group:
            scope += f"/resourceGroups/{op.resource_group}"
        leaf = "operationresults" if results else "operations"
        return f"{scope}/providers/{op.namespace}/locations/{op.location}/{leaf}/{op.id}"

    def headers(self, op: Operation, base_url: str, api_version: str, retry_after_ms: int,
                with_location: bool) -> dict:
        query = f"?api-version={api_version}"
        headers = {"Azure-AsyncOperation": base_url + self.status_path(op) + query,
                   "Retry-After-Ms": str(int(retry_after_ms))}
        if with_location:
            headers["Location"] = base_url + self.status_path(op, results=True) + query
        return headers


def region(location: str | None) -> str:
    """ARM location name as used in operation URLs ("West Europe" -> "westeurope")."""
    return (location or "unknown").replace(" ", "").lower()
