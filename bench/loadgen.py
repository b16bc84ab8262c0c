"""The load side of the HTTP benchmark: wrk, its Lua scripts, pinned servers, results.

Servers run pinned to core 0 (``taskset``) and wrk to core 1, so neither steals the other's
CPU. wrk is installed from Debian's packages and Prism 5 from npm when missing.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PRISM_DIR = ROOT / "bench" / ".prism"
SERVER_CORES, LOAD_CORE = "0", "1"

__all__ = [
    "LOAD_CORE",
    "ROOT",
    "SERVER_CORES",
    "Result",
    "cpu_seconds",
    "ensure_prism",
    "ensure_wrk",
    "free_port",
    "median_result",
    "pinned_server",
    "run_wrk",
    "write_lua",
]


@dataclass
class Result:
    """One wrk measurement."""

    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx answers plus socket errors
    cpu_us: float = float("nan")  # server CPU time (all its processes) per request

    def row(self) -> str:
        """This result as a Markdown table row."""
        return (
            f"| {self.name} | {self.rps:,.0f} | {self.p50_ms:.2f} | {self.p99_ms:.2f} "
            f"| {self.cpu_us:,.0f} | {self.errors} |"
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def ensure_wrk() -> str:
    """The wrk binary, installed from Debian's packages if missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk from Debian's packages...", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, stdout=subprocess.DEVNULL)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-qq"], check=False, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def ensure_prism() -> Path:
    """Prism 5's CLI, installed from npm into bench/.prism if missing."""
    prism = PRISM_DIR / "node_modules" / ".bin" / "prism"
    if not prism.exists():
        print("installing @stoplight/prism-cli@5 from npm...", file=sys.stderr)
        PRISM_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(PRISM_DIR),
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "@stoplight/prism-cli@5",
            ],
            check=True,
        )
    return prism


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    """Wait until something listens on 127.0.0.1:``port``; fails if ``proc`` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on port {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on port {port} after {timeout:.0f}s")


def write_report(text: str, results: dict[str, Any], markdown: Path | None, json_path: Path | None) -> None:
    """Print the Markdown report ``text``; write it to ``markdown`` and ``results`` as JSON to
    ``json_path`` when given."""
    print(text)
    if markdown:
        markdown.write_text(text + "\n")
    if json_path:
        json_path.write_text(json.dumps(results, indent=2) + "\n")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM ``proc``; SIGKILL it if it has not ended 20 s later."""
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def pinned_server(
    cmd: Sequence[str], port: int, cores: str = SERVER_CORES, *, settle: float = 1.0
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``cmd`` pinned to ``cores`` until the block ends (then SIGTERM, then SIGKILL)."""
    proc = subprocess.Popen(
        ["taskset", "-c", cores, *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_listening(port, proc)
        time.sleep(settle)  # let every worker finish starting
        yield proc
    finally:
        stop(proc)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and all its descendants so far (Linux /proc)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(child) for child in children)
        except (OSError, IndexError, ValueError):
            continue
    return total


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def write_lua(
    directory: Path, name: str, path: str, token: str, body: str, unique: dict[str, str] | None = None
) -> Path:
    """A wrk script posting ``body`` to ``path``.

    ``unique`` maps a placeholder in the body to a Lua expression evaluated for each
    request; it may use ``tid`` (1..threads) and ``counter`` (1, 2, ... per thread).
    """
    headers = (
        'wrk.headers["Content-Type"] = "application/json"\n'
        'wrk.headers["Accept"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    )
    lines = [f'wrk.method = "POST"\nwrk.path = "{path}"\n{headers}', f"local body = {_lua_string(body)}"]
    if unique:
        lines.append(
            "local counter = 0\nlocal threads = 0\ntid = 0\n"
            "function setup(thread)\n  threads = threads + 1\n  thread:set('tid', threads)\nend\n"
            "function init(args)\n  math.randomseed(tid * 7919)\nend\n"
            "function request()\n  counter = counter + 1\n  local b = body"
        )
        for placeholder, expression in unique.items():
            lines.append(f'  b = b:gsub("{placeholder}", {expression})')
        lines.append(f'  return wrk.format(nil, "{path}", nil, b)\nend')
    else:
        lines.append("wrk.body = body")
    script = directory / f"{name}.lua"
    script.write_text("\n".join(lines) + "\n")
    return script


_LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_SCALE = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(
    wrk: str,
    name: str,
    port: int,
    script: Path,
    duration: int,
    connections: int,
    server_pid: int | None = None,
) -> Result:
    """Run wrk (2 threads, pinned to the load core) and parse its summary.

    With ``server_pid``, also the server's CPU time per request: unlike req/s, it does not
    drop when other programs take CPU time from the server's core.
    """
    cpu_before = cpu_seconds(server_pid) if server_pid else 0.0
    out = subprocess.run(
        [
            "taskset",
            "-c",
            LOAD_CORE,
            wrk,
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    latencies = {p: float(v) * _SCALE[u] for p, v, u in _LATENCY.findall(out)}
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(n) for n in sockets.groups()) if sockets else 0
    )
    cpu_us = (cpu_seconds(server_pid) - cpu_before) / max(total, 1) * 1e6 if server_pid else float("nan")
    result = Result(
        name, rps, latencies.get("50", float("nan")), latencies.get("99", float("nan")), total, errors, cpu_us
    )
    print(
        f"  {name}: {rps:,.0f} req/s, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms, "
        f"{cpu_us:,.0f} us CPU/request" + (f", {errors} errors" if errors else ""),
        file=sys.stderr,
    )
    return result


def median_result(results: list[Result], by: str = "rps") -> Result:
    """The run with the median throughput, or ``by="p99_ms"`` the median p99 (its own
    numbers, not a mix of runs)."""
    ranked = sorted(results, key=lambda r: float(getattr(r, by)))
    middle = ranked[(len(ranked) - 1) // 2]
    if len(results) > 1:
        values = [float(getattr(r, by)) for r in results]
        spread = statistics.pstdev(values) / max(float(getattr(middle, by)), 1e-9)
        print(
            f"  -> median of {len(results)} by {by}: {float(getattr(middle, by)):,.2f} (spread {spread:.0%})",
            file=sys.stderr,
        )
    return middle
