"""Builders of valid order webhooks (tax-inclusive, 15% VAT) and redeems for the domain tests."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

# BRANCH_ID and DOCS_MOBILE are the domain tests' names of the docs' branch and customer.
from support.payloads import DOCS_BRANCH as BRANCH_ID
from support.payloads import DOCS_CUSTOMER as DOCS_MOBILE
from support.payloads import docs_order, redeem_body

__all__ = ["BRANCH_ID", "DOCS_MOBILE", "T0", "docs_order", "order", "redeem", "with_status"]

#: Where the domain tests' clock starts: 2023-01-01 15:00 UTC.
T0 = datetime(2023, 1, 1, 15, 0, 0, tzinfo=UTC)


def redeem(code: str, order_id: str) -> dict[str, Any]:
    """A redeem of 10 off with ``code`` on ``order_id`` by cashier-1, five minutes after `T0`."""
    return redeem_body(code, order_id, 10, date="2023-01-01 15:05:00", user_id="cashier-1")


def order(
    order_id: str,
    lines: list[tuple[str, float, float]],
    *,
    status: int = 4,
    mobile: str | None = DOCS_MOBILE,
    dial_code: int | str = 966,
    returned: dict[int, float] | None = None,
    original_order: str | None = None,
    business: int | str = 440810,
) -> dict[str, Any]:
    """A tax-inclusive order: ``lines`` are (product id, quantity, unit price incl. VAT).

    Paid orders (status 4) carry one cash payment of the total.
    """
    products: list[dict[str, Any]] = []
    for i, (product_id, quantity, unit_price) in enumerate(lines):
        total = round(unit_price * quantity, 5)
        exclusive = round(total / 1.15, 5)
        products.append(
            {
                "id": f"{order_id}-line-{i}",
                "product": {"id": product_id, "sku": f"prd{product_id}", "name": product_id},
                "quantity": quantity,
                "returned_quantity": (returned or {}).get(i, 0),
                "unit_price": unit_price,
                "total_price": total,
                "tax_exclusive_unit_price": round(unit_price / 1.15, 5),
                "tax_exclusive_total_price": exclusive,
                "discount_amount": 0,
                "status": 3,
                "options": [],
                "taxes": [
                    {"id": "vat", "rate": 15, "pivot": {"amount": round(total - exclusive, 5), "rate": 15}}
                ],
            }
        )
    total = round(sum(p["total_price"] for p in products), 5)
    body: dict[str, Any] = {
        "timestamp": 1672585625,
        "event": "customer.order.created",
        "business": {"name": "LoyaPro Coffee", "reference": business},
        "order": {
            "id": order_id,
            "status": status,
            "branch": {"id": BRANCH_ID, "name": "north coffee esplanade"},
            "customer": None
            if mobile is None
            else {"name": "test customer", "dial_code": dial_code, "phone": mobile},
            "original_order": None if original_order is None else {"id": original_order},
            "discount": None,
            "charges": [],
            "payments": []
            if status != 4
            else [{"amount": total, "payment_method": {"id": "cash", "name": "cash"}}],
            "products": products,
            "subtotal_price": round(sum(p["tax_exclusive_total_price"] for p in products), 5),
            "discount_amount": 0,
            "rounding_amount": 0,
            "total_price": total,
        },
    }
    return body


def with_status(body: dict[str, Any], status: int, **line_returns: float) -> dict[str, Any]:
    """A copy of ``body`` in another status; ``line_0=1`` sets a line's returned quantity."""
    out = copy.deepcopy(body)
    out["order"]["status"] = status
    for key, value in line_returns.items():
        out["order"]["products"][int(key.split("_")[1])]["returned_quantity"] = value
    return out
