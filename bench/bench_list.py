"""Benchmark of `az aks wasi-migrate list` against the emulated Azure with latency added to every ARM answer.

(a) one subscription of 10, 100 and 1,000 clusters: ARM calls, wall time and peak RSS of
    - `az aks wasi-migrate list`                       (the extension)
    - `az aks list`                                    (the ARM lower bound: the same paged list, nothing else)
    - `az aks list` + `az aks nodepool list` per cluster (the loop a user would otherwise write)
(b) `list --all-subscriptions` over 20 subscriptions, beside `list --subscription S` run once per subscription.

Usage: python bench/bench_list.py [--runs 3] [--latency-ms 50] [--sizes 10,100,1000] [--loop-sample 40]
The loop is timed in full up to --loop-sample clusters; above that, the per-cluster calls of a sample are timed
and scaled up, and the table says so. Prints Markdown for docs/benchmarks.md.
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from bench.common import az_path, machine_line, median_of, run_measured, wheel_path  # noqa: E402
from tests.emulator.api import start_emulator  # noqa: E402
from tests.emulator.azcli import add_extension, az_environment, login  # noqa: E402
from tests.emulator.estate import generate_estate  # noqa: E402


def arm_call_count(arm):
    return len([e for e in arm.requests() if e["path"].lower().startswith("/subscriptions/")])


def timed(arm, env, home, args, runs):
    """Median seconds, median peak RSS (MB) and ARM calls of `az ARGS` over `runs` runs."""
    results, calls = [], []
    for _ in range(runs):
        arm.clear_requests()
        run = run_measured([az_path(), *args], env, cwd=home)
        assert run["rc"] == 0, run["stderr"]
        results.append(run)
        calls.append(arm_call_count(arm))
    return median_of(results, "seconds"), median_of(results, "rss_mb"), max(calls)


def loop_baseline(arm, env, home, sub, clusters, sample):
    """The user's loop: az aks list, then az aks nodepool list per cluster (sampled above `sample`)."""
    arm.clear_requests()
    listed = run_measured([az_path(), "aks", "list", "--subscription", sub, "-o", "json"], env, cwd=home)
    names = json.loads(subprocess.run([az_path(), "aks", "list", "--subscription", sub, "--query",
                                       "[].[resourceGroup, name]", "-o", "json"], env=env, cwd=home,
                                      capture_output=True, text=True, check=True).stdout)
    arm.clear_requests()
    picked = names[:sample]
    per_cluster, peak = 0.0, listed["rss_mb"]
    for group, name in picked:
        run = run_measured([az_path(), "aks", "nodepool", "list", "--subscription", sub, "-g", group,
                       "--cluster-name", name, "-o", "json"], env, cwd=home)
        assert run["rc"] == 0, run["stderr"]
        per_cluster += run["seconds"]
        peak = max(peak, run["rss_mb"])
    scale = len(names) / max(1, len(picked))
    seconds = listed["seconds"] + per_cluster * scale
    calls = arm_call_count(arm) * scale + 1
    return seconds, peak, round(calls), len(picked) < len(names)


def environment(arm, home):
    env = az_environment(arm, home / "config")
    env.update(AZURE_EXTENSION_DIR=str(home / "ext"), AZURE_CORE_ONLY_SHOW_ERRORS="true")
    login(az_path(), env)
    add_extension(az_path(), env, wheel_path(), home)
    return env


def bench_sizes(args, home):
    print("| clusters | command | ARM calls | median wall s | ratio to `az aks list` | median peak RSS MB |")
    print("|---|---|---|---|---|---|")
    for size in args.sizes:
        estate = generate_estate(subscriptions=1, clusters=size)
        sub = estate["subscriptions"][0]["subscriptionId"]
        arm = start_emulator(estate, home / f"arm{size}", latency_ms=args.latency_ms)
        try:
            env = environment(arm, home / f"az{size}")
            ours = timed(arm, env, home, ["aks", "wasi-migrate", "list", "--subscription", sub], args.runs)
            base = timed(arm, env, home, ["aks", "list", "--subscription", sub], args.runs)
            loop = loop_baseline(arm, env, home, sub, size, args.loop_sample)
        finally:
            arm.stop()
        rows = [("`az aks wasi-migrate list`", *ours), ("`az aks list` (lower bound)", *base),
                ("loop: `az aks list` + `nodepool list` per cluster" + (" (scaled from a sample)" if loop[3] else ""),
                 loop[0], loop[1], loop[2])]
        for name, seconds, rss, calls in rows:
            print(f"| {size} | {name} | {calls} | {seconds:.2f} | {seconds / base[0]:.2f} | {rss:.0f} |", flush=True)


def bench_all_subscriptions(args, home):
    estate = generate_estate(subscriptions=20, clusters=10)
    subs = [s["subscriptionId"] for s in estate["subscriptions"]]
    arm = start_emulator(estate, home / "arm-subs", latency_ms=args.latency_ms)
    try:
        env = environment(arm, home / "az-subs")
        ours = timed(arm, env, home, ["aks", "wasi-migrate", "list", "--all-subscriptions"], args.runs)
        arm.clear_requests()
        one_by_one = [run_measured([az_path(), "aks", "wasi-migrate", "list", "--subscription", s], env, cwd=home)
                      for s in subs]
        calls = arm_call_count(arm)
    finally:
        arm.stop()
    seconds = sum(r["seconds"] for r in one_by_one)
    peak = max(r["rss_mb"] for r in one_by_one)
    print("\n| 20 subscriptions x 10 clusters | ARM calls | median wall s | ratio | peak RSS MB |")
    print("|---|---|---|---|---|")
    print(f"| `list --all-subscriptions` | {ours[2]} | {ours[0]:.2f} | {ours[0] / seconds:.2f} | {ours[1]:.0f} |")
    print(f"| `list --subscription S`, once per subscription | {calls} | {seconds:.2f} | 1.00 | {peak:.0f} |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[10, 100, 1000])
    parser.add_argument("--loop-sample", type=int, default=40)
    args = parser.parse_args()
    print(f"Machine: {machine_line()}; {args.latency_ms} ms added to every ARM answer; median of {args.runs} runs\n")
    with tempfile.TemporaryDirectory(prefix="wasimig-bench-") as home:
        home = pathlib.Path(home)
        os.environ.setdefault("AZURE_CORE_COLLECT_TELEMETRY", "false")
        bench_sizes(args, home)
        bench_all_subscriptions(args, home)


if __name__ == "__main__":
    main()
