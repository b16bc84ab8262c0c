"""A certification session across instances: started through one mock instance, driven
through a second, graded through a third, all on one PostgreSQL database, grades as it
would on one instance (the reference driver passes everything; a faulty driver fails exactly
its checks)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

import pytest
from faulty_drivers import FAULTY_DRIVERS

from loyapro_mock.contracts.driver import Driver
from loyapro_mock.contracts.findings import Finding, Outcome
from loyapro_mock.contracts.harness import DriverFactory, RunningMock, running_mock
from loyapro_mock.contracts.inbound import evaluate_session
from loyapro_mock.contracts.prepare import DOCS_BUSINESS_REFERENCE, start_session
from loyapro_mock.contracts.reference_pos.backend import default_catalogue
from loyapro_mock.contracts.registry import failed_checks
from loyapro_mock.mockserver.http.settings import Settings

pytestmark = pytest.mark.postgres
CATALOGUE = default_catalogue()


@pytest.fixture
def three_mocks(postgres_url: str) -> Iterator[list[RunningMock]]:
    settings = Settings(db=postgres_url, port=0)
    with running_mock(settings) as first, running_mock(settings) as second, running_mock(settings) as third:
        yield [first, second, third]


def _certify_across(mocks: list[RunningMock], driver: DriverFactory, seed: int) -> list[Finding]:
    started, driven, graded = mocks
    started.load_catalogue(DOCS_BUSINESS_REFERENCE, CATALOGUE)
    session = start_session(
        started.url,
        pos_name=started.pos_name,
        allowed_products=[str(item["id"]) for item in CATALOGUE][:3],
        catalogue=CATALOGUE,
        seed=seed,
    )
    driver(dataclasses.replace(session, mock_url=driven.url), driven.token(), CATALOGUE, seed=seed).run()
    time.sleep(0.3)  # the driven instance writes its journal batch within 20 ms
    return list(evaluate_session(dataclasses.replace(session, mock_url=graded.url)))


def test_the_reference_driver_passes_every_check_across_three_instances(
    three_mocks: list[RunningMock],
) -> None:
    findings = _certify_across(three_mocks, Driver, seed=11)
    assert findings
    assert {f.check: f.received for f in findings if f.outcome is not Outcome.PASS} == {}


def test_a_faulty_driver_fails_exactly_its_checks_across_three_instances(
    three_mocks: list[RunningMock],
) -> None:
    driver = FAULTY_DRIVERS[0]
    findings = _certify_across(three_mocks, driver, seed=100)
    assert failed_checks(findings) == driver.CAUGHT_BY  # type: ignore[attr-defined]
