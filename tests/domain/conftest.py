"""Fixtures of the domain tests: a clock and a demo-seeded service on each store backend
(the ``store`` fixture of tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from loyapro_mock.mockserver.domain.clock import Clock
from loyapro_mock.mockserver.domain.usecases import LoyaPro
from loyapro_mock.mockserver.domain.usecases.demo_state import seed_demo
from loyapro_mock.mockserver.http.programs_config import load_programs
from loyapro_mock.mockserver.store.protocol import Store

from .factories import T0


@pytest.fixture
def clock(store: Store) -> Clock:
    """The mock's clock starting at 2023-01-01 15:00 UTC (moves only when advanced)."""
    return Clock(store, base=lambda: T0)


@pytest.fixture
def make_service(store: Store, clock: Clock) -> Callable[..., LoyaPro]:
    """A demo-seeded service; pass the ``programs:`` mapping to configure loyalty."""

    def make(programs: dict[str, object] | None = None, **kwargs: object) -> LoyaPro:
        service = LoyaPro(store, load_programs(programs), clock, seeder=seed_demo, **kwargs)  # type: ignore[arg-type]
        seed_demo(service)
        return service

    return make


@pytest.fixture
def service(make_service: Callable[..., LoyaPro]) -> LoyaPro:
    return make_service()
