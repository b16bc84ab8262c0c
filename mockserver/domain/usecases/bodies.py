"""Reading the fields of a reward, redeem or admin body that the use cases need.

The schema validator has checked the body already in strict mode; these readers still
refuse what the domain cannot work with (lenient mode lets bodies through), with a 422
``validation_failed`` naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loyapro_mock.mockserver.domain.customers import normalise_dial_code, normalise_mobile
from loyapro_mock.mockserver.domain.errors import invalid

__all__ = ["body_object", "customer_key", "optional_text", "required_text", "reward_call"]


def body_object(body: Any) -> Mapping[str, Any]:
    """The body as a mapping; a 422 when it is not a JSON object."""
    if not isinstance(body, Mapping):
        raise invalid("", "the body must be a JSON object", "type")
    return body


def optional_text(body: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    """A non-empty string field (an integer is read as its digits); None when absent."""
    value = body.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value:
        return value
    if required or value is not None:
        raise invalid(
            f"/{key}",
            "is required (a non-empty string)" if value is None else "must be a non-empty string",
            "required" if value is None else "type",
        )
    return None


def required_text(body: Mapping[str, Any], key: str) -> str:
    """A non-empty string field that must be there."""
    value = optional_text(body, key, required=True)
    assert value is not None
    return value


def customer_key(body: Mapping[str, Any]) -> tuple[int, str]:
    """(dial code, mobile) from a reward/redeem body; a 422 when it cannot be read."""
    mobile = required_text(body, "customer_mobile_number")
    dial = body.get("mobile_country_code")
    try:
        dial_code = normalise_dial_code(dial if isinstance(dial, str | int) else None)
    except ValueError as exc:
        raise invalid("/mobile_country_code", str(exc), "customer.mobile") from exc
    try:
        return normalise_mobile(mobile, dial_code)
    except ValueError as exc:
        raise invalid("/customer_mobile_number", str(exc), "customer.mobile") from exc


def reward_call(body: Any) -> tuple[Mapping[str, Any], str, tuple[int, str]]:
    """What every reward webhook (lookup, redeem) carries: the body as a mapping, its
    ``reward_code`` and its customer's (dial code, mobile)."""
    body = body_object(body)
    return body, required_text(body, "reward_code"), customer_key(body)
