"""A small, correct POS implementing ``openapi/pos-partner.yaml`` (the certification's yardstick)."""

from loyapro_mock.contracts.reference_pos.app import REFERENCE_POS_TOKEN, create_pos_app
from loyapro_mock.contracts.reference_pos.backend import PosBackend, ProductPage, fold_name, normalise_mobile

__all__ = [
    "REFERENCE_POS_TOKEN",
    "PosBackend",
    "ProductPage",
    "create_pos_app",
    "fold_name",
    "normalise_mobile",
]
