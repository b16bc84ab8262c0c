"""Fixtures for end-to-end tests of the mock over HTTP (aiohttp's test client)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from loyapro_mock.mockserver.http.app import create_app
from loyapro_mock.mockserver.http.settings import Settings
from loyapro_mock.mockserver.store.sqlite.store import SqliteStore

from .support import ClientFactory


@pytest.fixture
def make_client(aiohttp_client: Any) -> ClientFactory:
    """Start the mock with an in-memory store and the given settings overrides."""

    async def make(**overrides: Any) -> TestClient[Any, Any]:
        settings = Settings(**{"db": ":memory:", **overrides})
        return await aiohttp_client(create_app(settings))

    return make


@pytest.fixture
async def client(make_client: ClientFactory) -> TestClient[Any, Any]:
    """The mock in its default (strict, demo) configuration."""
    return await make_client()


@pytest.fixture
def file_store(tmp_path: Path) -> Iterator[SqliteStore]:
    """A SQLite store on a file (other connections can open it too), closed after the test."""
    backend = SqliteStore(tmp_path / "state.db")
    yield backend
    backend.close()
