"""Shared helpers of the benchmark scripts: run `az` as a user would, measure wall time and peak RSS.

Benchmarks are scripts, not tests: they print Markdown rows to paste into docs/benchmarks.md.
"""

import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]

# The measuring wrapper: runs the command as its only child and writes the child's wall time and peak RSS
# (RUSAGE_CHILDREN of a process that waited for exactly one child: that child's and its descendants' peak;
# the small wrapper's own pages, shared until exec, are far below any command measured here).
_MEASURE = ("import json, resource, subprocess, sys, time; t = time.perf_counter(); rc = subprocess.call(sys.argv[2:]);"
            "open(sys.argv[1], 'w').write(json.dumps({'rc': rc, 'seconds': time.perf_counter() - t,"
            "'maxrss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))")


def run_measured(argv, env=None, cwd=None):
    """Run ``argv``: {'rc', 'seconds', 'rss_mb', 'stdout', 'stderr'}, with the command's own peak RSS.
    Output goes through files, so a command printing hundreds of MB (kubectl get -A -o json) costs nothing here."""
    with tempfile.TemporaryDirectory() as scratch, open(f"{scratch}/out", "w+b") as out, \
            open(f"{scratch}/err", "w+b") as err:
        result_path = f"{scratch}/result.json"
        subprocess.run([sys.executable, "-c", _MEASURE, result_path, *argv], env=env, stdout=out, stderr=err,
                       cwd=cwd or tempfile.gettempdir(), check=False)
        with open(result_path, encoding="utf-8") as f:
            result = json.load(f)
        out.seek(0)
        err.seek(0)
        return {"rc": result["rc"], "seconds": result["seconds"], "rss_mb": result["maxrss_kb"] / 1024,
                "stdout": out.read().decode(errors="replace"), "stderr": err.read().decode(errors="replace")}


def median_of(runs, key):
    return statistics.median(r[key] for r in runs)


def machine_line():
    cpu = "unknown cpu"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo", encoding="utf-8")
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{platform.node()}: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def az_path():
    return os.environ.get("WASIMIG_AZ") or "az"


def wheel_path():
    wheel = os.environ.get("WASIMIG_WHEEL")
    if not wheel:
        sys.exit("WASIMIG_WHEEL is not set: run through bench/run.sh, which builds the wheel")
    return str(pathlib.Path(wheel).resolve())


def now():
    return time.perf_counter()

