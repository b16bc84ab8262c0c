"""Real `loyapro-mock serve` processes for the hardening and browser tests: start, read the port, stop."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

_BASE_URL = re.compile(r"base URL\s+(http://\S+?)/pos/1\.0\.0/")
STARTUP_SECONDS = 60.0
#: The ``loyapro-mock`` command installed beside this interpreter.
CLI = Path(sys.executable).with_name("loyapro-mock")


@dataclass
class ServerProcess:
    """A `loyapro-mock serve` in its own process group (its workers included)."""

    proc: subprocess.Popen[str]
    base_url: str
    output: list[str] = field(default_factory=list)

    def kill(self) -> None:
        """``kill -9`` the server and every worker it started."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), killing after a grace period."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
            except ProcessLookupError:
                pass

    def worker_pids(self) -> list[int]:
        """The pids of the worker processes (children of the server process)."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def start_server(db: Path, *, workers: int = 1, extra: tuple[str, ...] = ()) -> ServerProcess:
    """Start ``loyapro-mock serve`` on a free port and wait until it prints its base URL."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "loyapro_mock",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--db",
            str(db),
            "--workers",
            str(workers),
            "--quiet",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    found: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line)
            match = _BASE_URL.search(line)
            if match and not found:
                found.append(match.group(1))

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not found:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("the server did not start:\n" + "".join(output))
        time.sleep(0.05)
    return ServerProcess(proc, found[0], output)


def start_cli(
    args: list[str], *, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], queue.Queue[str]]:
    """Start the ``loyapro-mock`` command with ``args``; returns the process and a queue that
    receives its output (stdout and stderr) line by line."""
    process = subprocess.Popen(
        [str(CLI), *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    return process, lines


def read_until(
    process: subprocess.Popen[str], lines: queue.Queue[str], marker: str, *, seconds: float
) -> list[str]:
    """The lines ``process`` prints up to and including the first with ``marker`` in it; fails,
    with what it printed, if the process ends or ``seconds`` pass first."""
    printed: list[str] = []
    deadline = time.monotonic() + seconds
    while not any(marker in line for line in printed):
        remaining = deadline - time.monotonic()
        assert remaining > 0 and process.poll() is None, "".join(printed)
        try:
            printed.append(lines.get(timeout=min(remaining, 1.0)))
        except queue.Empty:
            continue
    return printed
