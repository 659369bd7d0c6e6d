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


def peak_rss_kb(pid):
    """VmHWM of a live process: its own peak resident set (wait4's ru_maxrss would also count the parent's
    pages that a vfork'ed child shares until exec)."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        return 0


def run_measured(argv, env=None, cwd=None):
    """Run ``argv``; returns {'rc', 'seconds', 'rss_mb', 'stdout', 'stderr'} with the child's peak RSS."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=cwd or tempfile.gettempdir())
        peak = 0
        while child.poll() is None:   # the high-water mark only grows: the last reading is the peak
            peak = max(peak, peak_rss_kb(child.pid))
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return {"rc": child.returncode, "seconds": seconds, "rss_mb": peak / 1024,
                "stdout": out.read().decode(), "stderr": err.read().decode()}
