"""What the e2e test modules share (not a test module itself): the sample estate's subscriptions, and the bad-input
table's rows and their check (tests/e2e/test_bad_input.py, tests/k8s/test_e2e_bad_input.py)."""

from dataclasses import dataclass

import pytest

PROD, DEV = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"


@dataclass(frozen=True)
class Row:
    id: str
    args: tuple
    rc: int
    says: str
    reads: bool = False     # True: the row may read ARM (GET) before it fails; never write
    env: tuple = ()         # extra environment variables, as (name, value) pairs


def row(id_, args, rc, says, reads=False, env=None):
    return pytest.param(Row(id_, tuple(args), rc, says, reads, tuple((env or {}).items())), id=id_)


def writes(entries):
    """Logged requests that change something: every PUT/PATCH/DELETE, and every POST but sign-in (token) and
    the read-only actions that fetch cluster credentials."""
    def is_write(entry):
        if entry["method"] in ("PUT", "PATCH", "DELETE"):
            return True
        path = entry["path"].lower()
        return entry["method"] == "POST" and "/oauth2/" not in path and not path.endswith(
            ("/listclusterusercredential", "/listclusteradmincredential"))
    return [f"{e['method']} {e['path']}" for e in entries if is_write(e)]


def arm_requests(entries):
    return [f"{e['method']} {e['path']}" for e in entries if e["path"].lower().startswith("/subscriptions")]


def check_row(az, arm, case):
    """Run one row; assert exit code, message, and no write (no ARM request at all unless ``case.reads``)."""
    arm.clear_requests()
    result = az("aks", "wasi-migrate", *case.args, expect=None, env=dict(case.env))
    shown = result.out if case.rc == 0 else result.err
    assert result.rc == case.rc, f"{case.id}: exit {result.rc}\nstdout:{result.out}\nstderr:{result.err}"
    assert case.says in shown, f"{case.id}: {case.says!r} not in:\n{shown}"
    if "--debug" not in case.args:        # --debug logs az's own traceback of every error
        assert "Traceback" not in result.err, result.err
    logged = arm.requests()
    assert writes(logged) == [], f"{case.id} wrote to Azure"
    if not case.reads:
        assert arm_requests(logged) == [], f"{case.id} called ARM before refusing"
    return result
