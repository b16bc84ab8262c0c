"""The docs' example order and the request bodies built around the docs' customer."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

#: The repository's copy of the order example LoyaPro publishes in its POS docs. Tests read
#: nothing outside the repository; `DOCS_EXAMPLE_SHA256` pins the copy to the published bytes.
DOCS_EXAMPLE = Path(__file__).resolve().parents[2] / "openapi" / "examples" / "order.json"
DOCS_EXAMPLE_SHA256 = "d37b22d523fa036839d020c819985528a3cc3e91d5d98b1045bafd69f511e32d"
_DOCS_ORDER: dict[str, Any] = json.loads(DOCS_EXAMPLE.read_text(encoding="utf-8"))

#: The docs' customer (+966 557937530), branch and business, all in the demo state.
DOCS_CUSTOMER = "557937530"
DOCS_BRANCH = "97be5de5-ae01-4efe-8355-7c6aaf077be7"
BUSINESS = 440810
#: The demo reward codes of the docs' customer, by kind.
DEMO_CODES = {"products": "PRD-4B8N2X", "percentage": "PCT-9T3W5H", "fixed_amount": "FIX-7Q2M9K"}


def docs_order() -> dict[str, Any]:
    """A fresh copy of the docs' example order webhook (safe to mutate)."""
    return copy.deepcopy(_DOCS_ORDER)


def lookup_body(code: str, **overrides: Any) -> dict[str, Any]:
    """A reward lookup for the docs' customer at the demo business."""
    return {
        "reward_code": code,
        "business_reference": BUSINESS,
        "customer_mobile_number": DOCS_CUSTOMER,
        "mobile_country_code": "966",
        "branch_id": DOCS_BRANCH,
        **overrides,
    }


def redeem_body(code: str, order_id: str, amount: float, **overrides: Any) -> dict[str, Any]:
    """A redeem of ``code`` on ``order_id`` for the docs' customer at the demo branch."""
    return {
        "reward_code": code,
        "business_reference": BUSINESS,
        "order_id": order_id,
        "branch_id": DOCS_BRANCH,
        "discount_amount": amount,
        "customer_mobile_number": DOCS_CUSTOMER,
        "mobile_country_code": "966",
        "date": "2023-01-01 15:06:16",
        "user_id": "97c817bd-ff52-4aa9-ad52-f12d14d2996d",
        **overrides,
    }


def session_body(since_id: int = 1, **overrides: Any) -> dict[str, Any]:
    """A session of POS foodics whose two steps are a paid order, then a lookup and a redeem
    of the demo's fixed-amount code."""
    code = DEMO_CODES["fixed_amount"]
    return {
        "id": "cert-0123456789",
        "pos_name": "foodics",
        "business_reference": 440810,
        "since_id": since_id,
        "steps": [
            {
                "id": "order-paid",
                "title": "Sell to a known customer",
                "expects": [
                    {
                        "description": "an order sent Paid",
                        "operation": "order",
                        "body": {"/order/status": 4},
                        "response": {"/status": "Paid", "/customer/customer_mobile_number": DOCS_CUSTOMER},
                    }
                ],
            },
            {
                "id": "reward-fixed-amount",
                "title": "Redeem a fixed-amount reward",
                "expects": [
                    {
                        "description": f"a lookup of {code}",
                        "operation": "reward",
                        "body": {"/reward_code": code},
                    },
                    {
                        "description": f"a redeem of {code}",
                        "operation": "redeem",
                        "body": {"/reward_code": code},
                    },
                ],
            },
        ],
        **overrides,
    }
