"""The `Store` contract, run against every backend (see support.stores.BACKENDS)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from loyapro_mock.mockserver.store.postgres.schema import SCHEMA_VERSION as PG_SCHEMA_VERSION
from loyapro_mock.mockserver.store.protocol import Store, StoreError
from loyapro_mock.mockserver.store.sqlite.schema import MIGRATIONS as SQLITE_MIGRATIONS
from loyapro_mock.mockserver.store.sqlite.schema import SCHEMA_VERSION as SQLITE_SCHEMA_VERSION
from loyapro_mock.mockserver.store.sqlite.store import SqliteStore

from support.stores import SharedStores

AT = "2023-01-01T15:00:00.000Z"


def _reward(code: str, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "business_reference": "440810",
        "customer_id": None,
        "kind": "fixed_amount",
        "status": "issued",
        "discount_amount": 10.0,
        "is_percent": False,
        "max_discount_amount": None,
        "allowed_products": None,
        "discount_includes_modifiers": False,
        "is_discount_taxable": False,
        "branch_ids": ["b1"],
        "expires_at": None,
        "program": "admin",
        "source_order_id": None,
        "session": None,
        "created_at": AT,
        "updated_at": AT,
        **extra,
    }


def _redemption(code: str, order_id: str) -> dict[str, Any]:
    return {
        "code": code,
        "business_reference": "440810",
        "order_id": order_id,
        "branch_id": "b1",
        "discount_amount": 10.0,
        "product_id": None,
        "user_id": "u",
        "date": "2023-01-01",
        "status": "redeemed",
        "redeemed_at": AT,
        "released_at": None,
    }


def test_business_upsert_keeps_created_at(store: Store) -> None:
    with store.transaction() as tx:
        tx.put_business("440810", "north coffee", "foodics", AT)
        tx.put_business("440810", "north coffee 2", "foodics", "2030-01-01T00:00:00.000Z")
    with store.snapshot() as tx:
        assert tx.get_business("440810") == {
            "reference": "440810",
            "name": "north coffee 2",
            "pos_name": "foodics",
            "created_at": AT,
        }
        assert tx.get_business("1") is None


def test_branches_and_products(store: Store) -> None:
    with store.transaction() as tx:
        tx.put_branch("440810", "b2", "second", None)
        tx.put_branch("440810", "b1", "first", "b06")
        tx.put_product("440810", {"id": "p1", "sku": "s1", "name": "tea", "price": 9.5})
    with store.snapshot() as tx:
        assert [b["id"] for b in tx.list_branches("440810")] == ["b1", "b2"]
        product = tx.get_product("440810", "p1")
        assert product is not None
        assert (product["price"], product["is_active"], product["sku"]) == (9.5, True, "s1")
        assert tx.list_products("other") == []


def test_customers_are_found_by_normalised_mobile(store: Store) -> None:
    with store.transaction() as tx:
        added = tx.add_customer("440810", 966, "557937530", "faisal", "seed", AT)
        tx.add_customer("999", 966, "557937530", None, "order", AT)
        tx.rename_customer(added["id"], "faisal a")
    with store.snapshot() as tx:
        found = tx.find_customer("440810", 966, "557937530")
        assert found is not None and found["id"] == added["id"]
        assert found["name"] == "faisal a"
        assert tx.find_customer("440810", 971, "557937530") is None
        assert [c["business_reference"] for c in tx.customers_by_mobile(966, "557937530")] == [
            "440810",
            "999",
        ]


def test_order_round_trip(store: Store) -> None:
    record = _order("o1", payload={"id": "o1", "nested": [1, {"a": None}]})
    with store.transaction() as tx:
        tx.put_order(record)
        tx.put_order({**record, "status": "Void", "foodics_status": 7})
    with store.snapshot() as tx:
        assert tx.get_order("440810", "o1") == {**record, "status": "Void", "foodics_status": 7}


def _order(order_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "business_reference": "440810",
        "id": order_id,
        "pos_name": "foodics",
        "foodics_status": 4,
        "status": "Paid",
        "state_key": "4|-|",
        "payload_hash": "h",
        "customer_id": None,
        "total_price": 24.0,
        "subtotal_price": 20.86957,
        "lines_total": 24.0,
        "original_order_id": None,
        "loyalty_state": "none",
        "reversed_fraction": 0.0,
        "payload": None,
        "created_at": AT,
        "updated_at": AT,
        **extra,
    }


def test_list_orders_filters_and_orders_by_last_update(store: Store) -> None:
    later = "2023-01-02T00:00:00.000Z"
    with store.transaction() as tx:
        tx.put_order(_order("o2", customer_id=7, updated_at=later))
        tx.put_order(_order("o1", customer_id=8))
        tx.put_order(_order("o3", business_reference="999", pos_name="square"))
    with store.snapshot() as tx:
        assert [o["id"] for o in tx.list_orders()] == ["o1", "o3", "o2"]
        assert [o["id"] for o in tx.list_orders(business_reference="440810")] == ["o1", "o2"]
        assert [o["id"] for o in tx.list_orders(pos_name="square")] == ["o3"]
        assert [o["id"] for o in tx.list_orders(customer_ids=[7, 9])] == ["o2"]
        assert tx.list_orders(customer_ids=[]) == []
        assert [o["id"] for o in tx.list_orders(since=later)] == ["o2"]
        assert [o["id"] for o in tx.list_orders(limit=1)] == ["o1"]
        assert tx.list_orders(business_reference="440810", pos_name="square") == []


def test_list_redemptions_of_an_order_lists_released_ones_too(store: Store) -> None:
    with store.transaction() as tx:
        first = tx.add_redemption(_redemption("C1", "o1"))
        tx.release_redemption(first["id"], AT)
        tx.add_redemption(_redemption("C2", "o1"))
        tx.add_redemption(_redemption("C1", "o2"))
    with store.snapshot() as tx:
        assert [(r["code"], r["status"]) for r in tx.list_redemptions(order_id="o1")] == [
            ("C1", "released"),
            ("C2", "redeemed"),
        ]
        assert tx.list_redemptions(business_reference="999", order_id="o1") == []
        assert [r["order_id"] for r in tx.list_redemptions("C1", business_reference="440810")] == ["o1", "o2"]
        assert len(tx.list_redemptions()) == 3


def test_balance_is_the_sum_of_entries_per_program(store: Store) -> None:
    with store.transaction() as tx:
        for program, amount in (("points", 20), ("points", -5), ("cashback", 1.04)):
            tx.add_entry(
                {
                    "customer_id": 1,
                    "business_reference": "440810",
                    "program": program,
                    "kind": "earn",
                    "amount": amount,
                    "order_id": "o1",
                    "reward_code": None,
                    "note": None,
                    "created_at": AT,
                }
            )
    with store.snapshot() as tx:
        assert tx.balance(1, "points") == 15
        assert tx.balance(1, "cashback") == pytest.approx(1.04)
        assert tx.balance(1, "stamps") == 0
        assert [e["amount"] for e in tx.entries("440810", order_id="o1")] == [20, -5, 1.04]
        assert tx.entries("440810", customer_id=2) == []


def test_reward_codes_are_unique(store: Store) -> None:
    with store.transaction() as tx:
        assert tx.add_reward(_reward("C1")) is True
        assert tx.add_reward(_reward("C1", discount_amount=99.0)) is False
    with store.snapshot() as tx:
        reward = tx.get_reward("C1")
        assert reward is not None
        assert (reward["discount_amount"], reward["branch_ids"]) == (10.0, ["b1"])
        assert tx.get_reward("c1") is None


def test_transition_is_conditional(store: Store) -> None:
    with store.transaction() as tx:
        tx.add_reward(_reward("C1"))
        assert tx.transition_reward("C1", "issued", "redeemed", AT) is True
        assert tx.transition_reward("C1", "issued", "redeemed", AT) is False
        assert tx.transition_reward("nope", "issued", "redeemed", AT) is False
    with store.snapshot() as tx:
        reward = tx.get_reward("C1")
        assert reward is not None and reward["status"] == "redeemed"


def test_redemptions_one_active_per_code_and_release(store: Store) -> None:
    with store.transaction() as tx:
        first = tx.add_redemption(_redemption("C1", "o1"))
        active = tx.active_redemption("C1")
        assert active is not None and active["id"] == first["id"]
        assert [r["id"] for r in tx.order_redemptions("440810", "o1")] == [first["id"]]
        assert tx.release_redemption(first["id"], AT) is True
        assert tx.release_redemption(first["id"], AT) is False
        assert tx.active_redemption("C1") is None
        second = tx.add_redemption(_redemption("C1", "o2"))
    with store.snapshot() as tx:
        assert [(r["order_id"], r["status"]) for r in tx.list_redemptions("C1")] == [
            ("o1", "released"),
            ("o2", "redeemed"),
        ]
        assert second["id"] == first["id"] + 1


def test_a_failed_transaction_writes_nothing(store: Store) -> None:
    with pytest.raises(KeyError), store.transaction() as tx:
        tx.put_business("1", "x", "foodics", AT)
        raise KeyError("boom")
    with store.snapshot() as tx:
        assert tx.get_business("1") is None


def test_snapshot_refuses_writes(store: Store) -> None:
    with pytest.raises(RuntimeError, match="read snapshot"), store.snapshot() as tx:
        tx.set_meta("k", "v")


def test_nested_transactions_join_the_outer_one(store: Store) -> None:
    with pytest.raises(ValueError), store.transaction() as outer:
        outer.set_meta("a", "1")
        with store.transaction() as inner:
            assert inner is outer
            inner.set_meta("b", "2")
        raise ValueError("roll back both")
    with store.snapshot() as tx:
        assert (tx.get_meta("a"), tx.get_meta("b")) == (None, None)


def test_subscriptions_and_meta(store: Store) -> None:
    with store.transaction() as tx:
        tx.add_subscription(
            {
                "customer_id": 7,
                "business_reference": "440810",
                "plan": "p",
                "starts_at": AT,
                "ends_at": "2023-02-01T00:00:00.000Z",
            }
        )
        tx.set_meta("k", "v1")
        tx.set_meta("k", "v2")
    with store.snapshot() as tx:
        assert [s["plan"] for s in tx.subscriptions(7)] == ["p"]
        assert tx.get_meta("k") == "v2"


def _journal(store: Store) -> None:
    for i, (pos, op, verdict) in enumerate(
        [("foodics", "order", "accepted"), ("foodics", "redeem", "rejected"), ("other", "order", "accepted")]
    ):
        store.record_request(
            {
                "received_at": f"2023-01-01T15:00:0{i}Z",
                "pos": pos,
                "operation": op,
                "verdict": verdict,
                "method": "POST",
                "path": f"/pos/1.0.0/{pos}/{op}",
                "status": 200,
                "session": "s1" if i else None,
                "request": {"body": {"n": i}},
                "violations": [],
            }
        )


def test_journal_filters(store: Store) -> None:
    _journal(store)
    assert [e["id"] for e in store.list_requests()] == [1, 2, 3]
    assert [e["id"] for e in store.list_requests(pos="foodics")] == [1, 2]
    assert [e["id"] for e in store.list_requests(operation="order", verdict="accepted")] == [1, 3]
    assert [e["id"] for e in store.list_requests(session="s1")] == [2, 3]
    assert [e["id"] for e in store.list_requests(since="2")] == [2, 3]
    assert [e["id"] for e in store.list_requests(since="2023-01-01T15:00:01+00:00")] == [2, 3]
    assert [e["id"] for e in store.list_requests(limit=1)] == [1]
    entry = store.list_requests(pos="other")[0]
    assert entry["request"] == {"body": {"n": 2}}
    assert entry["received_at"] == "2023-01-01T15:00:02.000Z"


def test_journal_since_must_be_an_instant_or_id(store: Store) -> None:
    with pytest.raises(ValueError):
        store.list_requests(since="yesterday")


def test_reset_forgets_everything(store: Store) -> None:
    _journal(store)
    with store.transaction() as tx:
        tx.put_business("440810", "n", "foodics", AT)
        tx.add_customer("440810", 966, "557937530", None, "seed", AT)
        tx.set_meta("clock_offset_seconds", "60")
    store.reset()
    assert store.list_requests() == []
    with store.transaction() as tx:
        assert tx.list_businesses() == []
        assert tx.get_meta("clock_offset_seconds") is None
        assert tx.add_customer("440810", 966, "1234567", None, "seed", AT)["id"] == 1


def test_state_survives_a_restart(shared_store: SharedStores) -> None:
    first = shared_store()
    with first.transaction() as tx:
        tx.put_business("440810", "north coffee", "foodics", AT)
    first.close()
    with shared_store().snapshot() as tx:
        business = tx.get_business("440810")
        assert business is not None and business["name"] == "north coffee"


def test_two_stores_on_one_database_share_state(shared_store: SharedStores) -> None:
    one, two = shared_store(), shared_store()
    with one.transaction() as tx:
        tx.add_reward(_reward("C1"))
    with two.transaction() as tx:
        assert tx.transition_reward("C1", "issued", "redeemed", AT) is True
    with one.transaction() as tx:
        assert tx.transition_reward("C1", "issued", "redeemed", AT) is False


def test_ids_and_the_journal_are_one_sequence_across_stores(shared_store: SharedStores) -> None:
    one, two = shared_store(), shared_store()
    assert one.record_request({"path": "/a"}) == 1
    assert two.record_request({"path": "/b"}) == 2
    assert one.record_requests([{"path": "/c"}, {"path": "/d"}]) == [3, 4]
    assert [e["path"] for e in two.list_requests(since="3")] == ["/c", "/d"]
    with one.transaction() as tx:
        first = tx.add_customer("440810", 966, "500000001", None, "seed", AT)
    with two.transaction() as tx:
        second = tx.add_customer("440810", 966, "500000002", None, "seed", AT)
    assert (first["id"], second["id"]) == (1, 2)
    two.reset()
    assert one.list_requests() == []
    assert one.record_request({"path": "/e"}) == 1


def test_file_database_runs_in_wal_mode(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "wal.db") as store, store.snapshot() as tx:
        row = tx.row("PRAGMA journal_mode")
        assert row is not None and row["journal_mode"] == "wal"


def test_a_new_database_gets_the_latest_schema_version(store: Store) -> None:
    backend = "postgres" if type(store).__name__ == "PostgresStore" else "sqlite"
    expected = {"postgres": PG_SCHEMA_VERSION, "sqlite": SQLITE_SCHEMA_VERSION}[backend]
    with store.snapshot() as tx:
        assert tx.get_meta("schema_version") == expected
    store.reset()
    with store.snapshot() as tx:
        assert tx.get_meta("schema_version") == expected


def test_a_database_of_a_newer_mock_is_refused(shared_store: SharedStores) -> None:
    first = shared_store()
    with first.transaction() as tx:
        tx.set_meta("schema_version", "999")
    first.close()
    with pytest.raises(StoreError, match=r"schema is version 999, newer than this mock knows \(\d+\)"):
        shared_store()


def test_a_version_1_sqlite_database_is_migrated_keeping_its_balances(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    with sqlite3.connect(path) as conn:  # what a mock of schema version 1 left behind
        for statement in SQLITE_MIGRATIONS[0].statements:
            assert isinstance(statement, str)
            conn.execute(statement)
        conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
        for amount in (10.5, 2.25, -3.0):
            conn.execute(
                "INSERT INTO ledger (customer_id, business_reference, program, kind, amount, created_at)"
                " VALUES (7, '440810', 'points', 'earn', ?, ?)",
                (amount, AT),
            )
    conn.close()
    with SqliteStore(path) as store, store.snapshot() as tx:
        assert tx.get_meta("schema_version") == SQLITE_SCHEMA_VERSION
        assert tx.balance(7, "points") == 9.75
        assert len(tx.entries("440810", customer_id=7)) == 3
