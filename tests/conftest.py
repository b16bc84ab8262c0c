"""Shared test helpers."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
DOCS_EXAMPLE = Path(__file__).resolve().parents[1] / "openapi" / "examples" / "order.json"


@pytest.fixture(scope="session")
def _docs_order() -> dict[str, Any]:
    return json.loads(DOCS_EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def docs_order(_docs_order: dict[str, Any]) -> dict[str, Any]:
    """A fresh copy of the order example LoyaPro publishes (safe to mutate)."""
    return copy.deepcopy(_docs_order)
