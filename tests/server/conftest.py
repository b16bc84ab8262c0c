"""Fixtures for end-to-end tests of the mock over HTTP (aiohttp's test client)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from loyapro_mock.mockserver.http.app import create_app
from loyapro_mock.mockserver.http.pipeline.auth import issue_token
from loyapro_mock.mockserver.http.settings import DEFAULT_SECRET, Settings

ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


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
def token() -> str:
    """A signed token for POS foodics, as `loyapro-mock token foodics` prints it."""
    return issue_token(DEFAULT_SECRET, "foodics")
