"""Amounts graded against independent sources: line prices against the POS's Product API (the
session's catalogue), redeemed amounts against the rewards' terms."""

from __future__ import annotations

import pytest

from loyapro_mock.contracts.harness import RunningMock
from loyapro_mock.contracts.mock_admin import MockAdmin, MockAdminError
from loyapro_mock.contracts.reference_pos.backend import default_catalogue

CATALOGUE = default_catalogue()


def test_the_mock_admin_api_adds_the_pos_products(mock: RunningMock) -> None:
    admin = MockAdmin(mock.url)
    added = admin.add_products(440810, CATALOGUE[:2])
    assert added["added"] == 2 and added["business_reference"] == "440810"
    assert added["total"] >= 2
    with pytest.raises(MockAdminError, match=r"422.*unknown_business"):
        admin.add_products(999999, CATALOGUE[:1])
    with pytest.raises(MockAdminError, match="422"):
        admin.add_products(440810, [])
