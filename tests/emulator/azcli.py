"""Point the real `az` at the emulator (testing-recipes.md A): isolated config dir, CA bundle, no instance discovery,
no telemetry, a custom cloud on the emulator, service-principal login. A dead proxy (127.0.0.1:9) is the safety net:
anything that tries to leave the machine fails instead of reaching Azure.

    eval "$(bash tests/emulator/az_login.sh STATE_DIR CONFIG_DIR)"    # logs in, prints `export ...` lines
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

CLOUD = "LocalArm"
SP_ID, SP_SECRET = "fake-sp", "fake-secret"
DEAD_PROXY = "http://127.0.0.1:9"


def az_environment(handle, config_dir, base_env: dict | None = None) -> dict:
    """Environment for running az against `handle` (an EmulatorHandle/EmulatorClient, or anything with `.url` and
    `.ca_path`). `config_dir` becomes AZURE_CONFIG_DIR (profile, token cache, clouds, extensions)."""
    env = dict(os.environ if base_env is None else base_env)
    Path(config_dir).mkdir(parents=True, exist_ok=True)
    env.update({
        "AZURE_CONFIG_DIR": str(config_dir),
        "REQUESTS_CA_BUNDLE": str(handle.ca_path),        # requests, MSAL and the SDK clients all honour it
        "AZURE_CORE_INSTANCE_DISCOVERY": "false",         # else MSAL asks login.microsoftonline.com
        "AZURE_CORE_COLLECT_TELEMETRY": "false",
        "AZURE_CORE_SURVEY_MESSAGE": "false",
        "AZURE_CORE_NO_COLOR": "true",
        "AZURE_CORE_ONLY_SHOW_ERRORS": "true",
        "AZURE_EXTENSION_USE_DYNAMIC_INSTALL": "no",
        "AZURE_CORE_DISABLE_CONFIRM_PROMPT": "true",
        "HTTPS_PROXY": DEAD_PROXY, "HTTP_PROXY": DEAD_PROXY,
        "https_proxy": DEAD_PROXY, "http_proxy": DEAD_PROXY,
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
        "WASIMIG_EMULATOR_URL": handle.url,
        "WASIMIG_EMULATOR_TENANT": _tenant(handle),
    })
    for leak in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET", "ACC_CLOUD",
                 "AZURE_POD_IDENTITY_AUTHORITY_HOST", "ARM_CLOUD_METADATA_URL"):
        env.pop(leak, None)  # managed-identity / Cloud Shell modes would probe real hosts
    return env


def _tenant(handle) -> str:
    tenant = getattr(handle, "tenant_id", None)
    if tenant:
        return tenant
    return handle.dump()["tenantId"]  # EmulatorClient: ask the server


def run_az(az_path: str, env: dict, *args, check: bool = True, timeout: float = 120,
           cwd=None) -> subprocess.CompletedProcess:
    """Run az; pass `cwd` outside the repository when az must not import the source tree (`python -m azure.cli`
    puts the working directory first on sys.path)."""
    proc = subprocess.run([az_path, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          stdin=subprocess.DEVNULL)
    if check and proc.returncode != 0:
        raise RuntimeError(f"az {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


def login(az_path: str, env: dict) -> list[dict]:
    """Register/select the LocalArm cloud and log in as the fake service principal; returns `az login`'s
    subscription list."""
    url, tenant = env["WASIMIG_EMULATOR_URL"], env["WASIMIG_EMULATOR_TENANT"]
    endpoints = ["--endpoint-resource-manager", url + "/", "--endpoint-active-directory", url,
                 "--endpoint-active-directory-resource-id", "https://management.core.windows.net/"]
    clouds_file = Path(env["AZURE_CONFIG_DIR"]) / "clouds.config"
    # Reading az's own file saves one `az cloud list` (~1 s); a second login in the same dir updates the cloud.
    known = clouds_file.exists() and f"[{CLOUD}]" in clouds_file.read_text(encoding="utf-8")
    verb = "update" if known else "register"
    extra = [] if verb == "update" else ["--skip-endpoint-discovery"]
    run_az(az_path, env, "cloud", verb, "-n", CLOUD, *endpoints, *extra)
    run_az(az_path, env, "cloud", "set", "-n", CLOUD)
    out = run_az(az_path, env, "login", "--service-principal", "-u", SP_ID, "-p", SP_SECRET, "--tenant", tenant,
                 "-o", "json")
    return json.loads(out.stdout)


def main(argv=None) -> int:
    from .api import EmulatorClient

    parser = argparse.ArgumentParser(description="log az into a running emulator; prints export lines")
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--config-dir", required=True)
    parser.add_argument("--az", default=os.environ.get("WASIMIG_AZ") or "az",
                        help="the az executable (default: $WASIMIG_AZ, else az on PATH)")
    args = parser.parse_args(argv)
    client = EmulatorClient.from_state_dir(args.state_dir)
    env = az_environment(client, os.path.abspath(args.config_dir))
    subs = login(args.az, env)
    sys.stderr.write(f"logged in: {len(subs)} subscription(s)\n")
    for key in sorted(set(env) - set(os.environ) | {k for k in env if os.environ.get(k) != env[k]}):
        print(f"export {key}={shlex.quote(env[key])}")
    return 0


def add_extension(az_path: str, env: dict, wheel: str, cwd) -> None:
    """`az extension add --source WHEEL --yes`, as users install it. The wheel's dependencies come from the local
    wheelhouse in $WASIMIG_WHEELHOUSE (scripts/lib.sh fills it): the environment's dead proxy keeps pip off the
    network. `cwd` must not be the repository root (az would import the source tree instead of the wheel)."""
    wheelhouse = os.environ.get("WASIMIG_WHEELHOUSE")
    if wheelhouse:
        env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=wheelhouse)
    run_az(az_path, env, "extension", "add", "--source", str(wheel), "--yes", cwd=str(cwd))
