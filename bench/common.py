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

# Runs one command and reports the child's own peak RSS: RUSAGE_CHILDREN of a process that waited
# for exactly one child is that child's (and its descendants') peak.
_MEASURE = ("import resource, subprocess, sys, json, time;"
            "t = time.perf_counter(); p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
            "stderr=subprocess.PIPE, text=True);"
            "print(json.dumps({'rc': p.returncode, 'seconds': time.perf_counter() - t, 'stderr': p.stderr[-2000:],"
            "'maxrss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))")


def measure(argv, env, cwd=None):
    """{'rc', 'seconds', 'maxrss_kb', 'stderr'} of one run of ``argv``."""
    out = subprocess.run([sys.executable, "-c", _MEASURE, *argv], env=env, cwd=cwd or tempfile.gettempdir(),
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


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
