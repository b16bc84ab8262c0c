"""Outcome checks: each step is graded on what LoyaPro ended up holding, not on the messages.

The reference driver passes every outcome check; each faulty driver of faulty_outcomes.py
sends well-formed messages that leave LoyaPro wrong, and fails exactly its outcome checks,
saying what LoyaPro holds."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from faulty_outcomes import (
    OUTCOME_DRIVERS,
    AttachesTheDocsCustomer,
    ReopensRewardOrdersToReprint,
    ReturnsAnUnlinkedOrder,
    VoidsUnderANewOrderId,
)
from faulty_parity import RedeemsOnOrderReference

from loyapro_mock.contracts.checklist import build_checklist, checklist_document, render_markdown
from loyapro_mock.contracts.driver import Driver
from loyapro_mock.contracts.findings import Finding, Outcome
from loyapro_mock.contracts.harness import InboundRun, RunningMock, run_inbound
from loyapro_mock.contracts.inbound import INBOUND, collect_inbound_evidence
from loyapro_mock.contracts.inbound.state import MockState, read_state
from loyapro_mock.contracts.mock_admin import MockAdmin
from loyapro_mock.contracts.reference_pos.backend import default_catalogue
from loyapro_mock.contracts.registry import failed_checks

CATALOGUE = default_catalogue()
OUTCOMES = [name for name in INBOUND.names() if name.startswith("outcomes.")]


def _run(mock: RunningMock, cls: type[Driver], seed: int) -> tuple[InboundRun, Driver]:
    """Run ``cls`` through the checklist; also hand back the driver, to read its tickets."""
    made: list[Driver] = []

    def factory(*args: Any, **kwargs: Any) -> Driver:
        made.append(cls(*args, **kwargs))
        return made[-1]

    return run_inbound(mock, driver=factory, catalogue=CATALOGUE, seed=seed, resilience=False), made[0]


def _finding(run: InboundRun, check: str) -> Finding:
    return next(finding for finding in run.findings if finding.check == check)


@pytest.fixture(scope="module")
def reference(mock: RunningMock) -> tuple[InboundRun, Driver]:
    return _run(mock, Driver, 101)


def test_there_is_one_outcome_check_per_step_and_one_for_the_balances() -> None:
    assert OUTCOMES == [
        "outcomes.order_paid",
        "outcomes.order_resend",
        "outcomes.order_void",
        "outcomes.order_refund",
        "outcomes.reward_products",
        "outcomes.reward_percentage",
        "outcomes.reward_fixed_amount",
        "outcomes.customer_balances",
    ]
    assert {INBOUND.get(name).requirement for name in OUTCOMES} == {"POS-03", "POS-04", "POS-08"}


def test_the_reference_driver_passes_every_outcome_check(reference: tuple[InboundRun, Driver]) -> None:
    run, _ = reference
    outcomes = {f.check: f for f in run.findings if f.check in OUTCOMES}
    assert {name: f.outcome for name, f in outcomes.items()} == dict.fromkeys(OUTCOMES, Outcome.PASS)
    for finding in outcomes.values():
        assert any(item.kind == "mock_state" for item in finding.evidence), finding.check


def test_a_passing_outcome_says_what_loyapro_holds(reference: tuple[InboundRun, Driver]) -> None:
    run, driver = reference
    void_ticket = list(driver.tickets)[1]
    assert f"order {void_ticket}" in _finding(run, "outcomes.order_void").received
    assert "ends Void" in _finding(run, "outcomes.order_void").received
    code = run.session.reward("fixed_amount").code
    fixed = _finding(run, "outcomes.reward_fixed_amount").received
    assert f"code {code} ends redeemed on order" in fixed and "which ends Paid" in fixed
    balances = _finding(run, "outcomes.customer_balances").received
    assert run.session.customer.international in balances and "points" in balances


@pytest.mark.parametrize("driver", OUTCOME_DRIVERS, ids=lambda cls: cls.__name__)
def test_a_faulty_driver_fails_exactly_its_outcome_checks(mock: RunningMock, driver: type[Driver]) -> None:
    run, _ = _run(mock, driver, 202)
    ungraded: frozenset[str] = getattr(driver, "UNGRADED", frozenset())
    assert failed_checks(run.findings) == driver.CAUGHT_BY | ungraded  # type: ignore[attr-defined]
    for finding in run.findings:
        if finding.check in driver.CAUGHT_BY:  # type: ignore[attr-defined]
            assert finding.outcome is Outcome.FAIL, finding.check
            assert any(item.kind == "journal" for item in finding.evidence), finding.check


def test_a_void_under_a_new_order_id_names_the_order_left_initiated_and_the_void(mock: RunningMock) -> None:
    run, driver = _run(mock, VoidsUnderANewOrderId, 203)
    opened = list(driver.tickets)[1]  # the ticket of step order-void
    fresh = next(order_id for order_id in driver.sent if order_id not in driver.tickets)
    received = _finding(run, "outcomes.order_void").received
    assert f"order {opened}" in received and "is left Initiated" in received
    assert f"another order id, {fresh}" in received and "first saw already void" in received
    assert _finding(run, "orders.void_sent").outcome is Outcome.PASS  # the message was there


def test_an_unlinked_return_says_the_mock_refused_it_and_the_customer_kept_the_points(
    mock: RunningMock,
) -> None:
    run, driver = _run(mock, ReturnsAnUnlinkedOrder, 204)
    refunded = list(driver.tickets.values())[2]  # the ticket of step order-refund
    received = _finding(run, "outcomes.order_refund").received
    assert "the mock refused the refund" in received
    assert "HTTP 422 business_rule_violated (order.return_unlinked)" in received
    assert f"a return of order {refunded.reference}" in received
    assert re.search(r"the session customer kept the \d+ points", received), received
    assert f"earned on order {refunded.id}" in received
    assert _finding(run, "orders.refund_sent").outcome is Outcome.PASS


def test_sales_to_the_docs_customer_name_where_the_points_went(mock: RunningMock) -> None:
    run, _ = _run(mock, AttachesTheDocsCustomer, 205)
    balances = _finding(run, "outcomes.customer_balances").received
    assert "4 of 4 paid session orders went to another customer" in balances
    assert "to +966 557937530" in balances
    assert f"the session customer {run.session.customer.international}" in balances
    assert "nothing from this session" in balances
    assert "attached to the customer +966 557937530" in _finding(run, "outcomes.order_paid").received
    assert "+966 557937530" in _finding(run, "outcomes.order_refund").received


def test_codes_redeemed_under_the_receipt_reference_end_on_orders_loyapro_never_got(
    mock: RunningMock,
) -> None:
    run, driver = _run(mock, RedeemsOnOrderReference, 206)
    reward_ticket = list(driver.tickets.values())[3]  # the ticket of step reward-products
    received = _finding(run, "outcomes.reward_products").received
    code = run.session.reward("products").code
    assert f"code {code} ends redeemed on order {reward_ticket.reference}" in received
    assert "LoyaPro does not hold" in received


def test_a_reopened_reward_order_says_its_code_was_released_and_its_points_taken_back(
    mock: RunningMock,
) -> None:
    run, _ = _run(mock, ReopensRewardOrdersToReprint, 207)
    code = run.session.reward("percentage").code
    received = _finding(run, "outcomes.reward_percentage").received
    assert f"code {code} ends issued" in received and "was released when the order was sent void" in received
    assert "ends Paid" in received
    balances = _finding(run, "outcomes.customer_balances").received
    assert "was taken back" in balances and "then paid again" in balances


def test_outcome_checks_fail_when_the_state_could_not_be_read(mock: RunningMock) -> None:
    run, _ = _run(mock, Driver, 208)
    evidence = collect_inbound_evidence(run.session)
    for state in (None, MockState(error="MockAdminError: cannot reach the mock")):
        findings = INBOUND.run(dataclasses.replace(evidence, state=state), only=OUTCOMES)
        assert {f.outcome for f in findings} == {Outcome.FAIL}
        assert all("state" in f.received and "no outcome can be graded" in f.received for f in findings)


def test_reading_the_state_of_an_unreachable_mock_gives_an_error_not_an_exception(mock: RunningMock) -> None:
    run, _ = _run(mock, Driver, 209)
    state = read_state(run.session, order_ids=["x"], admin=MockAdmin("http://127.0.0.1:9", timeout=2))
    assert state.error.startswith("MockAdminError: cannot reach the mock")
    assert state.orders == {} and state.customer_id is None


def test_the_state_holds_each_session_order_and_code(mock: RunningMock) -> None:
    run, driver = _run(mock, Driver, 211)
    state = collect_inbound_evidence(run.session).state
    assert state is not None and state.error == ""
    assert set(state.orders) == set(driver.tickets)
    assert set(state.rewards) == {reward.code for reward in run.session.rewards}
    assert state.customer["customer"]["customer_mobile_number"] == run.session.customer.mobile


def test_every_step_states_its_outcome_and_names_its_outcome_check(
    reference: tuple[InboundRun, Driver],
) -> None:
    run, _ = reference
    steps = build_checklist(run.session)
    listed = [name for step in steps for name in step.checks if name.startswith("outcomes.")]
    assert sorted(listed) == sorted(OUTCOMES)
    for step in steps:
        assert step.outcome, step.id
        assert any(name.startswith("outcomes.") for name in step.checks), step.id
        assert all(name in INBOUND for name in step.checks), step.id
    void = next(step for step in steps if step.id == "order-void")
    assert any("ends Void" in line for line in void.outcome)
    markdown = render_markdown(run.session)
    assert markdown.count("Outcome in LoyaPro:") == len(steps)
    assert "`outcomes.order_void`" in markdown
    document = json.loads(json.dumps(checklist_document(run.session)))
    assert [step["outcome"] for step in document["steps"]] == [list(step.outcome) for step in steps]


def test_a_session_without_traffic_grades_no_outcome_as_passed(mock: RunningMock) -> None:
    class DoesNothing(Driver):
        def steps(self) -> list[tuple[str, Callable[[], None]]]:
            return []

    run, _ = _run(mock, DoesNothing, 210)
    outcomes = {f.check: f.outcome for f in run.findings if f.check in OUTCOMES}
    assert set(outcomes.values()) == {Outcome.NOT_EXERCISED}
