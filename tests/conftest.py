"""Fixtures every test area shares: the docs' order, a POS token and every store backend."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from loyapro_mock.mockserver.http.pipeline.auth import issue_token
from loyapro_mock.mockserver.http.settings import DEFAULT_SECRET
from loyapro_mock.mockserver.store.protocol import Store

from support import payloads
from support.postgres import ENABLE_HINT, REQUIRE_ENV, SERVER_ENV, Cluster, find_bindir
from support.stores import BACKENDS, SHARED, Backend, SharedStores


@pytest.fixture
def docs_order() -> dict[str, Any]:
    """A fresh copy of the order example LoyaPro publishes (safe to mutate)."""
    return payloads.docs_order()


@pytest.fixture
def token() -> str:
    """A signed token for POS foodics, as `loyapro-mock token foodics` prints it."""
    return issue_token(DEFAULT_SECRET, "foodics")


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """A PostgreSQL server for the session: started from the local binaries (or the one
    LOYAPRO_MOCK_TEST_POSTGRES names). Without one the PostgreSQL tests skip, saying how to
    enable them, or fail when LOYAPRO_MOCK_REQUIRE_POSTGRES=1 (as in CI)."""
    if os.environ.get(SERVER_ENV):
        yield Cluster(os.environ[SERVER_ENV])
        return
    bindir = find_bindir()
    if bindir is None:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but no PostgreSQL was found. {ENABLE_HINT}", pytrace=False)
        pytest.skip(ENABLE_HINT)
    cluster = Cluster.start(bindir)
    yield cluster
    cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> Iterator[str]:
    """The URL of a fresh, empty database, dropped after the test."""
    url = postgres_cluster.create()
    yield url
    postgres_cluster.drop(url)


def _location(backend: Backend, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend.kind == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return str(tmp_path / "state.db") if backend.kind == "file" else ":memory:"


def _params(names: Iterator[str] | tuple[str, ...] | list[str]) -> list[object]:
    return [pytest.param(n, marks=[pytest.mark.postgres] if n == "postgres" else []) for n in names]


@pytest.fixture(params=_params(sorted(BACKENDS)))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each store backend in turn, closed after the test."""
    backend = BACKENDS[request.param]
    opened = backend.open(_location(backend, request, tmp_path))
    yield opened
    opened.close()


@pytest.fixture(params=_params(SHARED))
def shared_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SharedStores]:
    """Each backend several stores can share (a SQLite file, a PostgreSQL database): a
    callable opening one more store on the same state (all closed after the test)."""
    backend = BACKENDS[request.param]
    stores = SharedStores(backend, _location(backend, request, tmp_path))
    yield stores
    for one in stores.opened:
        one.close()
