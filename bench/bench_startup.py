"""Start-up cost of the extension: `az aks wasi-migrate list -h` against `az aks nodepool list -h`.

Every `az aks ...` call loads this extension's command table (the command index maps the `aks` group to
it), so its cost shows in both commands; the ratio tells whether our own command is any slower to reach
than a core one. Also `az aks nodepool list -h` with and without the extension installed.
Usage: python bench/bench_startup.py [RUNS]
"""

import os
import pathlib
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from bench.common import az_path, machine_line, median_of, run_measured, wheel_path  # noqa: E402
from tests.emulator.azcli import add_extension  # noqa: E402


def environment(with_extension):
    env = dict(os.environ, AZURE_CONFIG_DIR=tempfile.mkdtemp(), AZURE_EXTENSION_DIR=tempfile.mkdtemp(),
               AZURE_CORE_COLLECT_TELEMETRY="false", AZURE_CORE_SURVEY_MESSAGE="false",
               AZURE_EXTENSION_USE_DYNAMIC_INSTALL="no", AZURE_CORE_ONLY_SHOW_ERRORS="true")
    if with_extension:
        add_extension(az_path(), env, wheel_path(), tempfile.gettempdir())
    return env


def main(runs):
    with_ext, without_ext = environment(True), environment(False)
    cases = {
        "az aks wasi-migrate list -h": (["aks", "wasi-migrate", "list", "-h"], with_ext),
        "az aks nodepool list -h (extension installed)": (["aks", "nodepool", "list", "-h"], with_ext),
        "az aks nodepool list -h (no extension)": (["aks", "nodepool", "list", "-h"], without_ext),
    }
    for args, env in cases.values():  # warm the command index and the OS file cache
        run_measured([az_path(), *args], env)
    results = {name: [] for name in cases}
    for _ in range(runs):  # interleaved, so drift on the machine hits every case alike
        for name, (args, env) in cases.items():
            run = run_measured([az_path(), *args], env)
            assert run["rc"] == 0, run["stderr"]
            results[name].append(run)
    base = median_of(results["az aks nodepool list -h (no extension)"], "seconds")
    print(f"Machine: {machine_line()}; {runs} runs each, interleaved; median wall time\n")
    print("| command | median s | ratio to `az aks nodepool list -h` without the extension |")
    print("|---|---|---|")
    for name, runs_of in results.items():
        seconds = median_of(runs_of, "seconds")
        print(f"| `{name}` | {seconds:.3f} | {seconds / base:.2f} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
