"""Amounts graded against independent sources: line prices against the POS's Product API (the
session's catalogue), redeemed amounts against the rewards' terms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from faulty_amounts import AppliesPercentageAsFixed, FreeProductAtNetPrice, SendsNetPricesAsGross

from loyapro_mock.contracts.driver import Driver
from loyapro_mock.contracts.findings import Finding, Outcome
from loyapro_mock.contracts.harness import RunningMock, run_inbound
from loyapro_mock.contracts.inbound import INBOUND, InboundEvidence, JournalEntry
from loyapro_mock.contracts.mock_admin import MockAdmin, MockAdminError
from loyapro_mock.contracts.reference_pos.backend import default_catalogue
from loyapro_mock.contracts.registry import failed_checks
from loyapro_mock.contracts.session import CatalogueProduct, CertSession

CATALOGUE = default_catalogue()
PRICES = "orders.prices_match_catalogue"
TERMS = "rewards.amount_matches_terms"


def _finding(findings: list[Finding], check: str) -> Finding:
    return next(finding for finding in findings if finding.check == check)


@pytest.mark.parametrize(
    ("driver", "seed", "says"),
    [
        (
            SendsNetPricesAsGross,
            51,
            {
                PRICES: [
                    "line prd-0001 'blue north': unit price 20.87, the POS's Product API says 24.00 "
                    "(tax-inclusive); every line is 13.04% low — net prices sent as prices after tax?"
                ],
                TERMS: ["took 20.8696 off for product prd-0001 'blue north'", "expected 24"],
            },
        ),
        (
            AppliesPercentageAsFixed,
            52,
            {TERMS: ["took 15 off; the reward is 20% of the order's 26 = 5.2, at most 15: expected 5.2"]},
        ),
        (
            FreeProductAtNetPrice,
            53,
            {
                TERMS: [
                    "took 20.8696 off",
                    "lists it at 24.00 (tax-inclusive): expected 24 — its price before tax?",
                ]
            },
        ),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else None,
)
def test_amounts_that_agree_with_each_other_but_not_with_their_source_fail(
    mock: RunningMock, driver: type[Driver], seed: int, says: dict[str, list[str]]
) -> None:
    run = run_inbound(mock, driver=driver, catalogue=CATALOGUE, seed=seed, resilience=False)
    assert failed_checks(run.findings) == driver.CAUGHT_BY == set(says)  # type: ignore[attr-defined]
    for check, texts in says.items():
        finding = _finding(run.findings, check)
        assert finding.outcome is Outcome.FAIL
        assert any(item.kind == "journal" for item in finding.evidence)
        for text in texts:
            assert text in finding.received


def test_the_reference_pos_redeems_what_each_reward_is_worth(mock: RunningMock) -> None:
    run = run_inbound(mock, catalogue=CATALOGUE, seed=54)
    prices, terms = _finding(run.findings, PRICES), _finding(run.findings, TERMS)
    assert prices.outcome is Outcome.PASS, prices.received
    assert (
        prices.received == "11 order lines at the prices the POS's Product API lists (tax-inclusive orders)"
    )
    assert terms.outcome is Outcome.PASS, terms.received
    assert "products 24 (blue north free)" in terms.received
    assert "percentage 5.2 (20% of the order's 26 = 5.2, at most 15)" in terms.received
    assert "fixed_amount 10 (a fixed 10)" in terms.received


def test_without_a_catalogue_prices_and_the_free_product_are_not_graded(mock: RunningMock) -> None:
    run = run_inbound(mock, seed=55)  # the driver sells its own products; the session knows none
    prices, terms = _finding(run.findings, PRICES), _finding(run.findings, TERMS)
    assert prices.outcome is Outcome.NOT_EXERCISED
    assert "the session has no catalogue of the POS's products" in prices.received
    assert "--pos-url" in prices.received
    assert terms.outcome is Outcome.NOT_EXERCISED
    assert "the free product prd-0005 cannot be priced" in terms.received
    assert "2 other redeems match their terms" in terms.received


def test_the_session_keeps_its_catalogue_in_session_json(mock: RunningMock, tmp_path: Path) -> None:
    run = run_inbound(mock, catalogue=CATALOGUE, seed=56)
    loaded = CertSession.load(run.session.save(tmp_path))
    assert loaded.catalogue == run.session.catalogue
    assert loaded.catalogue_source == "the POS's Product API"
    assert loaded.product("prd-0001") == CatalogueProduct("prd-0001", "blue north", 24.0, True, "sk-0001")
    assert loaded.product("sk-0002") == loaded.product("prd-0002")
    assert CertSession.from_dict({**run.session.as_dict(), "catalogue": []}).catalogue == []


def test_a_catalogue_price_converts_to_each_pricing_mode() -> None:
    gross = CatalogueProduct("p", "latte", 23.0, tax_inclusive=True)
    net = CatalogueProduct("p", "latte", 20.0, tax_inclusive=False)
    assert gross.price_in("inclusive") == 23.0
    assert gross.price_in("exclusive") == pytest.approx(20.0)
    assert net.price_in("inclusive") == pytest.approx(23.0)
    assert net.price_in("exclusive") == 20.0


def test_the_mock_admin_api_adds_the_pos_products(mock: RunningMock) -> None:
    admin = MockAdmin(mock.url)
    added = admin.add_products(440810, CATALOGUE[:2])
    assert added["added"] == 2 and added["business_reference"] == "440810"
    assert added["total"] >= 2
    with pytest.raises(MockAdminError, match=r"422.*unknown_business"):
        admin.add_products(999999, CATALOGUE[:1])
    with pytest.raises(MockAdminError, match="422"):
        admin.add_products(440810, [])


# -- graded on hand-made evidence: the tax-exclusive mode, products the catalogue lacks --------


def _evidence(catalogue: list[CatalogueProduct], *orders: dict[str, Any]) -> InboundEvidence:
    session = CertSession(
        id="cert-test",
        mock_url="http://mock",
        pos_name="foodics",
        business_reference=440810,
        branch_id="b",
        created_at="2024-01-01T00:00:00Z",
        catalogue=catalogue,
        catalogue_source="the POS's Product API",
    )
    entries = [
        JournalEntry.from_dict(
            {"id": i, "operation": "order", "status": 200, "request": {"body": {"order": order}}}
        )
        for i, order in enumerate(orders, start=1)
    ]
    return InboundEvidence(session, entries)


def _exclusive_order(unit: float, product_id: str = "p1") -> dict[str, Any]:
    """A tax-exclusive order of one line: total_price is before tax, the tax is added."""
    tax = round(unit * 0.15, 5)
    return {
        "id": "o1",
        "status": 4,
        "products": [
            {
                "id": "l1",
                "product": {"id": product_id, "name": "latte"},
                "quantity": 1,
                "unit_price": unit,
                "total_price": unit,
                "tax_exclusive_total_price": unit,
                "taxes": [{"id": "vat", "pivot": {"amount": tax, "rate": 15}}],
            }
        ],
        "total_price": unit + tax,
    }


def _run(evidence: InboundEvidence, check: str) -> Finding:
    return _finding(INBOUND.run(evidence, only=[check]), check)


def test_a_tax_exclusive_order_carries_the_price_before_tax() -> None:
    latte = CatalogueProduct("p1", "latte", 23.0, tax_inclusive=True)
    assert _run(_evidence([latte], _exclusive_order(20.0)), PRICES).outcome is Outcome.PASS
    wrong = _run(_evidence([latte], _exclusive_order(23.0)), PRICES)
    assert wrong.outcome is Outcome.FAIL
    assert wrong.received == (
        "line p1 'latte': unit price 23.00, the POS's Product API says 23.00 (tax-inclusive), "
        "i.e. 20.00 in this tax-exclusive order; every line is 15.00% high — tax added to prices "
        "that already include it?"
    )


def test_a_line_of_a_product_the_catalogue_does_not_list_fails() -> None:
    latte = CatalogueProduct("p1", "latte", 23.0)
    finding = _run(_evidence([latte], _exclusive_order(20.0, product_id="sku-9")), PRICES)
    assert finding.outcome is Outcome.FAIL
    assert finding.received.startswith(
        "line sku-9 'latte' of order o1: the POS's Product API lists no product sku-9 (it lists 1)"
    )
