"""Shared test helpers."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

#: The repository's copy of the order example LoyaPro publishes in its POS docs. Tests read
#: nothing outside the repository; `DOCS_EXAMPLE_SHA256` pins the copy to the published bytes.
DOCS_EXAMPLE = Path(__file__).resolve().parents[1] / "openapi" / "examples" / "order.json"
DOCS_EXAMPLE_SHA256 = "d37b22d523fa036839d020c819985528a3cc3e91d5d98b1045bafd69f511e32d"


@pytest.fixture(scope="session")
def _docs_order() -> dict[str, Any]:
    return json.loads(DOCS_EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def docs_order(_docs_order: dict[str, Any]) -> dict[str, Any]:
    """A fresh copy of the order example LoyaPro publishes (safe to mutate)."""
    return copy.deepcopy(_docs_order)
