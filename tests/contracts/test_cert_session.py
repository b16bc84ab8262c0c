"""Session checks: the mock's refusals, the session's customer and business, auto-registered
businesses and one sale sent under two order ids are findings; the reference POS has none."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from faulty_outcomes import AttachesTheDocsCustomer
from faulty_session import (
    DOCS_CUSTOMER,
    FAULTY_SESSION_DRIVERS,
    MISTYPED_BUSINESS,
    RetriesUnderNewIdentifiers,
    ReturnsUnlinkedOrder,
    SendsAnotherBusinessReference,
)

from loyapro_mock.contracts.driver import Driver
from loyapro_mock.contracts.findings import Finding, Outcome
from loyapro_mock.contracts.harness import InboundRun, RunningMock, run_inbound, running_mock
from loyapro_mock.contracts.inbound import INBOUND, InboundEvidence, JournalEntry, collect_inbound_evidence
from loyapro_mock.contracts.inbound.checks_session import step_of
from loyapro_mock.contracts.reference_pos.backend import default_catalogue
from loyapro_mock.contracts.registry import failed_checks
from loyapro_mock.contracts.session import CertSession, SessionCustomer, SessionReward
from loyapro_mock.mockserver.http.settings import Settings

CATALOGUE = default_catalogue()
SESSION_CHECKS = (
    "session.no_refusals",
    "session.customer_identity",
    "session.business_identity",
    "session.no_auto_registration",
    "orders.no_duplicate_sales",
    "orders.resend_idempotent",
)


@pytest.fixture(scope="module")
def registering_mock() -> Iterator[RunningMock]:
    """A mock that registers an unknown business on its first order."""
    with running_mock(Settings(db=":memory:", port=0, auto_register=True)) as running:
        yield running


def _run(mock: RunningMock, driver: type[Driver], seed: int) -> InboundRun:
    return run_inbound(mock, driver=driver, catalogue=CATALOGUE, seed=seed, resilience=False)


def _finding(run: InboundRun, check: str) -> Finding:
    return next(finding for finding in run.findings if finding.check == check)


def test_the_reference_driver_passes_every_session_check(registering_mock: RunningMock) -> None:
    run = _run(registering_mock, Driver, 301)
    assert {name: _finding(run, name).outcome for name in SESSION_CHECKS} == dict.fromkeys(
        SESSION_CHECKS, Outcome.PASS
    )
    assert failed_checks(run.findings) == set()


def test_the_session_checks_are_registered() -> None:
    assert set(SESSION_CHECKS) <= set(INBOUND.names())
    assert {INBOUND.get(name).requirement for name in SESSION_CHECKS} == {
        "WHK-01",
        "POS-03",
        "ORD-01",
        "POS-04",
    }


@pytest.mark.parametrize("driver", FAULTY_SESSION_DRIVERS, ids=lambda cls: cls.__name__)
def test_each_session_bug_fails_exactly_its_checks(
    registering_mock: RunningMock, driver: type[Driver]
) -> None:
    run = _run(registering_mock, driver, 310 + FAULTY_SESSION_DRIVERS.index(driver))
    assert failed_checks(run.findings) == driver.CAUGHT_BY  # type: ignore[attr-defined]
    for name in driver.CAUGHT_BY:  # type: ignore[attr-defined]
        finding = _finding(run, name)
        assert finding.outcome is Outcome.FAIL
        assert any(item.kind == "journal" for item in finding.evidence)
        assert "curl" in finding.reproduce


def test_orders_for_a_mistyped_business_name_it_and_the_session_business() -> None:
    with running_mock(Settings(db=":memory:", port=0, auto_register=True)) as mock:  # 440801 unknown
        run = _run(mock, SendsAnotherBusinessReference, 320)
    identity = _finding(run, "session.business_identity").received
    assert f"9 orders (#{run.session.since_id}" in identity
    assert identity.endswith(f"were sent for business {MISTYPED_BUSINESS}; the session's business is 440810")
    registration = _finding(run, "session.no_auto_registration").received
    assert f"registered business {MISTYPED_BUSINESS} on order call #{run.session.since_id}" in registration
    assert "9 orders" in registration
    assert "the session's business is 440810" in registration


def test_a_business_registered_before_the_session_is_still_not_the_session_business() -> None:
    with running_mock(Settings(db=":memory:", port=0, auto_register=True)) as mock:
        _run(mock, SendsAnotherBusinessReference, 322)  # registers 440801
        run = _run(mock, SendsAnotherBusinessReference, 323)
    # no new registration, but the sales still went elsewhere: identity and every outcome fail
    assert failed_checks(run.findings) == SendsAnotherBusinessReference.CAUGHT_BY - {
        "session.no_auto_registration"
    }


def test_without_auto_registration_a_mistyped_business_is_a_refusal() -> None:
    with running_mock(Settings(db=":memory:", port=0, auto_register=False)) as mock:
        run = _run(mock, SendsAnotherBusinessReference, 321)
    failed = failed_checks(run.findings)
    assert {"session.business_identity", "session.no_refusals"} <= failed
    assert "session.no_auto_registration" not in failed
    refusals = _finding(run, "session.no_refusals").received
    assert "9 of 15 calls were refused" in refusals
    assert "HTTP 422 unknown_business, step order-paid (Sell to a known customer)" in refusals


def test_a_retry_under_new_identifiers_shows_the_customer_earned_twice(registering_mock: RunningMock) -> None:
    run = _run(registering_mock, RetriesUnderNewIdentifiers, 330)
    first, retry = [entry for entry in _journal(run) if entry.order_status == 4][:2]
    resend = _finding(run, "orders.resend_idempotent").received
    assert resend.startswith("a paid sale was sent again under new identifiers (order id ")
    assert f"order {retry.order_id} (#{retry.id}) repeats order {first.order_id} (#{first.id})" in resend
    assert "number 1 -> 2" in resend
    assert "it earned points 36, stamps 1, cashback 1.82, then points 36, stamps 1, cashback 1.82" in resend
    duplicate = _finding(run, "orders.no_duplicate_sales").received
    assert duplicate.startswith("1 paid order repeats an earlier sale under new identifiers, a likely retry")
    assert (
        f"2 orders for {run.session.customer.international} with lines prd-0001 x1, prd-0002 x1" in duplicate
    )
    assert f"order {retry.order_id} (#{retry.id}) earned points 36" in duplicate
    assert duplicate.endswith("the customer earned 2 times for one sale")


def test_sales_attached_to_the_docs_customer_name_both_customers(registering_mock: RunningMock) -> None:
    run = _run(registering_mock, AttachesTheDocsCustomer, 340)
    received = _finding(run, "session.customer_identity").received
    assert received == (
        f"9 orders ({', '.join(f'#{run.session.since_id + i}' for i in range(5))} "
        f"+4 more) were attached to +966 {DOCS_CUSTOMER['mobile']}; the session customer is "
        f"{run.session.customer.international}"
    )


def test_a_refused_return_names_its_code_rule_and_step(registering_mock: RunningMock) -> None:
    run = _run(registering_mock, ReturnsUnlinkedOrder, 350)
    received = _finding(run, "session.no_refusals").received
    assert received.startswith("1 of 15 calls were refused: #")
    assert "status 5 -> HTTP 422 business_rule_violated [order.return_unlinked]" in received
    assert received.endswith("step order-refund (Cancel a paid order)")


def _journal(run: InboundRun) -> list[JournalEntry]:
    return collect_inbound_evidence(run.session).orders()


# -- the journal alone: which sales are repeats, which step a call belongs to ----------------

MOBILE = "512345678"
SESSION = CertSession(
    id="cert-0000000000",
    mock_url="http://mock",
    pos_name="foodics",
    business_reference=440810,
    branch_id="b-1",
    created_at="2030-01-01T00:00:00Z",
    customers=[SessionCustomer("Reem", "ريم", 966, MOBILE)],
    rewards=[SessionReward("PCT-1", "percentage", MOBILE, 20, True, 15)],
)


def _order(
    entry_id: int,
    order_id: str,
    *,
    status: int = 4,
    at: str = "00:00",
    mobile: str = MOBILE,
    products: tuple[tuple[str, int], ...] = (("p1", 1), ("p2", 2)),
    total: float = 42,
    **order: Any,
) -> JournalEntry:
    body = {
        "business": {"reference": 440810},
        "order": {
            "id": order_id,
            "status": status,
            "customer": {"dial_code": 966, "phone": mobile},
            "products": [{"product": {"id": p}, "quantity": q} for p, q in products],
            "total_price": total,
            **order,
        },
    }
    answer = {"loyalty": {"earned": [{"program": "points", "amount": 36}], "reversed": [], "reason": None}}
    return JournalEntry.from_dict(
        {
            "id": entry_id,
            "received_at": f"2030-01-01T10:{at}.000Z",
            "operation": "order",
            "status": 200,
            "request": {"body": body},
            "response": {"body": answer},
        }
    )


def _call(entry_id: int, operation: str, code: str, **body: Any) -> JournalEntry:
    return JournalEntry.from_dict(
        {
            "id": entry_id,
            "operation": operation,
            "status": 200,
            "request": {"body": {"reward_code": code, **body}},
        }
    )


def _verdict(check: str, *entries: JournalEntry) -> tuple[Outcome, str]:
    finding = INBOUND.run(InboundEvidence(SESSION, list(entries)), only=[check])[0]
    return finding.outcome, finding.received


def test_the_same_sale_moments_later_under_a_new_id_is_a_repeat() -> None:
    outcome, received = _verdict(
        "orders.no_duplicate_sales", _order(1, "a", at="00:00"), _order(2, "b", at="09:30")
    )
    assert outcome is Outcome.FAIL
    assert "received 570 s apart (order id a -> b)" in received


def test_the_same_sale_more_than_ten_minutes_later_is_another_sale() -> None:
    outcome, _ = _verdict("orders.no_duplicate_sales", _order(1, "a", at="00:00"), _order(2, "b", at="10:01"))
    assert outcome is Outcome.PASS


@pytest.mark.parametrize(
    "other",
    [
        _order(2, "b", mobile="598765432"),  # another customer
        _order(2, "b", products=(("p1", 1), ("p2", 1))),  # another quantity
        _order(2, "b", products=(("p1", 1), ("p3", 2))),  # another product
        _order(2, "b", total=41),  # another total
        _order(2, "b", original_order={"id": "a"}),  # a return of the sale
        _order(2, "a"),  # the same order re-sent
    ],
    ids=["customer", "quantity", "product", "total", "return", "same-id"],
)
def test_sales_that_differ_in_anything_are_not_repeats(other: JournalEntry) -> None:
    outcome, _ = _verdict("orders.no_duplicate_sales", _order(1, "a"), other)
    assert outcome is Outcome.PASS


def test_a_repeat_voided_afterwards_earns_nothing_twice() -> None:
    entries = (_order(1, "a"), _order(2, "b"), _order(3, "b", status=7))
    assert _verdict("orders.no_duplicate_sales", *entries)[0] is Outcome.PASS


def test_lines_count_in_any_order() -> None:
    entries = (_order(1, "a"), _order(2, "b", products=(("p2", 2), ("p1", 1))))
    assert _verdict("orders.no_duplicate_sales", *entries)[0] is Outcome.FAIL


def test_a_customer_number_in_another_spelling_is_the_session_customer() -> None:
    entries = (_order(1, "a", mobile="0512345678"), _order(2, "b", mobile="+966512345678", total=7))
    assert _verdict("session.customer_identity", *entries) == (
        Outcome.PASS,
        "all 2 calls that name a customer name the session customer",
    )


def test_lookups_and_redeems_for_another_customer_are_listed_by_kind() -> None:
    entries = (
        _call(1, "reward", "PCT-1", customer_mobile_number="557937530", mobile_country_code="966"),
        _call(2, "redeem", "PCT-1", customer_mobile_number="557937530", mobile_country_code="966"),
        _order(3, "a"),
    )
    assert _verdict("session.customer_identity", *entries) == (
        Outcome.FAIL,
        "1 lookup (#1) was for +966 557937530; 1 redeem (#2) was for +966 557937530; "
        "the session customer is +966 512345678",
    )


def _evidence(*entries: JournalEntry) -> InboundEvidence:
    return InboundEvidence(SESSION, list(entries))


def test_step_of_a_reward_call_is_the_reward_step_of_its_code() -> None:
    evidence = _evidence(_call(1, "reward", "PCT-1"), _call(2, "redeem", "NOT-OURS"))
    assert [step_of(evidence, entry) for entry in evidence.entries] == ["reward-percentage", ""]


def test_step_of_an_order_follows_its_history() -> None:
    evidence = _evidence(
        _order(1, "sold"),
        _order(2, "sold"),
        _order(3, "saved", status=1),
        _order(4, "saved", status=7),
        _order(5, "refunded", products=(("p9", 1),)),
        _order(6, "refunded", status=5, products=(("p9", 1),)),
        _order(7, "return", products=(("p8", 1),), original_order={"id": "x"}),
        _order(8, "discounted", discount={"reason": "Loyalty Redemption", "reward_code": "PCT-1"}),
        _order(9, "retried", at="00:01"),
    )
    assert [step_of(evidence, entry) for entry in evidence.entries] == [
        "order-paid",
        "order-resend",
        "order-void",
        "order-void",
        "order-refund",
        "order-refund",
        "order-refund",
        "reward-percentage",
        "order-resend",
    ]
