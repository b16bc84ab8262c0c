"""HTTP throughput and latency of the mock, side by side with a bare aiohttp ceiling and Prism.

Each server runs pinned to core 0 and wrk runs pinned to core 1, one after the other, in one
run; the ratios printed at the end compare numbers measured on the same machine minutes apart.
wrk is installed from Debian's packages and Prism 5 from npm (into bench/.prism) when missing.

    python bench/http_bench.py [--duration 10] [--connections 32] [--skip-prism] [--markdown FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRISM_DIR = ROOT / "bench" / ".prism"
SERVER_CORE, LOAD_CORE = "0", "1"


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int

    def row(self) -> str:
        return (f"| {self.name} | {self.rps:,.0f} | {self.p50_ms:.2f} | {self.p99_ms:.2f} "
                f"| {self.errors} |")


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk from Debian's packages...", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False,
                   stdout=subprocess.DEVNULL)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-qq"], check=False, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                       stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def ensure_prism() -> Path:
    prism = PRISM_DIR / "node_modules" / ".bin" / "prism"
    if not prism.exists():
        print("installing @stoplight/prism-cli@5 from npm...", file=sys.stderr)
        PRISM_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(PRISM_DIR), "--no-audit", "--no-fund",
                        "--loglevel=error", "@stoplight/prism-cli@5"], check=True)
    return prism


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on port {port} after {timeout:.0f}s")


@contextlib.contextmanager
def pinned_server(cmd: list[str], port: int, env: dict[str, str] | None = None
                  ) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(["taskset", "-c", SERVER_CORE, *cmd], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_ready(port, proc)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def write_lua(directory: Path, name: str, path: str, token: str, body: str,
              unique: dict[str, str] | None = None) -> Path:
    """A wrk script posting `body`; each placeholder in `unique` gets a per-request value."""
    headers = ('wrk.headers["Content-Type"] = "application/json"\n'
               'wrk.headers["Accept"] = "application/json"\n'
               f'wrk.headers["Authorization"] = "Bearer {token}"\n')
    lines = [f'wrk.method = "POST"\nwrk.path = "{path}"\n{headers}',
             f"local body = {lua_string(body)}"]
    if unique:
        lines.append(
            "local counter = 0\nlocal tid = 0\nlocal threads = 0\n"
            "function setup(thread)\n  threads = threads + 1\n  thread:set('tid', threads)\nend\n"
            "function request()\n  counter = counter + 1\n  local b = body\n"
        )
        for placeholder, prefix in unique.items():
            lines.append(f'  b = b:gsub("{placeholder}", "{prefix}" .. tid .. "-" .. counter)')
        lines.append(f'  return wrk.format(nil, "{path}", nil, b)\nend')
    else:
        lines.append("wrk.body = body")
    script = directory / f"{name}.lua"
    script.write_text("\n".join(lines) + "\n")
    return script


_LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def run_wrk(wrk: str, name: str, port: int, script: Path, duration: int, connections: int
            ) -> Result:
    out = subprocess.run(
        ["taskset", "-c", LOAD_CORE, wrk, "-t2", f"-c{connections}", f"-d{duration}s",
         "--latency", "-s", str(script), f"http://127.0.0.1:{port}"],
        check=True, capture_output=True, text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latencies = {p: float(v) * scale[u] for p, v, u in _LATENCY.findall(out)}
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    failed = re.search(r"Socket errors:.*", out)
    result = Result(name, rps, latencies.get("50", float("nan")), latencies.get("99", float("nan")),
                    int(errors.group(1)) if errors else 0)
    print(f"  {name}: {rps:,.0f} req/s, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms"
          + (f", {result.errors} non-2xx" if result.errors else "")
          + (f" ({failed.group(0)})" if failed else ""), file=sys.stderr)
    return result


def mock_token() -> str:
    out = subprocess.run([sys.executable, "-m", "loyapro_mock", "token", "foodics"],
                         check=True, capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1].strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--skip-prism", action="store_true")
    parser.add_argument("--markdown", type=Path, help="also write the results table here")
    args = parser.parse_args()

    wrk = ensure_wrk()
    prism = None if args.skip_prism else ensure_prism()
    order = json.loads((ROOT / "openapi" / "examples" / "order.json").read_text())
    order["order"]["id"] = "__ORDER_ID__"
    order_body = json.dumps(order)
    token = mock_token()
    results: dict[str, Result] = {}

    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        order_lua = write_lua(tmpdir, "order", "/pos/1.0.0/foodics/order", token, order_body,
                              {"__ORDER_ID__": "bench-"})

        print("bare aiohttp ceiling", file=sys.stderr)
        port = free_port()
        with pinned_server([sys.executable, str(ROOT / "bench" / "bare_server.py"), str(port)], port):
            results["bare"] = run_wrk(wrk, "bare aiohttp handler", port, order_lua,
                                      args.duration, args.connections)

        print("loyapro-mock order webhook", file=sys.stderr)
        port = free_port()
        db = tmpdir / "bench.db"
        serve = [sys.executable, "-m", "loyapro_mock", "serve", "--port", str(port), "--db", str(db)]
        with pinned_server(serve, port):
            results["order"] = run_wrk(wrk, "loyapro-mock order (full pipeline)", port, order_lua,
                                       args.duration, args.connections)

        if prism is not None:
            print("Prism 5 mocking loyapro-pos.yaml", file=sys.stderr)
            port = free_port()
            cmd = [str(prism), "mock", "-p", str(port), "-h", "127.0.0.1", "--errors", "false",
                   str(ROOT / "openapi" / "loyapro-pos.yaml")]
            with pinned_server(cmd, port):
                results["prism"] = run_wrk(wrk, "Prism 5 order", port, order_lua,
                                           args.duration, args.connections)

    report(results, args)


def report(results: dict[str, Result], args: argparse.Namespace) -> None:
    lines = ["| server | req/s | p50 ms | p99 ms | non-2xx |", "|---|---:|---:|---:|---:|"]
    lines += [r.row() for r in results.values()]
    order, bare, prism = results.get("order"), results.get("bare"), results.get("prism")
    ratios = []
    if order and bare:
        ratios.append(f"order / bare aiohttp ceiling = {order.rps / bare.rps:.0%} (target >= 30%)")
    if order and prism:
        ratios.append(f"order / Prism = {order.rps / prism.rps:.1f}x (target >= 7x)")
    if order:
        ratios.append(f"order: {order.rps:,.0f} req/s (target >= 6,000), "
                      f"p99 {order.p99_ms:.2f} ms (target <= 10 ms)")
    text = "\n".join(lines + [""] + [f"- {r}" for r in ratios])
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
