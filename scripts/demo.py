"""The main job on the embedded default: the emulated Azure with the sample estate, the real az with the
extension wheel installed, and `az aks wasi-migrate` run against it, printed as a user would see it.

Run through scripts/demo.sh (it builds the wheel and the environment first).
"""

import os
import pathlib
import shlex
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.emulator.api import start_emulator  # noqa: E402  (needs the repo on sys.path)
from tests.emulator.azcli import az_environment, login  # noqa: E402

PROD = "11111111-1111-1111-1111-111111111111"
STEPS = [
    ("Phase 1, evaluate: every WASI pool in the current subscription",
     ["aks", "wasi-migrate", "list", "-o", "table"]),
    ("... in every subscription you can see",
     ["aks", "wasi-migrate", "list", "--all-subscriptions", "-o", "table"]),
    ("... as cluster/pool pairs for a script",
     ["aks", "wasi-migrate", "list", "--all-subscriptions", "--query", "[].[subscriptionId, clusterName, name]",
      "-o", "tsv"]),
    ("One WASI pool in full",
     ["aks", "wasi-migrate", "show", "--subscription", PROD, "-g", "rg-apps", "-n", "aks-prod",
      "--nodepool-name", "wasi", "--query", "{pool: name, vmSize: vmSize, autoscale: [minCount, maxCount], "
      "zones: availabilityZones, labels: nodeLabels, taints: nodeTaints}"]),
    ("A pool that is not a WASI pool is refused with a reason",
     ["aks", "wasi-migrate", "show", "--subscription", PROD, "-g", "rg-apps", "-n", "aks-prod",
      "--nodepool-name", "web"]),
]


def run(az, env, cwd, title, args):
    print(f"\n### {title}\n$ az {shlex.join(args)}", flush=True)
    proc = subprocess.run([az, *args], env=env, cwd=cwd)
    print(f"(exit code {proc.returncode})", flush=True)


def main():
    az, wheel = os.environ["WASIMIG_AZ"], os.environ["WASIMIG_WHEEL"]
    with tempfile.TemporaryDirectory(prefix="wasimig-demo-") as home:
        home = pathlib.Path(home)
        arm = start_emulator(REPO / "tests" / "emulator" / "estates" / "sample.yaml", home / "arm")
        try:
            env = az_environment(arm, home / "config")
            env.update(AZURE_EXTENSION_DIR=str(home / "extensions"), AZURE_CORE_ONLY_SHOW_ERRORS="false")
            if os.environ.get("WASIMIG_WHEELHOUSE"):
                env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=os.environ["WASIMIG_WHEELHOUSE"])
            print(f"Emulated Azure on {arm.url} (sample estate: tests/emulator/estates/sample.yaml)")
            login(az, env)
            subprocess.run([az, "extension", "add", "--source", wheel, "--yes"], env=env, cwd=home, check=True)
            for title, args in STEPS:
                run(az, env, home, title, args)
        finally:
            arm.stop()


if __name__ == "__main__":
    main()
