"""Admin use cases on businesses and their catalogs: register a business with its branches,
list businesses, add and list products."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from loyapro_mock.mockserver.domain.errors import invalid
from loyapro_mock.mockserver.domain.usecases.loyapro import LoyaPro, known_business

__all__ = ["add_product", "businesses", "list_products", "register_business"]


def businesses(loyapro: LoyaPro) -> list[dict[str, Any]]:
    """Every business with its branches."""
    with loyapro.store.snapshot() as tx:
        return [{**b, "branches": tx.list_branches(b["reference"])} for b in tx.list_businesses()]


def register_business(
    loyapro: LoyaPro,
    reference: str | int,
    name: str,
    pos_name: str,
    *,
    branches: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Create or update a business and its branches (``{id, name, reference}``)."""
    ref = str(reference)
    with loyapro.store.transaction() as tx:
        tx.put_business(ref, name, pos_name, loyapro.iso_now())
        for branch in branches:
            tx.put_branch(
                ref, str(branch["id"]), str(branch.get("name") or branch["id"]), branch.get("reference")
            )
    return next(b for b in businesses(loyapro) if b["reference"] == ref)


def add_product(loyapro: LoyaPro, business_reference: str | int, product: Mapping[str, Any]) -> None:
    """Add or update a catalog product (``id`` required; ``sku``, ``name``, ``price``...)."""
    if not product.get("id"):
        raise invalid("/id", "a product needs an id")
    with loyapro.store.transaction() as tx:
        reference = known_business(tx, business_reference)["reference"]
        tx.put_product(reference, {**product, "id": str(product["id"])})


def list_products(loyapro: LoyaPro, business_reference: str | int) -> list[dict[str, Any]]:
    """The catalog of a business."""
    with loyapro.store.snapshot() as tx:
        return tx.list_products(str(business_reference))
