"""Inbound certification: the reference driver passes every check; each faulty driver fails
exactly the checks meant to catch its bug."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from faulty_drivers import FAULTY_DRIVERS

from loyapro_mock.contracts.driver import Driver
from loyapro_mock.contracts.findings import Outcome
from loyapro_mock.contracts.harness import InboundRun, RunningMock, run_inbound
from loyapro_mock.contracts.inbound import INBOUND
from loyapro_mock.contracts.reference_pos.backend import default_catalogue
from loyapro_mock.contracts.registry import failed_checks

CATALOGUE = default_catalogue()


@pytest.fixture(scope="module")
def reference_run(mock: RunningMock) -> InboundRun:
    return run_inbound(mock, catalogue=CATALOGUE, seed=11)


def test_reference_driver_passes_every_inbound_check(reference_run: InboundRun) -> None:
    assert [f.check for f in reference_run.findings] == INBOUND.names()
    not_passed = {f.check: f.received for f in reference_run.findings if f.outcome is not Outcome.PASS}
    assert not_passed == {}


def test_reference_driver_performs_every_checklist_step_without_error(reference_run: InboundRun) -> None:
    assert [step.step for step in reference_run.steps] == [
        "order-paid",
        "order-resend",
        "order-void",
        "order-refund",
        "reward-products",
        "reward-percentage",
        "reward-fixed-amount",
    ]
    assert [step.error for step in reference_run.steps] == [""] * 7
    assert reference_run.steps[4].calls == ["reward -> 200", "redeem -> 200", "order -> 200"]


@pytest.mark.parametrize("driver", FAULTY_DRIVERS, ids=lambda cls: cls.__name__)
def test_faulty_driver_fails_exactly_the_checks_meant_to_catch_it(
    mock: RunningMock, driver: type[Driver]
) -> None:
    # each driver its own seed: the same order ids would meet an earlier session's orders in the mock
    run = run_inbound(mock, driver=driver, catalogue=CATALOGUE, seed=100 + FAULTY_DRIVERS.index(driver))
    caught: frozenset[str] = driver.CAUGHT_BY  # type: ignore[attr-defined]
    # checks the bug leaves without anything to grade: never a pass, and said so
    ungraded: frozenset[str] = getattr(driver, "UNGRADED", frozenset())
    assert failed_checks(run.findings) == caught | ungraded
    for finding in run.findings:
        if finding.check in caught:
            assert finding.outcome is Outcome.FAIL
            assert any(item.kind == "journal" for item in finding.evidence)
        elif finding.check in ungraded:
            assert finding.outcome is Outcome.NOT_EXERCISED


def test_a_session_grades_only_its_own_traffic(mock: RunningMock) -> None:
    faulty = run_inbound(mock, driver=FAULTY_DRIVERS[0], catalogue=CATALOGUE, seed=31)
    correct = run_inbound(mock, catalogue=CATALOGUE, seed=32)
    assert faulty.session.since_id < correct.session.since_id
    assert failed_checks(faulty.findings) == FAULTY_DRIVERS[0].CAUGHT_BY  # type: ignore[attr-defined]
    assert failed_checks(correct.findings) == set()


def test_a_session_without_traffic_passes_nothing(mock: RunningMock) -> None:
    class DoesNothing(Driver):
        def steps(self) -> list[tuple[str, Callable[[], None]]]:
            return []

    run = run_inbound(mock, driver=DoesNothing, catalogue=CATALOGUE, seed=41)
    assert not any(finding.passed for finding in run.findings)
    assert Outcome.NOT_EXERCISED in {finding.outcome for finding in run.findings}
