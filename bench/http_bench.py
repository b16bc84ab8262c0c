"""HTTP throughput and latency of the mock, side by side with a bare aiohttp ceiling and Prism.

Each server runs pinned to core 0 and wrk runs pinned to core 1, one after the other, in one
run; the ratios printed at the end compare numbers measured on the same machine minutes apart.
wrk is installed from Debian's packages and Prism 5 from npm (into bench/.prism) when missing.

Measured, at 32 connections (``--connections``):

- the ceiling: a bare aiohttp handler that reads the body and returns a fixed JSON;
- the mock's order webhook with the docs' example (full pipeline, a new order id each time);
- Prism 5 mocking the project's own loyapro-pos.yaml with the same order request;
- reward lookup, with 1,000 and with 1,000,000 codes stored (random codes), each run at least
  3 times, taking turns, keeping each one's run with the median p99 (the ratio of the two
  p99s is a target, and a single run's p99 moves with every hiccup of the machine);
- redeem, a fresh code each time, with ``serve --workers 1`` and ``--workers 2`` (the two
  workers may use both cores; wrk shares core 1 with one of them).

    python bench/http_bench.py [--duration 10] [--connections 32] [--repeat 1]
                               [--skip-prism] [--skip-large] [--only NAME ...]
                               [--markdown FILE] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_state import prepare_db
from loadgen import (
    ROOT,
    Result,
    ensure_prism,
    ensure_wrk,
    free_port,
    median_result,
    pinned_server,
    run_wrk,
    write_lua,
    write_report,
)

from loyapro_mock.mockserver.domain.usecases.demo_state import DEMO_BRANCH, DEMO_CUSTOMERS
from loyapro_mock.mockserver.http.pipeline.auth import issue_token
from loyapro_mock.mockserver.http.settings import Settings

DOCS_CUSTOMER = DEMO_CUSTOMERS[0][1]
BRANCH = DEMO_BRANCH["id"]
LARGE, SMALL = 1_000_000, 1_000
MEASUREMENTS = ("bare", "order", "prism", "lookup_small", "lookup_large", "redeem", "redeem_2")
TARGETS = {
    "order_rps": 6000,
    "order_vs_prism": 7.0,
    "order_vs_bare": 0.30,
    "order_p99_ms": 10.0,
    "redeem_rps": 5000,
    "workers_speedup": 1.6,
    "lookup_p99_growth": 1.2,
}


def mock_token() -> str:
    """The token the served mock accepts (same settings as ``serve``: defaults and env)."""
    return issue_token(Settings.resolve().secret, "foodics")


def serve_cmd(port: int, db: Path, workers: int = 1) -> list[str]:
    return [
        sys.executable,
        "-m",
        "loyapro_mock",
        "serve",
        "--port",
        str(port),
        "--db",
        str(db),
        "--quiet",
        "--workers",
        str(workers),
    ]


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import uvloop

        loop = f"uvloop {uvloop.__version__}"
    except ImportError:
        loop = "asyncio"
    import aiohttp

    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "aiohttp": aiohttp.__version__,
        "loop": loop,
        "load": os.getloadavg(),
    }


class Bench:
    """Runs each measurement ``repeat`` times and keeps the median run."""

    def __init__(self, args: argparse.Namespace, wrk: str) -> None:
        self.args = args
        self.wrk = wrk
        self.results: dict[str, Result] = {}

    def wanted(self, key: str) -> bool:
        return not self.args.only or key in self.args.only

    def run_once(self, name: str, cmd: Callable[[int], list[str]], script: Path, cores: str = "0") -> Result:
        port = free_port()
        with pinned_server(cmd(port), port, cores) as proc:
            return run_wrk(
                self.wrk, name, port, script, self.args.duration, self.args.connections, server_pid=proc.pid
            )

    def measure(
        self, key: str, name: str, cmd: Callable[[int], list[str]], script: Path, cores: str = "0"
    ) -> Result | None:
        if not self.wanted(key):
            return None
        print(name, file=sys.stderr)
        runs = [self.run_once(name, cmd, script, cores) for _ in range(self.args.repeat)]
        self.results[key] = median_result(runs)
        return self.results[key]

    def measure_alternating(
        self, cases: list[tuple[str, str, Callable[[int], list[str]], Path]], repeat: int
    ) -> None:
        """Run each case ``repeat`` times, taking turns (a slow minute hits all alike), and
        keep each case's run with the median p99: for comparing tail latencies."""
        cases = [case for case in cases if self.wanted(case[0])]
        runs: dict[str, list[Result]] = {key: [] for key, *_ in cases}
        for _ in range(repeat):
            for key, name, cmd, script in cases:
                print(name, file=sys.stderr)
                runs[key].append(self.run_once(name, cmd, script))
        for key, results in runs.items():
            self.results[key] = median_result(results, by="p99_ms")


