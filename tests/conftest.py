"""Shared fixtures. End-to-end: the real `az` (WASIMIG_AZ) with the built wheel (WASIMIG_WHEEL) added by
`az extension add --source … --yes`, signed in to the emulated Azure over HTTPS on 127.0.0.1.

scripts/test.sh sets both variables; run through it (or set them) to run these tests.
"""

import json
import os
import pathlib
import shutil
import subprocess
import tempfile
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import pytest

from tests.emulator.api import start_emulator
from tests.emulator.azcli import add_extension, az_environment, login

ESTATES = pathlib.Path(__file__).resolve().parent / "emulator" / "estates"
ARM_EXAMPLES = pathlib.Path(__file__).resolve().parent / "fixtures" / "arm-examples"


def example_body(name, status="200"):
    """The response body of a real x-ms-example (tests/fixtures/arm-examples)."""
    return json.loads((ARM_EXAMPLES / name).read_text())["responses"][status]["body"]


@dataclass
class AzResult:
    rc: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


class Az:
    """Runs the real az in a scratch directory: az runs as `python -m azure.cli`, so from the repository
    root it would import the source tree instead of the installed wheel."""

    def __init__(self, path, env, cwd):
        self.path, self.env, self.cwd = path, env, cwd

    def __call__(self, *args, expect=0, env=None, timeout=300):
        proc = subprocess.run([self.path, *args], env={**self.env, **(env or {})}, cwd=self.cwd,
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        result = AzResult(proc.returncode, proc.stdout, proc.stderr)
        if expect is not None:
            assert result.rc == expect, f"az {' '.join(args)} -> {result.rc}\nstdout:{result.out}\nstderr:{result.err}"
        return result


def _required_env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the tests with `bash scripts/test.sh`, which builds the wheel and az")
    return value


@pytest.fixture(scope="session")
def arm(tmp_path_factory):
    """The emulated Azure, seeded with the sample estate; tests may replace the estate."""
    handle = start_emulator(ESTATES / "sample.yaml", tmp_path_factory.mktemp("arm"))
    yield handle
    handle.stop()


@pytest.fixture(scope="session")
def az(arm, tmp_path_factory):
    """`az` signed in to the emulator, with the wheel installed the way users install it."""
    az_path, wheel = _required_env("WASIMIG_AZ"), _required_env("WASIMIG_WHEEL")
    home = tmp_path_factory.mktemp("az")
    env = az_environment(arm, home / "config")
    env.update({
        "AZURE_EXTENSION_DIR": str(home / "extensions"),
        "AZURE_CORE_ONLY_SHOW_ERRORS": "false",   # the tests read warnings
        "AZURE_CORE_DISABLE_CONFIRM_PROMPT": "false",   # and check that destructive commands ask
    })
    login(az_path, env)
    add_extension(az_path, env, wheel, home)
    runner = Az(az_path, env, str(home))
    yield runner
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def estate(arm, az):
    """``estate(path_or_dict)`` makes the emulator serve it for this test (see ``serving_estate``), with an empty
    request log and no faults; the sample estate comes back afterwards."""
    with ExitStack() as stack:
        def use(estate_or_path):
            stack.enter_context(serving_estate(arm, az, estate_or_path))
            arm.clear_requests()
            arm.clear_faults()
        yield use
        arm.clear_faults()


@pytest.fixture
def arm_log(arm):
    """The emulator's request log, emptied before the test."""
    arm.clear_requests()
    return arm.requests


@contextmanager
def serving_estate(arm, az, estate):
    """For a module's tests: the emulator serves ``estate`` (az signs in again, as it accepts only the
    --subscription values it saw at sign-in); the sample estate comes back afterwards."""
    arm.set_estate(_load(estate))
    login(az.path, az.env)
    try:
        yield
    finally:
        arm.set_estate(_load(ESTATES / "sample.yaml"))
        login(az.path, az.env)


def _load(estate_or_path):
    if isinstance(estate_or_path, dict):
        return estate_or_path
    import yaml
    return yaml.safe_load(pathlib.Path(estate_or_path).read_text())


def arm_calls(entries, method=None, contains=""):
    """Logged ARM requests (not sign-in, not the admin API), optionally filtered."""
    calls = [e for e in entries if e["path"].lower().startswith("/subscriptions")]
    return [e for e in calls if (method is None or e["method"] == method) and contains.lower() in e["path"].lower()]


@pytest.fixture(scope="session")
def scratch():
    path = tempfile.mkdtemp(prefix="wasimig-e2e-")
    yield pathlib.Path(path)
    shutil.rmtree(path, ignore_errors=True)
