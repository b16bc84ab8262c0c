"""Databases the HTTP benchmark serves: the demo state plus many reward codes, made fast.

One code is issued through `issue_reward` (the real path, for the row's
shape); the rest are copies under other codes, inserted with `StoreTx.add_rewards` in one
transaction per 100,000 (an ``executemany``). A million codes take seconds, not hours.

Codes are ``<prefix><number>`` with the number zero-padded to 7 digits, so a wrk script can
make any of them: ``string.format("%s%07d", prefix, n)``.

    python bench/bench_state.py DB --codes LKP:1000 [--codes R1:60000 ...]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from typing import Any

from loyapro_mock.mockserver.domain.programs import ProgramsConfig
from loyapro_mock.mockserver.domain.usecases import LoyaPro, issue_reward
from loyapro_mock.mockserver.domain.usecases.demo_state import DEMO_BUSINESS, DEMO_CUSTOMERS, seed_demo
from loyapro_mock.mockserver.store import open_store

__all__ = ["BATCH", "code_for", "prepare_db"]

BATCH = 100_000
REFERENCE = DEMO_BUSINESS["reference"]


def code_for(prefix: str, number: int) -> str:
    """The code a wrk script makes with ``string.format("%s%07d", prefix, number)``."""
    return f"{prefix}{number:07d}"


def _copies(template: dict[str, Any], prefix: str, first: int, last: int) -> Iterator[dict[str, Any]]:
    for number in range(first, last + 1):
        yield {**template, "code": code_for(prefix, number)}


def prepare_db(path: str, codes: dict[str, int], *, discount: float = 10.0) -> int:
    """Seed the demo state into ``path`` (a SQLite file or a PostgreSQL URL) and add
    ``count`` fixed-amount codes per prefix, numbered 1..count, all held by the docs'
    customer. Returns how many codes were added."""
    added = 0
    store = open_store(path)
    try:
        service = LoyaPro(store, ProgramsConfig(), seeder=seed_demo)
        seed_demo(service)
        dial, mobile, _ = DEMO_CUSTOMERS[0]
        for prefix, count in codes.items():
            if count <= 0:
                continue
            issue_reward(
                service,
                REFERENCE,
                "fixed_amount",
                mobile,
                dial_code=dial,
                code=code_for(prefix, 1),
                discount_amount=discount,
                program="bench",
            )
            with store.snapshot() as tx:
                template = tx.get_reward(code_for(prefix, 1))
            assert template is not None
            added += 1
            for first in range(2, count + 1, BATCH):
                last = min(first + BATCH - 1, count)
                with store.transaction() as tx:
                    added += tx.add_rewards(_copies(template, prefix, first, last))
    finally:
        store.close()
    return added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("--codes", action="append", default=[], metavar="PREFIX:COUNT")
    args = parser.parse_args()
    codes = {p: int(n) for p, _, n in (item.partition(":") for item in args.codes)}
    started = time.perf_counter()
    added = prepare_db(args.db, codes)
    print(f"{added:,} codes in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
