"""A failing database is the store's `StoreError`, answered 503 ``store_unavailable``; a
``--db`` the mock cannot use is refused at start."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient

from loyapro_mock.mockserver.domain.records import StoreTx
from loyapro_mock.mockserver.http.keys import STORE
from loyapro_mock.mockserver.http.settings import Settings, SettingsError
from loyapro_mock.mockserver.store import StoreError, check_db, describe_db, open_store
from loyapro_mock.mockserver.store.sqlite import SqliteStore

from support.payloads import DEMO_CODES, lookup_body
from support.webhooks import ORDER_URL, REWARD_URL, auth_headers


@contextmanager
def _failing() -> Iterator[StoreTx]:
    raise StoreError("disk I/O error")
    yield  # pragma: no cover


async def test_a_failing_store_answers_503_store_unavailable(
    client: TestClient[Any, Any], token: str, docs_order: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client.app[STORE], "transaction", _failing)
    monkeypatch.setattr(client.app[STORE], "snapshot", _failing)
    order = await client.post(ORDER_URL, data=orjson.dumps(docs_order), headers=auth_headers(token))
    lookup = await client.post(
        REWARD_URL, data=orjson.dumps(lookup_body(DEMO_CODES["fixed_amount"])), headers=auth_headers(token)
    )
    for response in (order, lookup):
        assert response.status == 503
        assert response.content_type == "application/problem+json"
        assert response.headers["Retry-After"] == "1"
        body = await response.json()
        assert body["code"] == "store_unavailable"
        assert "disk I/O error" in body["detail"]
        assert "nothing of it was applied" in body["detail"]


def test_sqlite_errors_leave_the_backend_as_store_errors(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as raised:
        SqliteStore(tmp_path / "no-such-folder" / "state.db")
    assert isinstance(raised.value.__cause__, sqlite3.Error | OSError)
    assert "no-such-folder" in str(raised.value)
    store = SqliteStore(":memory:")
    with pytest.raises(StoreError) as raised, store.transaction() as tx:
        tx.execute("INSERT INTO no_such_table VALUES (1)")  # type: ignore[attr-defined]
    assert "no_such_table" in str(raised.value)
    store.close()
    with pytest.raises(StoreError, match="closed"), store.snapshot():
        pass


def test_open_store_opens_sqlite_for_a_path_or_memory(tmp_path: Path) -> None:
    for db in (":memory:", str(tmp_path / "state.db")):
        store = open_store(db)
        try:
            with store.transaction() as tx:
                tx.set_meta("k", "v")
            with store.snapshot() as tx:
                assert tx.get_meta("k") == "v"
        finally:
            store.close()


@pytest.mark.parametrize("db", ["mysql://x/y", "sqlite:///state.db", "postgresq://mock@127.0.0.1/loyapro"])
def test_a_db_url_the_mock_cannot_use_is_refused_with_the_reason(db: str) -> None:
    with pytest.raises(ValueError, match="not a database this mock can use") as raised:
        check_db(db)
    assert db.split("://")[0] + "://" in str(raised.value)
    assert "postgresql://user:password@host:5432/dbname" in str(raised.value)
    with pytest.raises(SettingsError, match="give a file path"):
        Settings.resolve(env={}, db=db)
    with pytest.raises(SettingsError, match="not a database this mock can use"):
        Settings.resolve(env={"LOYAPRO_MOCK_DB": db})


@pytest.mark.parametrize(
    "db", ["postgresql://mock@127.0.0.1/loyapro", "postgres://h/db", "POSTGRESQL://h/db"]
)
def test_a_postgresql_url_is_accepted_by_the_settings(db: str) -> None:
    check_db(db)
    assert Settings.resolve(env={"LOYAPRO_MOCK_DB": db}).db == db


def test_an_unreachable_postgresql_is_refused_at_open_with_the_reason_and_no_password() -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql://mock:s3cret@127.0.0.1:{port}/loyapro"
    with pytest.raises(StoreError) as raised:
        open_store(url)
    message = str(raised.value)
    assert message.startswith(
        f"cannot connect to PostgreSQL at postgresql://mock:***@127.0.0.1:{port}/loyapro: "
    )
    assert "refused" in message
    assert "s3cret" not in message
    assert describe_db(url) == f"postgresql://mock:***@127.0.0.1:{port}/loyapro"


@pytest.mark.postgres
def test_a_missing_postgresql_database_is_refused_with_the_servers_reason(postgres_url: str) -> None:
    missing = postgres_url + "_nope"
    with pytest.raises(StoreError, match=r'database "\w+_nope" does not exist'):
        open_store(missing)
    with pytest.raises(StoreError, match="cannot connect to PostgreSQL"):
        open_store(postgres_url.replace("postgres@", "nobody@"))
