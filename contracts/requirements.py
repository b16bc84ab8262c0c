"""The requirement catalogue: what LoyaPro asks of a POS, one stable id per requirement.

Most ids come from LoyaPro's POS documentation: each item of "Requirements from POS"
(``POS-nn``), the headers every request must carry (``HDR-nn``), the contents the order
webhook payload must include (``ORD-nn``) and the webhook contract itself (``WHK-nn``).
The resilience requirements (``RES-nn``) are LoyaPro best practice, not in its POS
documentation: how a POS copes when LoyaPro misbehaves (a lost answer, a 5xx, a 429, a
refusal). They are their own group (`GROUPS`), and they count for the sign-off like the
others. A requirement is graded by one or more checks (see :mod:`contracts.registry`).
"""

from __future__ import annotations

from dataclasses import dataclass

#: The groups of the catalogue, in report order, with the heading reports show.
DOCUMENTED = "documented"
RESILIENCE = "resilience"
GROUPS: dict[str, str] = {
    DOCUMENTED: "LoyaPro's POS documentation",
    RESILIENCE: "Resilience (LoyaPro best practice, not in LoyaPro's POS documentation)",
}


@dataclass(frozen=True)
class Requirement:
    """One thing LoyaPro requires of a POS, quoted from the documentation it comes from
    (for a best practice: what it asks, in the catalogue's words)."""

    id: str
    title: str
    source: str
    quote: str
    group: str = DOCUMENTED

    def as_dict(self) -> dict[str, str]:
        """The requirement as plain JSON-ready data."""
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "quote": self.quote,
            "group": self.group,
        }


_GETTING_STARTED = "LoyaPro X POS: Getting Started, Requirements from POS"
_HEADERS = "LoyaPro X POS: Getting Started, Communicating with LoyaPro using Webhook"
_PAYLOAD = "LoyaPro X POS: Order Webhook, payload contents"
_WEBHOOK = "LoyaPro X POS: Order Webhook"
_BEST_PRACTICE = "LoyaPro best practice (not in LoyaPro's POS documentation)"

REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        "POS-01",
        "Customers pushed from LoyaPro appear in the POS",
        _GETTING_STARTED,
        "The ability to add customers name & mobile number from LoyaPro to POS system directly, "
        "and the customer appears on the cashier system directly without the need for manual "
        "synchronisation",
    ),
    Requirement(
        "POS-02",
        "Customer search by mobile number or name",
        _GETTING_STARTED,
        "The ability to search for the customer by mobile number or name in POS",
    ),
    Requirement(
        "POS-03",
        "The customer is added to the order",
        _GETTING_STARTED,
        "Adding the customer to the order. The cashier is requested to attach the customer to "
        "the order before the order is paid and confirmed.",
    ),
    Requirement(
        "POS-04",
        "Order details sent on completion, deletion and cancellation",
        _GETTING_STARTED,
        "Sending all order details to LoyaPro after completing, deleting and cancelling the order.",
    ),
    Requirement(
        "POS-05",
        "A reward code field for the cashier",
        _GETTING_STARTED,
        "The reward can be redeemed by adding a field in POST to allow the cashier to fill in "
        "the customer code.",
    ),
    Requirement(
        "POS-06",
        "The reward is verified and its kind shown",
        _GETTING_STARTED,
        "When filling in the code in the reward exchange field, it is verified that the reward "
        "can be disbursed from LoyaPro, and then the type of reward is shown, whether products, "
        "a percentage discount, or a fixed amount deduction",
    ),
    Requirement(
        "POS-07",
        "The cashier chooses the reward with the customer",
        _GETTING_STARTED,
        "The cashier determines the reward according to the customer's desire",
    ),
    Requirement(
        "POS-08",
        "A confirmed reward is reported as redeemed",
        _GETTING_STARTED,
        "When the reward is confirmed, after specifying the type of reward, data is sent to "
        "LoyaPro that the reward has been approved for redemption",
    ),
    Requirement(
        "POS-09",
        "A Product API for the merchant's products",
        _GETTING_STARTED,
        "In order for LoyaPro to provide the reward details it's required to provide a Product "
        "API to fetch the products of the business/merchant",
    ),
    Requirement(
        "HDR-01",
        "Accept: application/json on every request",
        _HEADERS,
        "When consuming LoyaPro API, ensure you include the below headers in every request. "
        "Accept: application/json",
    ),
    Requirement(
        "HDR-02",
        "Content-Type: application/json on every request",
        _HEADERS,
        "When consuming LoyaPro API, ensure you include the below headers in every request. "
        "Content-Type: application/json",
    ),
    Requirement(
        "WHK-01",
        "Webhook calls follow the published contract",
        _WEBHOOK,
        "LoyaPro will provide a Webhook for you to send your order details. The Webhook should "
        "be a POST and will look like this (example payload).",
    ),
    Requirement("ORD-01", "POS business reference", _PAYLOAD, "POS Business Reference or Identifier"),
    Requirement("ORD-02", "Date and time of the event", _PAYLOAD, "Date & Time of event"),
    Requirement("ORD-03", "Branch details", _PAYLOAD, "Branch Details"),
    Requirement("ORD-04", "Product id", _PAYLOAD, "Products details: Id"),
    Requirement("ORD-05", "Product price after tax", _PAYLOAD, "Products details: Price (After tax)"),
    Requirement("ORD-06", "Product quantity", _PAYLOAD, "Products details: Quantity"),
    Requirement(
        "ORD-07",
        "Product status",
        _PAYLOAD,
        "Products details: Status (Added, Paid, Voided or Refunded)",
    ),
    Requirement("ORD-08", "Subtotal", _PAYLOAD, "Total details: Subtotal"),
    Requirement(
        "ORD-09", "Discounted amount", _PAYLOAD, "Total details: Discounts Details, Discounted amount"
    ),
    Requirement(
        "ORD-10",
        "Reason for the discount",
        _PAYLOAD,
        "Total details: Discounts Details, Reason for the discount (Coupon, Loyalty Redemption)",
    ),
    Requirement("ORD-11", "Total including tax", _PAYLOAD, "Total details: Total (Including tax)"),
    Requirement("ORD-12", "Order status", _PAYLOAD, "Order Status (Initiated, Paid, Void, Refunded)"),
    Requirement(
        "RES-01",
        "A lost answer to a paid order is retried under the same order id",
        _BEST_PRACTICE,
        "When the answer to a paid order is lost (LoyaPro committed it, the POS never heard), "
        "the POS sends the same order again, under the same order id, so that the customer "
        "earns once.",
        RESILIENCE,
    ),
    Requirement(
        "RES-02",
        "A redeem answered 5xx is retried as the same redemption",
        _BEST_PRACTICE,
        "When a redeem is answered with a 5xx, the POS sends the same redemption again (the same "
        "code, the same order id), so that the code is redeemed once, on that order.",
        RESILIENCE,
    ),
    Requirement(
        "RES-03",
        "A 429 is retried after Retry-After",
        _BEST_PRACTICE,
        "When LoyaPro answers 429 (rate limited), the POS waits at least the Retry-After "
        "seconds before it sends the call again.",
        RESILIENCE,
    ),
    Requirement(
        "RES-04",
        "A 4xx is not retried unchanged",
        _BEST_PRACTICE,
        "A call LoyaPro refused with a 4xx (other than 429) is final: sent again unchanged it "
        "is refused again; the POS shows the cashier why instead of retrying it.",
        RESILIENCE,
    ),
    Requirement(
        "RES-05",
        "A call that got no answer or a 5xx or 429 is retried",
        _BEST_PRACTICE,
        "A POS retries a call whose answer was lost, answered 5xx or 429: LoyaPro may have "
        "committed it (a lost answer, a 5xx after commit) or not (a 429), and only a retry "
        "tells the POS which.",
        RESILIENCE,
    ),
)

_BY_ID = {requirement.id: requirement for requirement in REQUIREMENTS}


def in_group(group: str) -> list[Requirement]:
    """The catalogue's requirements of one group (`GROUPS`), in catalogue order."""
    return [item for item in REQUIREMENTS if item.group == group]


def requirement(requirement_id: str) -> Requirement:
    """The catalogue entry for ``requirement_id``; ``KeyError`` names the unknown id."""
    try:
        return _BY_ID[requirement_id]
    except KeyError:
        raise KeyError(f"unknown requirement id {requirement_id!r}") from None
