"""The demo state: the docs' business, branch, customer, catalog and one code of each kind."""

from __future__ import annotations

from loyapro_mock.mockserver.domain.usecases import (
    LoyaPro,
    businesses,
    customer_view,
    list_products,
    process_order,
    redeem_reward,
    reset,
)
from loyapro_mock.mockserver.domain.usecases.demo_state import DEMO_CODES, seed_demo

from .factories import BRANCH_ID, DOCS_MOBILE, docs_order


def test_demo_business_branch_and_catalog(service: LoyaPro) -> None:
    (business,) = businesses(service)
    assert (business["reference"], business["name"], business["pos_name"]) == (
        "440810",
        "north coffee",
        "foodics",
    )
    assert [(b["id"], b["reference"]) for b in business["branches"]] == [(BRANCH_ID, "b06")]
    products = {p["id"]: p for p in list_products(service, "440810")}
    assert len(products) == 5
    assert (products["_7g3g8555"]["sku"], products["_7g3g8555"]["name"]) == ("prd_7g3g8555", "blue north")


def test_demo_customers_and_codes(service: LoyaPro) -> None:
    view = customer_view(service, DOCS_MOBILE, 966, 440810)
    assert view["customer"]["name"] == "faisal alsalamah"
    assert sorted((r["kind"], r["code"]) for r in view["rewards"]) == sorted(
        (kind, code) for kind, code in DEMO_CODES.items()
    )
    with service.store.snapshot() as tx:
        assert len(tx.list_customers("440810")) == 4


def test_seeding_again_keeps_what_happened(service: LoyaPro) -> None:
    process_order(service, "foodics", docs_order())
    redeem_reward(
        service,
        "foodics",
        {
            "reward_code": DEMO_CODES["fixed_amount"],
            "business_reference": "440810",
            "order_id": "o1",
            "branch_id": BRANCH_ID,
            "discount_amount": 10,
            "customer_mobile_number": DOCS_MOBILE,
            "mobile_country_code": 966,
            "date": "d",
            "user_id": "u",
        },
    )
    state = seed_demo(service)
    assert state.codes == DEMO_CODES
    view = customer_view(service, DOCS_MOBILE)
    assert view["balances"]["points"] == 20
    statuses = {r["code"]: r["status"] for r in view["rewards"]}
    assert statuses[DEMO_CODES["fixed_amount"]] == "redeemed"
    assert len(view["rewards"]) == 3


def test_reset_reloads_the_demo(service: LoyaPro) -> None:
    process_order(service, "foodics", docs_order())
    reset(service)
    view = customer_view(service, DOCS_MOBILE)
    assert view["balances"] == {"points": 0, "stamps": 0, "cashback": 0}
    assert view["ledger"] == []
    assert {r["status"] for r in view["rewards"]} == {"issued"}


def test_reset_without_reseed_is_empty(service: LoyaPro) -> None:
    reset(service, reseed=False)
    assert businesses(service) == []
