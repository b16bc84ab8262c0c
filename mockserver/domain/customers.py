"""Customers: mobile normalisation, matching by mobile, automatic enrolment.

LoyaPro knows a customer by dial code + mobile. POS systems send the same number in many
spellings (``0557937530``, ``+966557937530``, ``00966 55 793 7530``); all of them must find
the same customer, so every number is reduced to (dial code, national digits) first.
"""

from __future__ import annotations

from typing import Any

from loyapro_mock.mockserver.domain.records import Row, StoreTx

__all__ = [
    "DEFAULT_DIAL_CODE",
    "customer_public",
    "match_customer",
    "normalise_dial_code",
    "normalise_mobile",
]

DEFAULT_DIAL_CODE = 966
_MIN_DIGITS, _MAX_DIGITS = 6, 14


def normalise_dial_code(dial_code: str | int | None) -> int:
    """``"+966"``, ``"00966"``, ``966`` -> 966; None or empty -> the default (966).

    Raises ValueError when the value has no digits or too many to be a dial code.
    """
    if dial_code is None or (isinstance(dial_code, str) and not dial_code.strip()):
        return DEFAULT_DIAL_CODE
    if isinstance(dial_code, bool):
        raise ValueError("a dial code is a number such as 966")
    text = str(dial_code)
    digits = (text if text.isdigit() else "".join(ch for ch in text if ch.isdigit())).lstrip("0")
    if not digits or len(digits) > 4:
        raise ValueError(f"{dial_code!r} is not a dial code (expected digits such as 966)")
    return int(digits)


def normalise_mobile(number: str | int, dial_code: str | int | None = None) -> tuple[int, str]:
    """Reduce a mobile number to ``(dial_code, national_digits)``.

    Keeps digits only; strips an international prefix (``+`` or ``00``) and the dial code
    when the number starts with it; strips leading zeros. ``("0557937530", 966)``,
    ``("+966557937530", None)`` and ``("557937530", "966")`` all give ``(966, "557937530")``.
    Raises ValueError when fewer than 6 or more than 14 national digits remain.
    """
    dial = normalise_dial_code(dial_code)
    text = str(number).strip()
    digits = text if text.isdigit() else "".join(ch for ch in text if ch.isdigit())
    international = text.startswith("+") or digits.startswith("00")
    digits = digits[2:] if digits.startswith("00") else digits
    prefix = str(dial)
    if digits.startswith(prefix) and (international or len(digits) - len(prefix) >= _MIN_DIGITS + 2):
        digits = digits[len(prefix) :]
    national = digits.lstrip("0")
    if not _MIN_DIGITS <= len(national) <= _MAX_DIGITS:
        raise ValueError(
            f"{number!r} is not a mobile number: expected {_MIN_DIGITS}-{_MAX_DIGITS} digits"
            f" after the dial code, e.g. 557937530 with dial code 966"
        )
    return dial, national


def customer_public(customer: Row | None, *, enrolled: bool | None = None) -> dict[str, Any] | None:
    """The customer as the API shows it (strings, like the reward endpoints take them)."""
    if customer is None:
        return None
    out: dict[str, Any] = {
        "name": customer.get("name"),
        "mobile_country_code": str(customer["dial_code"]),
        "customer_mobile_number": customer["mobile"],
    }
    if enrolled is not None:
        out["enrolled"] = enrolled
    return out


def match_customer(
    tx: StoreTx,
    business_reference: str,
    dial_code: int,
    mobile: str,
    name: str | None,
    *,
    source: str,
    now: str,
) -> tuple[Row, bool]:
    """Find the business's customer with this normalised mobile, enrolling them if new.

    Returns ``(customer, enrolled)``; ``enrolled`` is True when this call created them. A
    known customer without a name takes the name given here.
    """
    customer = tx.find_customer(business_reference, dial_code, mobile)
    if customer is not None:
        if name and not customer.get("name"):
            tx.rename_customer(customer["id"], name)
            customer = {**customer, "name": name}
        return customer, False
    return tx.add_customer(business_reference, dial_code, mobile, name, source, now), True
