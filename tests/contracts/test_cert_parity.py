"""Development-time parity: what one request lets a check decide, `serve` says on that request.

Each faulty driver here fails exactly its ``CAUGHT_BY`` checks with a message naming what the
POS sent, and the mock's journal of the same session already carries the matching violation
(a warning on an accepted request, or the refusal's problem code).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from faulty_drivers import (
    AppliesAnotherDiscount,
    EventTimeInMilliseconds,
    OmitsAcceptHeader,
    OmitsLineStatus,
    RedeemsOneCodeTwice,
    RedeemsWithoutLookup,
    TotalsOffByTax,
)
from faulty_parity import (
    PARITY_DRIVERS,
    AcceptsAnything,
    LabelsRedemptionAsCoupon,
    RedeemsFixedAmountWithVat,
    RedeemsOnOrderReference,
)

from loyapro_mock.contracts.driver import Driver
from loyapro_mock.contracts.findings import Finding
from loyapro_mock.contracts.harness import InboundRun, RunningMock, run_inbound
from loyapro_mock.contracts.inbound import collect_inbound_evidence
from loyapro_mock.contracts.reference_pos.backend import default_catalogue
from loyapro_mock.contracts.registry import failed_checks

CATALOGUE = default_catalogue()
#: Each run its own seed: the driver's order ids come from it, and one mock serves the module.
_SEEDS = itertools.count(701)

#: The violations `serve` journals for the existing faulty drivers whose bug one request shows.
SERVE_RULES: dict[type[Driver], frozenset[str]] = {
    OmitsAcceptHeader: frozenset({"header.accept"}),
    EventTimeInMilliseconds: frozenset({"order.timestamp"}),
    OmitsLineStatus: frozenset({"order.line_status"}),
    AppliesAnotherDiscount: frozenset({"redemption.discount"}),
    TotalsOffByTax: frozenset({"business_rule_violated", "money.order_total"}),
    **{driver: driver.SERVE_RULES for driver in PARITY_DRIVERS},  # type: ignore[attr-defined]
}


def _run(mock: RunningMock, driver: type[Driver] = Driver) -> InboundRun:
    return run_inbound(mock, driver=driver, catalogue=CATALOGUE, seed=next(_SEEDS), resilience=False)


def _journaled(run: InboundRun) -> list[tuple[int, dict[str, Any]]]:
    """(HTTP status, violation) of every violation the mock journaled during the session."""
    entries = collect_inbound_evidence(run.session).entries
    return [(entry.status, violation) for entry in entries for violation in entry.violations]


def _reported(run: InboundRun) -> set[str]:
    """The rules of the journaled violations and the problem codes of the mock's refusals."""
    entries = collect_inbound_evidence(run.session).entries
    codes = {str(e.response.get("code")) for e in entries if not e.accepted and isinstance(e.response, dict)}
    return {violation["rule"] for _, violation in _journaled(run)} | codes


def _finding(run: InboundRun, check: str) -> Finding:
    return next(finding for finding in run.findings if finding.check == check)


def test_serve_journals_no_violation_for_the_reference_driver(mock: RunningMock) -> None:
    assert _journaled(_run(mock)) == []


@pytest.mark.parametrize("driver", list(SERVE_RULES), ids=lambda cls: cls.__name__)
def test_serve_reports_what_certification_fails(mock: RunningMock, driver: type[Driver]) -> None:
    run = _run(mock, driver)
    assert failed_checks(run.findings) == driver.CAUGHT_BY | getattr(driver, "UNGRADED", frozenset())  # type: ignore[attr-defined]
    assert _reported(run) == SERVE_RULES[driver]
    for status, violation in _journaled(run):
        if violation["severity"] == "warning":
            assert status == 200, "a warning never makes a request fail"


def test_a_coupon_where_a_redemption_was_expected_is_named(mock: RunningMock) -> None:
    run = _run(mock, LabelsRedemptionAsCoupon)
    received = _finding(run, "rewards.discount_matches_order").received
    expected = "carries a Coupon discount of 5.2 where a Loyalty Redemption discount of 5.2 was expected"
    assert expected in received
    warnings = [v for _, v in _journaled(run)]
    assert {(v["pointer"], v["severity"]) for v in warnings} == {("/order/discount", "warning")}
    assert all("carries a Coupon discount of" in v["message"] for v in warnings)


def test_a_redeem_on_the_order_reference_says_whose_reference_it_is(mock: RunningMock) -> None:
    run = _run(mock, RedeemsOnOrderReference)
    received = _finding(run, "rewards.discount_matches_order").received
    assert received.startswith("the redeem of ")
    reference, order_id = _reference_and_id(received)
    assert f"{reference} is the reference of order {order_id}, not its id" in received
    messages = [v["message"] for _, v in _journaled(run)]
    assert any(f"{reference} is the reference of order {order_id}, not its id" in m for m in messages)


def _reference_and_id(received: str) -> tuple[str, str]:
    """The reference and order id of ``... names order_id R, but R is the reference of order X``."""
    reference = received.split("names order_id ")[1].split(",")[0]
    order_id = received.split("is the reference of order ")[1].split(",")[0]
    return reference, order_id


def test_a_refused_redeem_names_the_mocks_problem_code(mock: RunningMock) -> None:
    run = _run(mock, RedeemsFixedAmountWithVat)
    received = _finding(run, "rewards.all_kinds_redeemed").received
    code = run.session.reward("fixed_amount").code
    assert received.startswith(
        f"no successful redeem of the fixed_amount code: the mock refused the redeem of {code} with "
        "HTTP 422 discount_exceeds_reward (discount_amount 11.5, journal #"
    )


def test_a_missing_accept_is_reproduced_without_one(mock: RunningMock) -> None:
    finding = _finding(_run(mock, OmitsAcceptHeader), "headers.accept")
    assert "15 sent no Accept header" in finding.received
    assert "-H Accept: " in finding.reproduce  # 'Accept:' makes curl send no Accept at all
    assert "Accept: application/json" not in finding.reproduce


def test_an_accept_of_anything_is_reproduced_as_sent(mock: RunningMock) -> None:
    finding = _finding(_run(mock, AcceptsAnything), "headers.accept")
    assert "15 sent 'Accept: */*'" in finding.received
    assert "-H 'Accept: */*'" in finding.reproduce


#: What the failing finding of an existing faulty driver says the POS sent (a regex).
RECEIVED: dict[type[Driver], tuple[str, str]] = {
    RedeemsWithoutLookup: (
        "rewards.lookup_before_redeem",
        r"first: PRD-\w+, redeemed in journal #\d+ with no lookup of the code at all",
    ),
    AppliesAnotherDiscount: (
        "rewards.discount_matches_order",
        r"carries a Loyalty Redemption discount of ([\d.]+) where a Loyalty Redemption discount "
        r"of [\d.]+ was expected \(redeemed: \w+-\w+ for [\d.]+\)",
    ),
    RedeemsOneCodeTwice: ("rewards.single_use", r"\(mock answered HTTP 409 reward_already_redeemed\)"),
    EventTimeInMilliseconds: (
        "payload.event_time",
        r"/timestamp \d{13} is not a Unix time in seconds \(milliseconds, it seems\)",
    ),
    OmitsLineStatus: ("payload.product_status", r"/order/products/0: status is absent"),
}


@pytest.mark.parametrize("driver", list(RECEIVED), ids=lambda cls: cls.__name__)
def test_a_failing_check_names_what_the_pos_sent(mock: RunningMock, driver: type[Driver]) -> None:
    check, pattern = RECEIVED[driver]
    received = _finding(_run(mock, driver), check).received
    assert re.search(pattern, received), received
