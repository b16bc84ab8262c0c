"""Throughput of 1, 2 and 4 mock instances on one PostgreSQL, beside one on SQLite, behind nginx.

Every configuration runs behind nginx (from Debian's packages, installed when missing) on
loopback, with wrk (likewise) sending to nginx, in one run:

- ``sqlite x1``: one ``serve --db FILE`` instance;
- ``postgres xN`` for N in 1, 2, 4: N ``serve --db postgresql://...`` instances on N ports,
  one database, nginx balancing over them (round robin, keep-alive upstream connections).

PostgreSQL is a throwaway cluster started from the local binaries with its defaults (fsync
and synchronous commit on: every group commit waits for the WAL's fsync). Each configuration
gets a fresh database seeded with the demo state and enough fresh reward codes. Measured per
configuration: the order webhook (a new order id each request) and redeem (a fresh code each
request). Nothing is pinned: nginx, wrk, PostgreSQL and the instances share the machine's
cores, as they would on one host.

Also measured, for docs/BENCHMARKS.md: the disk used per order (database size after the
order run divided by the orders stored), with the journal and after the journal was pruned
(what ``--journal-max`` / ``--journal-retention`` keep it to), extrapolated to 1,000,000
orders.

    python bench/instances_bench.py [--duration 10] [--connections 32] [--instances 1 2 4]
                                    [--markdown FILE] [--json FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from bench_state import prepare_db
from http_bench import machine, mock_token, scripts
from loadgen import Result, cpu_seconds, ensure_wrk, free_port, run_wrk, stop, wait_listening, write_report

from loyapro_mock.mockserver.store import open_store

from support.postgres import Cluster, find_bindir

CODES_PER_THREAD = 40_000


@dataclass
class Config:
    """One configuration: a backend and how many instances."""

    name: str
    backend: str  # "sqlite" | "postgres"
    instances: int


def ensure_nginx() -> str:
    """nginx, installed from Debian's packages if missing."""
    found = shutil.which("nginx") or (Path("/usr/sbin/nginx").exists() and "/usr/sbin/nginx")
    if found:
        return str(found)
    print("installing nginx from Debian's packages...", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for step in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "nginx-light"]):
        subprocess.run(step, check=True, stdout=subprocess.DEVNULL, env=env)
    return shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_conf(folder: Path, port: int, upstreams: list[int]) -> Path:
    servers = "\n".join(f"    server 127.0.0.1:{p};" for p in upstreams)
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  upstream mock {{
{servers}
    keepalive 128;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}
}}
"""
    )
    return conf


@contextlib.contextmanager
def deployment(nginx: str, db: str, instances: int, folder: Path) -> Iterator[tuple[int, list[int]]]:
    """``instances`` serve processes on ``db`` behind nginx; yields (nginx's port, the
    instances' pids)."""
    procs: list[subprocess.Popen[bytes]] = []
    ports = [free_port() for _ in range(instances)]
    try:
        for port in ports:
            cmd = [sys.executable, "-m", "loyapro_mock", "serve", "--port", str(port), "--db", db, "--quiet"]
            procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            wait_listening(port, procs[-1])  # one after the other: the first loads the demo state
        front = free_port()
        conf = nginx_conf(folder, front, ports)
        proxy = subprocess.Popen(
            [nginx, "-c", str(conf), "-p", str(folder), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        procs.append(proxy)
        wait_listening(front, proxy)
        time.sleep(1.0)
        yield front, [p.pid for p in procs[:-1]]
    finally:
        for proc in reversed(procs):
            stop(proc)


def _size(db: str) -> int:
    """Bytes the database takes on disk (a SQLite file with its WAL; a PostgreSQL database)."""
    if db.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(db) as conn:
            found = conn.execute("SELECT pg_database_size(current_database())").fetchone()
            return int(found[0]) if found else 0
    return sum(Path(db + suffix).stat().st_size for suffix in ("", "-wal") if Path(db + suffix).exists())


def _orders(db: str) -> int:
    store = open_store(db)
    try:
        with store.snapshot() as tx:
            return len(tx.list_orders())
    finally:
        store.close()


def disk_per_order(db: str, baseline: int) -> dict[str, float]:
    """Bytes per stored order, with its journal entry and once the journal was pruned
    (``baseline``: the database's size before the orders)."""
    orders = _orders(db)
    checkpoint(db)
    with_journal = _size(db) - baseline
    store = open_store(db)
    try:
        store.prune_requests(keep=0)
    finally:
        store.close()
    checkpoint(db, vacuum=True)
    without = _size(db) - baseline
    return {
        "orders": orders,
        "bytes_with_journal": with_journal,
        "bytes_without_journal": without,
        "per_order_with_journal": with_journal / max(orders, 1),
        "per_order_without_journal": without / max(orders, 1),
    }


def checkpoint(db: str, *, vacuum: bool = False) -> None:
    """Fold SQLite's WAL into the file (and VACUUM); VACUUM FULL a PostgreSQL database."""
    if db.startswith("postgresql://"):
        import psycopg

        if vacuum:
            with psycopg.connect(db, autocommit=True) as conn:
                conn.execute("VACUUM FULL")
        return
    import sqlite3

    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if vacuum:
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--markdown", type=Path, help="also write the results table here")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()

    wrk = ensure_wrk()
    nginx = ensure_nginx()
    bindir = find_bindir()
    if bindir is None:
        sys.exit("PostgreSQL's server binaries are needed: apt-get install -y postgresql")
    info = machine()
    configs = [Config("sqlite x1", "sqlite", 1)] + [
        Config(f"postgres x{n}", "postgres", n) for n in args.instances
    ]
    results: dict[str, dict[str, Result]] = {}
    disk: dict[str, dict[str, float]] = {}
    database_cpu: dict[str, dict[str, float]] = {}
    cluster = Cluster.start(bindir, durable=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tmpdir = Path(tmp)
            lua = scripts(tmpdir, mock_token())
            for config in configs:
                label = config.name.replace(" ", "_")
                folder = tmpdir / label
                folder.mkdir()
                db = str(folder / "state.db") if config.backend == "sqlite" else cluster.create(label)
                print(f"{config.name}: preparing the database...", file=sys.stderr)
                # redeem_1 makes codes RA<tid><n>: wrk's 2 threads, fresh per configuration.
                prepare_db(db, {f"RA{t}": CODES_PER_THREAD for t in (1, 2)})
                results[config.name] = {}
                database_cpu[config.name] = {}
                with deployment(nginx, db, config.instances, folder) as (port, pids):
                    for kind, script in (("order", lua["order"]), ("redeem", lua["redeem_1"])):
                        name = f"{kind}, {config.name}"
                        print(name, file=sys.stderr)
                        mock_cpu = sum(cpu_seconds(pid) for pid in pids)
                        pg_pid = cluster.server_pid if config.backend == "postgres" else None
                        pg_cpu = cpu_seconds(pg_pid) if pg_pid else 0.0
                        result = run_wrk(
                            wrk, name, port, script, args.duration, args.connections, server_pid=None
                        )
                        requests = max(result.requests, 1)
                        result.cpu_us = (sum(cpu_seconds(pid) for pid in pids) - mock_cpu) / requests * 1e6
                        pg_us = (cpu_seconds(pg_pid) - pg_cpu) / requests * 1e6 if pg_pid else 0.0
                        results[config.name][kind] = result
                        database_cpu[config.name][kind] = pg_us
            for backend in ("sqlite", "postgres"):  # disk per order: orders only, one instance
                name = f"{backend} x1"
                folder = tmpdir / f"disk_{backend}"
                folder.mkdir()
                db = str(folder / "state.db") if backend == "sqlite" else cluster.create("disk")
                prepare_db(db, {})
                checkpoint(db, vacuum=True)
                baseline = _size(db)
                with deployment(nginx, db, 1, folder) as (port, _pids):
                    print(f"orders for the disk, {name}", file=sys.stderr)
                    run_wrk(wrk, f"disk, {name}", port, lua["order"], args.duration, args.connections)
                disk[name] = disk_per_order(db, baseline)
    finally:
        cluster.stop()
    info["load_after"] = os.getloadavg()
    report(results, database_cpu, disk, info, args)


def report(
    results: dict[str, dict[str, Result]],
    database_cpu: dict[str, dict[str, float]],
    disk: dict[str, dict[str, float]],
    info: dict[str, Any],
    args: argparse.Namespace,
) -> None:
    load = ", ".join(f"{x:.2f}" for x in info["load"])
    lines = [
        f"Machine: {info['nproc']} cores, {info['cpu']}, Python {info['python']}, "
        f"aiohttp {info['aiohttp']}, {info['loop']}; load average before: {load}.",
        f"wrk: 2 threads, {args.connections} connections, {args.duration} s per run, through nginx "
        "(1 worker, keep-alive upstreams) on loopback; nothing pinned.",
        "",
        "| configuration | order req/s | order p50 ms | order p99 ms | redeem req/s | redeem p50 ms "
        "| redeem p99 ms | errors | CPU µs/order: mock + PostgreSQL | CPU µs/redeem: mock + PostgreSQL |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, by_kind in results.items():
        order, redeem = by_kind["order"], by_kind["redeem"]
        db_cpu = database_cpu.get(name, {})
        lines.append(
            f"| {name} | {order.rps:,.0f} | {order.p50_ms:.2f} | {order.p99_ms:.2f} | {redeem.rps:,.0f} "
            f"| {redeem.p50_ms:.2f} | {redeem.p99_ms:.2f} | {order.errors + redeem.errors} "
            f"| {order.cpu_us:,.0f} + {db_cpu.get('order', 0.0):,.0f} "
            f"| {redeem.cpu_us:,.0f} + {db_cpu.get('redeem', 0.0):,.0f} |"
        )
    base = results.get("postgres x1")
    if base:
        lines += ["", "| scaling (PostgreSQL, vs 1 instance) | order | redeem |", "|---|---:|---:|"]
        for name, by_kind in results.items():
            if name.startswith("postgres"):
                lines.append(
                    f"| {name} | {by_kind['order'].rps / base['order'].rps:.2f}x "
                    f"| {by_kind['redeem'].rps / base['redeem'].rps:.2f}x |"
                )
        sqlite = results.get("sqlite x1")
        if sqlite:
            lines.append(
                f"| sqlite x1 (for comparison) | {sqlite['order'].rps / base['order'].rps:.2f}x "
                f"| {sqlite['redeem'].rps / base['redeem'].rps:.2f}x |"
            )
    lines += [
        "",
        "| disk (orders only) | orders stored | bytes/order with journal | bytes/order journal pruned "
        "| 1,000,000 orders with journal | 1,000,000 orders journal pruned |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, found in disk.items():
        lines.append(
            f"| {name} | {found['orders']:,.0f} | {found['per_order_with_journal']:,.0f} "
            f"| {found['per_order_without_journal']:,.0f} "
            f"| {found['per_order_with_journal'] * 1e6 / 2**30:.1f} GiB "
            f"| {found['per_order_without_journal'] * 1e6 / 2**30:.1f} GiB |"
        )
    text = "\n".join(lines)
    write_report(
        text,
        {
            "machine": info,
            "results": {c: {k: r.as_dict() for k, r in v.items()} for c, v in results.items()},
            "database_cpu_us": database_cpu,
            "disk": disk,
        },
        args.markdown,
        args.json,
    )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
