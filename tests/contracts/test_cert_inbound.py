"""Inbound certification: the reference driver passes every check; each faulty driver fails
exactly the checks meant to catch its bug."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from faulty_drivers import FAULTY_DRIVERS, OmitsAcceptHeader, TotalsOffByTax
from faulty_resilience import RESILIENCE_DRIVERS, RetriesUnderNewOrderId

from loyapro_mock.contracts.driver import Driver
from loyapro_mock.contracts.findings import Outcome, SignOff
from loyapro_mock.contracts.harness import InboundRun, RunningMock, run_inbound
from loyapro_mock.contracts.inbound import INBOUND
from loyapro_mock.contracts.reference_pos.backend import default_catalogue
from loyapro_mock.contracts.registry import failed_checks
from loyapro_mock.contracts.requirements import RESILIENCE, in_group
from loyapro_mock.contracts.runner import build_report

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
        "retry-lost-answer",
        "retry-reward",
        "no-retry-refused",
    ]
    assert [step.error for step in reference_run.steps] == [""] * 10
    assert reference_run.steps[4].calls == ["reward -> 200", "redeem -> 200", "order -> 200"]


def test_reference_driver_retries_as_a_careful_pos_does(reference_run: InboundRun) -> None:
    lost, reward, refused = reference_run.steps[7:]
    assert lost.calls == ["order -> no answer", "order -> 200"]
    assert reward.calls == [
        "reward -> 429",
        "reward -> 200",
        "redeem -> 502",
        "redeem -> 200",
        "order -> 200",
    ]
    assert refused.calls == ["reward -> 422"]


@pytest.mark.parametrize("driver", FAULTY_DRIVERS, ids=lambda cls: cls.__name__)
def test_faulty_driver_fails_exactly_the_checks_meant_to_catch_it(
    mock: RunningMock, driver: type[Driver]
) -> None:
    # each driver its own seed: the same order ids would meet an earlier session's orders in the mock;
    # the resilience steps (a 429 costs a second) only for the drivers whose bug is in them
    resilience = driver in RESILIENCE_DRIVERS
    run = run_inbound(
        mock,
        driver=driver,
        catalogue=CATALOGUE,
        seed=100 + FAULTY_DRIVERS.index(driver),
        resilience=resilience,
    )
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


@pytest.mark.parametrize(
    "driver",
    [OmitsAcceptHeader, TotalsOffByTax],
    ids=lambda cls: cls.__name__,
)
def test_a_bug_outside_the_resilience_steps_is_no_resilience_finding(
    mock: RunningMock, driver: type[Driver]
) -> None:
    # these bugs are in the transport's headers and in the order body
    run = run_inbound(mock, driver=driver, catalogue=CATALOGUE, seed=200 + FAULTY_DRIVERS.index(driver))
    assert failed_checks(run.findings) == driver.CAUGHT_BY  # type: ignore[attr-defined]
    assert {f.requirement for f in run.findings if f.check.startswith("resilience.")} == {
        item.id for item in in_group(RESILIENCE)
    }


def test_a_pos_retrying_under_a_new_id_is_not_signed_off_naming_the_resilience_check(
    mock: RunningMock,
) -> None:
    run = run_inbound(mock, driver=RetriesUnderNewOrderId, catalogue=CATALOGUE, seed=61)
    report = build_report(run.findings, pos_name="POS", scope=["inbound"])
    assert report.verdict is SignOff.NOT_SIGNED_OFF
    assert report.verdict_reason() == "failed: RES-01 resilience.lost_answer_same_order"
    [finding] = [f for f in run.findings if f.check == "resilience.lost_answer_same_order"]
    assert "under a new order id: LoyaPro holds it twice and the customer earned twice" in finding.received


def test_a_session_without_resilience_steps_leaves_them_not_graded(mock: RunningMock) -> None:
    run = run_inbound(mock, catalogue=CATALOGUE, seed=62, resilience=False)
    assert failed_checks(run.findings) == set()
    assert not any(f.check.startswith("resilience.") for f in run.findings)
    report = build_report(run.findings, pos_name="POS", scope=["inbound"])
    assert report.verdict is SignOff.INCOMPLETE
    outbound = ["POS-01", "POS-02", "POS-09"]
    assert report.not_graded() == [*outbound, "RES-01", "RES-02", "RES-03", "RES-04", "RES-05"]
    assert "the session had no resilience steps" in report.not_graded_reason("RES-03")


def test_a_session_grades_only_its_own_traffic(mock: RunningMock) -> None:
    faulty = run_inbound(mock, driver=FAULTY_DRIVERS[0], catalogue=CATALOGUE, seed=31, resilience=False)
    correct = run_inbound(mock, catalogue=CATALOGUE, seed=32, resilience=False)
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
