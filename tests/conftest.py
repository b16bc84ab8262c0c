"""Fixtures every test area shares: the docs' order, a POS token and every store backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from loyapro_mock.mockserver.http.pipeline.auth import issue_token
from loyapro_mock.mockserver.http.settings import DEFAULT_SECRET
from loyapro_mock.mockserver.store.sqlite.store import SqliteStore

from support import payloads
from support.stores import BACKENDS


@pytest.fixture
def docs_order() -> dict[str, Any]:
    """A fresh copy of the order example LoyaPro publishes (safe to mutate)."""
    return payloads.docs_order()


@pytest.fixture
def token() -> str:
    """A signed token for POS foodics, as `loyapro-mock token foodics` prints it."""
    return issue_token(DEFAULT_SECRET, "foodics")


@pytest.fixture(params=sorted(BACKENDS))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqliteStore]:
    """Each store backend in turn, closed after the test."""
    backend = BACKENDS[request.param](tmp_path)
    yield backend
    backend.close()
