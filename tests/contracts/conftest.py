"""Fixtures of the certification tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from loyapro_mock.contracts.harness import RunningMock, running_mock


@pytest.fixture(scope="module")
def mock() -> Iterator[RunningMock]:
    """The mock on a free port, in a thread: one per test module."""
    with running_mock() as running:
        yield running
