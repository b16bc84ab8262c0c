"""How fast `fixtures` generates order webhooks to NDJSON, and that memory stays flat.

Run: python bench/fixtures_bench.py [--sizes 1000,10000,100000] [--state mixed] [--mode mixed]

Speed: each size is generated and written as NDJSON to a byte-counting sink in this
process, on one thread (one core; `--pin CORE` pins it); best of `--repeat` runs, wall
clock and CPU time. Memory: each size runs again in a fresh interpreter, warmed up first
(menus, caches), under tracemalloc (peak of Python allocations during the run), with its
peak RSS: a leak would show as a peak growing with N. Target: at least 10,000 orders/s.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from typing import Any

from loyapro_mock.fixtures.output import write_records
from loyapro_mock.fixtures.stream import iter_orders

TARGET = 10_000


def _pin(core: int | None) -> str:
    if core is None or not hasattr(os, "sched_setaffinity"):
        return "one thread, not pinned"
    os.sched_setaffinity(0, {core})
    return f"one thread, pinned to core {core}"


class _CountingSink(io.RawIOBase):
    """/dev/null that counts the bytes written to it."""

    def __init__(self) -> None:
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.size += len(data)
        return len(data)


def generate(count: int, seed: int, state: str, mode: str) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, bytes) to generate and write `count` orders as NDJSON."""
    raw = _CountingSink()
    sink = io.BufferedWriter(raw, buffer_size=1 << 16)
    start, cpu = time.perf_counter(), time.process_time()
    write_records(iter_orders(count, seed, state=state, mode=mode, compact=True), "ndjson", sink)
    sink.flush()
    return time.perf_counter() - start, time.process_time() - cpu, raw.size


def memory(count: int, seed: int, state: str, mode: str) -> dict[str, float]:
    """Peak traced memory and peak RSS of one run (call in a fresh interpreter)."""
    generate(3000, seed + 1, state, mode)  # fill the menus and caches before tracing
    tracemalloc.start()
    generate(count, seed, state, mode)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"traced_peak_mib": peak / 2**20, "rss_peak_mib": rss_kib / 1024}


def _memory_in_child(count: int, args: argparse.Namespace) -> dict[str, float]:
    command = [
        sys.executable,
        __file__,
        "--memory-child",
        str(count),
        "--seed",
        str(args.seed),
        "--state",
        args.state,
        "--mode",
        args.mode,
    ]
    if args.pin is not None:
        command += ["--pin", str(args.pin)]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    data: dict[str, float] = json.loads(result.stdout)
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--state", default="mixed")
    parser.add_argument("--mode", default="mixed")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pin", type=int, default=None, help="Pin to this CPU core.")
    parser.add_argument("--memory-child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    pinned = _pin(args.pin)
    if args.memory_child:
        print(json.dumps(memory(args.memory_child, args.seed, args.state, args.mode)))
        return 0

    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"fixtures bench: order webhooks -> NDJSON, state={args.state} mode={args.mode}, "
        f"{pinned}, Python {sys.version.split()[0]}"
    )
    generate(3000, args.seed + 1, args.state, args.mode)  # warm up: menus, caches
    print(
        f"{'N':>8} {'orders/s':>10} {'CPU orders/s':>12} {'µs/order':>9} {'avg bytes':>9} "
        f"{'traced peak MiB':>15} {'RSS peak MiB':>12}"
    )
    rate = 0.0
    for count in sizes:
        runs = [generate(count, args.seed, args.state, args.mode) for _ in range(args.repeat)]
        wall = min(run[0] for run in runs)
        cpu = min(run[1] for run in runs)
        rate = count / wall
        mem = _memory_in_child(count, args)
        print(
            f"{count:>8} {rate:>10,.0f} {count / cpu:>12,.0f} {1e6 / rate:>9.1f} "
            f"{runs[0][2] / count:>9,.0f} {mem['traced_peak_mib']:>15.2f} "
            f"{mem['rss_peak_mib']:>12.1f}"
        )
    verdict = "meets" if rate >= TARGET else "MISSES"
    print(
        f"steady state (N={sizes[-1]:,}): {rate:,.0f} orders/s (wall clock, best of "
        f"{args.repeat}) -> {verdict} the target of {TARGET:,}/s"
    )
    print("(small N are runs of a fraction of a second: the most disturbed by other work)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(
        f"load average while measuring: {load:.2f} on {os.cpu_count()} cores "
        "(other work on the machine lowers the wall-clock rate)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
