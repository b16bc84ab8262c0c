"""`DomainError`: a domain refusal carrying everything a problem+json body needs.

The domain never imports aiohttp; the HTTP layer turns a `DomainError` into its response
(``status``, ``code``, ``title``, ``detail``, ``errors``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from loyapro_mock.mockserver.domain.violations import Violation

__all__ = ["TITLES", "DomainError", "invalid"]

#: Title per stable error code.
TITLES: dict[str, str] = {
    "reward_not_found": "Reward not found",
    "reward_already_redeemed": "Reward already redeemed",
    "reward_expired": "Reward expired",
    "reward_cancelled": "Reward cancelled",
    "reward_not_valid_for_customer": "Reward not valid for this customer",
    "reward_not_valid_for_branch": "Reward not valid at this branch",
    "reward_not_valid_for_business": "Reward not valid for this business",
    "discount_exceeds_reward": "Discount exceeds the reward",
    "product_not_allowed": "Product not allowed by the reward",
    "business_rule_violated": "Business rule violated",
    "unknown_business": "Unknown business",
    "customer_not_found": "Customer not found",
    "validation_failed": "Validation failed",
}


class DomainError(Exception):
    """A request the domain refuses: HTTP status, stable code, human detail, violations."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        title: str | None = None,
        errors: Iterable[Violation] = (),
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.title = title or TITLES.get(code, code.replace("_", " ").capitalize())
        self.detail = detail
        self.errors: list[Violation] = list(errors)
        self.extra: dict[str, Any] = dict(extra or {})


def invalid(pointer: str, message: str, rule: str = "required") -> DomainError:
    """A 422 ``validation_failed`` for one field the domain cannot work without."""
    return DomainError(
        422,
        "validation_failed",
        f"{pointer.lstrip('/') or 'body'}: {message}",
        errors=[Violation(pointer, message, rule)],
    )
