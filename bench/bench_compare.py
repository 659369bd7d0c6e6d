"""Benchmark of compare's load generator (azext_wasimig.compare.load: urllib3 pools + a thread per connection)
against wrk on the same local server and concurrency.

The server (a separate process: asyncio, HTTP/1.1 keep-alive, a fixed delay per answer) makes the truth known:
at concurrency C and delay D a perfect client gets C/D requests/s and a latency of D. Per delay:
  - requests/s of ours and of wrk, and their ratio (ours / wrk);
  - p99 latency of ours and of wrk: the difference is our client's own p99 overhead.
With delay 0 the server's own limit is reached: the row shows the highest rate either client gets here.

Usage: python bench/bench_compare.py [--concurrency 4] [--duration 10] [--runs 3] [--delays 0 0.001 0.005 0.02]
Needs `wrk` (Debian package wrk) for the comparison; prints Markdown.
"""

import argparse
import pathlib
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from azext_wasimig.compare import load  # noqa: E402
from bench.common import machine_line  # noqa: E402

SERVER = r'''
import asyncio, sys
DELAY = float(sys.argv[2])
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Type: text/plain\r\n\r\nok\n"
async def serve(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            if DELAY:
                await asyncio.sleep(DELAY)
            writer.write(ANSWER)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()
async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", int(sys.argv[1]), backlog=512)
    print("ready", flush=True)
    await server.serve_forever()
asyncio.run(main())
'''
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(delay):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(delay)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc, f"http://127.0.0.1:{port}/"


def ours(url, concurrency, duration):
    target = load.Target("old", url, url, load.pool_manager(concurrency))
    found = load.run([target], load.LoadSpec(duration, concurrency, 10 ** 7))["old"]
    return found["requestsPerSecond"], found["latencyMs"]["p99"], found["errors"]


def wrk(url, concurrency, duration):
    threads = min(concurrency, 2)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out).groups()
    return rate, float(value) * UNIT[unit]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--delays", type=float, nargs="+", default=[0.0, 0.001, 0.005, 0.02])
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    print(f"Machine: {machine_line()}; concurrency {args.concurrency}, {args.duration} s per run, median of "
          f"{args.runs} runs\n")
    print("| server delay | ideal req/s | ours req/s | wrk req/s | ours/wrk | ours p99 ms | wrk p99 ms | "
          "our p99 overhead ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for delay in args.delays:
        server, url = start_server(delay)
        try:
            mine, theirs = [], []
            for _ in range(args.runs):
                mine.append(ours(url, args.concurrency, args.duration))
                time.sleep(0.5)
                theirs.append(wrk(url, args.concurrency, args.duration))
        finally:
            server.terminate()
            server.wait()
        rate, p99 = statistics.median(m[0] for m in mine), statistics.median(m[1] for m in mine)
        wrk_rate, wrk_p99 = statistics.median(t[0] for t in theirs), statistics.median(t[1] for t in theirs)
        ideal = f"{args.concurrency / delay:.0f}" if delay else "server-bound"
        print(f"| {delay * 1000:g} ms | {ideal} | {rate:.0f} | {wrk_rate:.0f} | {rate / wrk_rate:.2f} | {p99:.2f} | "
              f"{wrk_p99:.2f} | {p99 - wrk_p99:.2f} |")


if __name__ == "__main__":
    main()