def scripts(tmp: Path, token: str) -> dict[str, Path]:
    order = json.loads((ROOT / "openapi" / "examples" / "order.json").read_text())
    order["order"]["id"] = "__ORDER_ID__"
    lookup = {
        "reward_code": "__CODE__",
        "business_reference": 440810,
        "customer_mobile_number": DOCS_CUSTOMER,
        "mobile_country_code": "966",
        "branch_id": BRANCH,
    }
    redeem = {
        "reward_code": "__CODE__",
        "business_reference": 440810,
        "order_id": "__CODE__",
        "branch_id": BRANCH,
        "discount_amount": 5,
        "customer_mobile_number": DOCS_CUSTOMER,
        "mobile_country_code": "966",
        "date": "2023-01-01 15:06:16",
        "user_id": "97c817bd-ff52-4aa9-ad52-f12d14d2996d",
    }
    base = "/pos/1.0.0/foodics"
    return {
        "order": write_lua(
            tmp,
            "order",
            f"{base}/order",
            token,
            json.dumps(order),
            {"__ORDER_ID__": '"bench-" .. tid .. "-" .. counter'},
        ),
        "lookup_small": write_lua(
            tmp,
            "lookup_small",
            f"{base}/reward",
            token,
            json.dumps(lookup),
            {"__CODE__": _random_code(SMALL)},
        ),
        "lookup_large": write_lua(
            tmp,
            "lookup_large",
            f"{base}/reward",
            token,
            json.dumps(lookup),
            {"__CODE__": _random_code(LARGE)},
        ),
        "redeem_1": write_lua(
            tmp,
            "redeem_1",
            f"{base}/redeem",
            token,
            json.dumps(redeem),
            {"__CODE__": 'string.format("RA%d%07d", tid, counter)'},
        ),
        "redeem_2": write_lua(
            tmp,
            "redeem_2",
            f"{base}/redeem",
            token,
            json.dumps(redeem),
            {"__CODE__": 'string.format("RB%d%07d", tid, counter)'},
        ),
    }


def _random_code(count: int) -> str:
    return f'string.format("LKP%07d", math.random(1, {count}))'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per measurement; the median run is reported"
    )
    parser.add_argument("--skip-prism", action="store_true")
    parser.add_argument(
        "--skip-large", action="store_true", help="skip the 1,000,000-code lookup (its database takes ~20 s)"
    )
    parser.add_argument("--markdown", type=Path, help="also write the results table here")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument(
        "--only",
        action="append",
        choices=MEASUREMENTS,
        metavar="NAME",
        help="run only this measurement (repeatable): " + ", ".join(MEASUREMENTS),
    )
    args = parser.parse_args()

    wrk = ensure_wrk()
    skip_prism = args.skip_prism or bool(args.only and "prism" not in args.only)
    skip_large = args.skip_large or bool(args.only and "lookup_large" not in args.only)
    prism = None if skip_prism else ensure_prism()
    bench = Bench(args, wrk)
    info = machine()
    # Enough fresh codes for every redeem wrk can send (2 threads, per run and repeat).
    per_thread = max(60_000, 4_000 * args.duration) * args.repeat
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        lua = scripts(tmpdir, mock_token())
        order_db = tmpdir / "order.db"
        small_db, large_db, redeem_db = (tmpdir / f"{n}.db" for n in ("small", "large", "redeem"))
        print("preparing databases...", file=sys.stderr)
        prepare_db(str(order_db), {})
        prepare_db(str(small_db), {"LKP": SMALL})
        prepare_db(str(redeem_db), {f"R{w}{t}": per_thread for w in "AB" for t in (1, 2)})
        if not skip_large:
            prepare_db(str(large_db), {"LKP": LARGE})

        bench.measure(
            "bare",
            "bare aiohttp handler (ceiling)",
            lambda p: [sys.executable, str(ROOT / "bench" / "bare_server.py"), str(p)],
            lua["order"],
        )
        bench.measure(
            "order", "mock order webhook (full pipeline)", lambda p: serve_cmd(p, order_db), lua["order"]
        )
        if prism is not None:
            spec = str(ROOT / "openapi" / "loyapro-pos.yaml")
            bench.measure(
                "prism",
                "Prism 5 order (same request)",
                lambda p: [str(prism), "mock", "-p", str(p), "-h", "127.0.0.1", "--errors", "false", spec],
                lua["order"],
            )
        lookups = [
            (
                "lookup_small",
                f"mock reward lookup, {SMALL:,} codes stored",
                lambda p: serve_cmd(p, small_db),
                lua["lookup_small"],
            )
        ]
        if not skip_large:
            lookups.append(
                (
                    "lookup_large",
                    f"mock reward lookup, {LARGE:,} codes stored",
                    lambda p: serve_cmd(p, large_db),
                    lua["lookup_large"],
                )
            )
        # Their p99s are compared: at least 3 alternating runs each, the median p99 kept.
        bench.measure_alternating(lookups, max(3, args.repeat))
        bench.measure(
            "redeem",
            "mock redeem, fresh codes, 1 worker",
            lambda p: serve_cmd(p, redeem_db, 1),
            lua["redeem_1"],
        )
        bench.measure(
            "redeem_2",
            "mock redeem, fresh codes, --workers 2 (cores 0-1)",
            lambda p: serve_cmd(p, redeem_db, 2),
            lua["redeem_2"],
            cores="0,1",
        )
    info["load_after"] = os.getloadavg()
    report(bench.results, info, args)


