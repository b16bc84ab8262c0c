"""A throwaway PostgreSQL cluster for the tests, started from the local binaries.

The store tests run against PostgreSQL too (see ``support.stores``). The cluster is made in
a temporary folder by ``initdb`` and started by ``pg_ctl`` on a free loopback port, with
durability off (it is thrown away); each test gets a fresh database of it. PostgreSQL
refuses to run as root, so as root (CI) the binaries run as the ``postgres`` user that
Debian's package creates.

Where the binaries are: ``LOYAPRO_MOCK_PG_BINDIR`` (that folder only), else ``pg_config --bindir``, else the
newest ``/usr/lib/postgresql/*/bin``, else the folder of ``pg_ctl`` on the PATH. Instead,
``LOYAPRO_MOCK_TEST_POSTGRES=postgresql://user@host:port/`` names a server to use as it is
(the tests create and drop their databases on it).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

__all__ = ["ENABLE_HINT", "REQUIRE_ENV", "Cluster", "find_bindir"]

#: Set to 1 (as .ci/run does) to make a missing PostgreSQL fail the tests instead of skipping them.
REQUIRE_ENV = "LOYAPRO_MOCK_REQUIRE_POSTGRES"
SERVER_ENV = "LOYAPRO_MOCK_TEST_POSTGRES"
BINDIR_ENV = "LOYAPRO_MOCK_PG_BINDIR"

ENABLE_HINT = (
    "PostgreSQL tests need the PostgreSQL server binaries (initdb, pg_ctl): install them "
    "(Debian: apt-get install -y postgresql), or set LOYAPRO_MOCK_PG_BINDIR to their folder, "
    "or LOYAPRO_MOCK_TEST_POSTGRES=postgresql://user@host:port/ to use a running server"
)


def find_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, or None."""
    candidates: list[Path] = []
    if os.environ.get(BINDIR_ENV):  # that folder only
        folder = Path(os.environ[BINDIR_ENV])
        return folder if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file() else None
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10)
            candidates.append(Path(out.stdout.strip()))
    candidates.extend(
        sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
        if Path("/usr/lib/postgresql").is_dir()
        else []
    )
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        candidates.append(Path(pg_ctl).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """A PostgreSQL server for the tests: ``url(name)`` of a database, ``create(name)``."""

    def __init__(self, base_url: str, *, folder: Path | None = None, bindir: Path | None = None) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self._folder = folder
        self._bindir = bindir
        self._names = itertools.count(1)

    @classmethod
    def start(cls, bindir: Path, *, durable: bool = False) -> Cluster:
        """initdb and start a cluster in a new temporary folder; ``durable`` keeps
        PostgreSQL's default fsync and synchronous commit (a benchmark's), else they are
        off (tests)."""
        folder = Path(tempfile.mkdtemp(prefix="loyapro-pg-"))
        data = folder / "data"
        run_as: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses root: run it as Debian's postgres user
            user = pwd.getpwnam("postgres")
            os.chown(folder, user.pw_uid, user.pw_gid)
            run_as = ["runuser", "-u", "postgres", "--"]
        port = _free_port()
        log = folder / "server.log"
        subprocess.run(
            [*run_as, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
             "-E", "UTF8", "--locale=C", "--no-sync"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=300"
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        return cls(f"postgresql://postgres@127.0.0.1:{port}/", folder=folder, bindir=bindir)

    @property
    def server_pid(self) -> int | None:
        """The pid of the server this object started (its postmaster), or None."""
        if self._folder is None:
            return None
        pid_file = self._folder / "data" / "postmaster.pid"
        return int(pid_file.read_text().split()[0]) if pid_file.exists() else None

    def url(self, name: str) -> str:
        """The URL of database ``name`` on this server."""
        return self.base_url + name

    def create(self, prefix: str = "t") -> str:
        """Create an empty database; its URL."""
        import psycopg

        name = f"loyapro_{prefix}_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop(self, url: str) -> None:
        """Drop the database of ``url`` (closing its other connections)."""
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server this object started and remove its folder."""
        if self._folder is None or self._bindir is None:
            return
        run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        data = str(self._folder / "data")
        subprocess.run(
            [*run_as, str(self._bindir / "pg_ctl"), "-D", data, "-m", "immediate", "stop"],
            capture_output=True, timeout=60, check=False,
        )  # fmt: skip
        shutil.rmtree(self._folder, ignore_errors=True)
