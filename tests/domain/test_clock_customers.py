"""The mock's clock and mobile-number normalisation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from loyapro_mock.mockserver.domain.clock import Clock, iso, parse_iso
from loyapro_mock.mockserver.domain.customers import customer_public, normalise_dial_code, normalise_mobile
from loyapro_mock.mockserver.store.protocol import Store

from .factories import T0


def test_clock_moves_forward_and_persists(store: Store, clock: Clock) -> None:
    assert clock.now() == T0
    assert clock.advance(90) == T0 + timedelta(seconds=90)
    assert Clock(store, base=lambda: T0).now() == T0 + timedelta(seconds=90)


def test_clock_refuses_to_go_back(clock: Clock) -> None:
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)


def test_reset_puts_the_clock_back(store: Store, clock: Clock) -> None:
    clock.advance(3600)
    store.reset()
    assert clock.now() == T0


def test_iso_round_trip() -> None:
    moment = datetime(2023, 1, 1, 15, 6, 16, 250000, tzinfo=UTC)
    assert iso(moment) == "2023-01-01T15:06:16.250Z"
    assert parse_iso("2023-01-01T18:06:16.250+03:00") == moment
    assert parse_iso("2023-01-01 15:06:16.25") == moment


@pytest.mark.parametrize(
    ("number", "dial", "expected"),
    [
        ("557937530", 966, (966, "557937530")),
        ("0557937530", "966", (966, "557937530")),
        ("9660557937530", 966, (966, "557937530")),
        ("+966557937530", None, (966, "557937530")),
        ("00966 55 793 7530", "+966", (966, "557937530")),
        ("966557937530", 966, (966, "557937530")),
        (557937530, 966, (966, "557937530")),
        ("+971 50 123 4567", 971, (971, "501234567")),
        ("(055) 793-7530", None, (966, "557937530")),
    ],
)
def test_mobile_normalisation(number: str | int, dial: str | int | None, expected: tuple[int, str]) -> None:
    assert normalise_mobile(number, dial) == expected


@pytest.mark.parametrize("number", ["", "12", "abc", "1234567890123456789"])
def test_impossible_mobiles_are_refused(number: str) -> None:
    with pytest.raises(ValueError, match="not a mobile number"):
        normalise_mobile(number, 966)


def test_dial_codes() -> None:
    assert normalise_dial_code(None) == 966
    assert normalise_dial_code("00971") == 971
    with pytest.raises(ValueError):
        normalise_dial_code("12345")


def test_customer_public_view() -> None:
    row = {"id": 3, "dial_code": 966, "mobile": "557937530", "name": "faisal"}
    assert customer_public(row, enrolled=True) == {
        "name": "faisal",
        "mobile_country_code": "966",
        "customer_mobile_number": "557937530",
        "enrolled": True,
    }
    assert customer_public(None) is None