def ratios(results: dict[str, Result]) -> list[tuple[str, str, bool]]:
    """(what, measured, target met) for every target the run measured."""
    r, t = results, TARGETS
    out: list[tuple[str, str, bool]] = []
    if "order" in r:
        order = r["order"]
        out.append(
            (
                f"order webhook >= {t['order_rps']:,} req/s",
                f"{order.rps:,.0f} req/s",
                order.rps >= t["order_rps"],
            )
        )
        out.append(
            (
                f"order webhook p99 <= {t['order_p99_ms']:g} ms",
                f"{order.p99_ms:.2f} ms",
                order.p99_ms <= t["order_p99_ms"],
            )
        )
        if "bare" in r:
            share = order.rps / r["bare"].rps
            out.append(
                (
                    f"order / bare aiohttp >= {t['order_vs_bare']:.0%}",
                    f"{share:.0%}",
                    share >= t["order_vs_bare"],
                )
            )
        if "prism" in r:
            times = order.rps / r["prism"].rps
            out.append(
                (f"order / Prism >= {t['order_vs_prism']:g}x", f"{times:.1f}x", times >= t["order_vs_prism"])
            )
    if "redeem" in r:
        out.append(
            (
                f"redeem >= {t['redeem_rps']:,} req/s",
                f"{r['redeem'].rps:,.0f} req/s",
                r["redeem"].rps >= t["redeem_rps"],
            )
        )
        if "redeem_2" in r:
            speedup = r["redeem_2"].rps / r["redeem"].rps
            out.append(
                (
                    f"redeem --workers 2 / 1 >= {t['workers_speedup']:g}x",
                    f"{speedup:.2f}x",
                    speedup >= t["workers_speedup"],
                )
            )
    if "order" in r and "bare" in r:
        cost = r["bare"].cpu_us / r["order"].cpu_us
        out.append(
            (
                "order / bare aiohttp, by CPU time per request (same goal, noise-proof)",
                f"{cost:.0%}",
                cost >= t["order_vs_bare"],
            )
        )
    if "lookup_small" in r and "lookup_large" in r:
        growth = r["lookup_large"].p99_ms / r["lookup_small"].p99_ms
        out.append(
            (
                f"lookup p99 at 1M codes / at 1k <= {t['lookup_p99_growth']:g}x",
                f"{growth:.2f}x",
                growth <= t["lookup_p99_growth"],
            )
        )
        cpu = r["lookup_large"].cpu_us / r["lookup_small"].cpu_us
        out.append(
            (
                "lookup CPU time per request at 1M codes / at 1k (noise-proof)",
                f"{cpu:.2f}x",
                cpu <= t["lookup_p99_growth"],
            )
        )
    return out


def report(results: dict[str, Result], info: dict[str, Any], args: argparse.Namespace) -> None:
    load = ", ".join(f"{x:.2f}" for x in info["load"])
    lines = [
        f"Machine: {info['nproc']} cores, {info['cpu']}, Python {info['python']}, "
        f"aiohttp {info['aiohttp']}, {info['loop']}; load average before: {load}.",
        f"wrk: 2 threads, {args.connections} connections, {args.duration} s per run, "
        f"median of {args.repeat} run(s); lookups: median p99 of {max(3, args.repeat)} "
        "alternating runs each.",
        "",
        "| server | req/s | p50 ms | p99 ms | server CPU µs/request | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [result.row() for result in results.values()]
    lines += ["", "| target | measured | met |", "|---|---:|:---:|"]
    lines += [f"| {what} | {value} | {'yes' if ok else 'no'} |" for what, value, ok in ratios(results)]
    text = "\n".join(lines)
    write_report(
        text,
        {
            "machine": info,
            "results": {k: v.as_dict() for k, v in results.items()},
            "targets": [{"target": w, "measured": v, "met": ok} for w, v, ok in ratios(results)],
        },
        args.markdown,
        args.json,
    )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
