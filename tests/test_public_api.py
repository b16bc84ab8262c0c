"""The public surface of each package, pinned: what ``__all__`` exports, and that it resolves.

A change here is a change of the API a user imports: make it on purpose, and say so.
"""

from __future__ import annotations

import importlib
import pkgutil
import types

import pytest

import loyapro_mock

PUBLIC: dict[str, list[str]] = {
    "loyapro_mock": ["__version__"],
    "loyapro_mock.cli": ["main"],
    "loyapro_mock.openapi": ["EXAMPLE_NAMES", "SPEC_NAMES", "example_path", "load_spec", "spec_path"],
    "loyapro_mock.mockserver": [],
    "loyapro_mock.mockserver.domain": [],
    "loyapro_mock.mockserver.domain.usecases": [
        "LoyaPro",
        "PreparedOrder",
        "add_product",
        "advance_clock",
        "apply_order",
        "businesses",
        "cancel_reward",
        "convert_cashback",
        "customer_view",
        "issue_reward",
        "issue_reward_request",
        "list_orders",
        "list_products",
        "lookup_reward",
        "prepare_order",
        "process_order",
        "redeem_reward",
        "redemptions",
        "register_business",
        "reset",
        "reward_state",
        "state_marker",
        "subscribe",
        "upsert_customer",
    ],
    "loyapro_mock.mockserver.store": [
        "Store",
        "StoreError",
        "check_db",
        "describe_db",
        "is_postgres",
        "open_store",
    ],
    "loyapro_mock.mockserver.store.postgres": ["PostgresStore"],
    "loyapro_mock.mockserver.store.sql": [],
    "loyapro_mock.mockserver.store.sqlite": ["SqliteStore"],
    "loyapro_mock.mockserver.http": [
        "DEFAULT_SECRET",
        "DOCS_SAMPLE_TOKEN",
        "Settings",
        "SettingsError",
        "SpecValidator",
        "StaticToken",
        "UnsupportedSpecError",
        "create_app",
        "issue_token",
        "prepare_state",
        "run_workers",
        "serve_app",
    ],
    "loyapro_mock.mockserver.http.pipeline": [],
    "loyapro_mock.contracts": [
        "CheckSpec",
        "DuplicateCheckError",
        "Evidence",
        "Finding",
        "Outcome",
        "REQUIREMENTS",
        "Registry",
        "Report",
        "Requirement",
        "SignOff",
        "Verdict",
    ],
    "loyapro_mock.contracts.inbound": [
        "INBOUND",
        "InboundEvidence",
        "JournalEntry",
        "collect_inbound_evidence",
        "evaluate_session",
    ],
    "loyapro_mock.contracts.outbound": [
        "DEFAULT_MAX_EXAMPLES",
        "OUTBOUND",
        "OutboundEvidence",
        "Progress",
        "certify_pos",
        "collect_outbound_evidence",
    ],
    "loyapro_mock.contracts.reference_pos": [
        "PosBackend",
        "ProductPage",
        "REFERENCE_POS_TOKEN",
        "create_pos_app",
        "fold_name",
        "normalise_mobile",
    ],
    "loyapro_mock.contracts.reports": [
        "print_report",
        "render_html",
        "render_json",
        "render_junit",
        "summary_table",
        "tool_version",
        "verdict_line",
        "write_all",
        "write_html",
        "write_json",
        "write_junit",
    ],
    "loyapro_mock.fixtures": [
        "Catalog",
        "Customer",
        "DOCS_CUSTOMER",
        "FORMATS",
        "INVALID_RULES",
        "KINDS",
        "ORDER_STATES",
        "REWARD_KINDS",
        "Reward",
        "World",
        "catalog",
        "detached",
        "invalid",
        "iter_customers",
        "iter_drafts",
        "iter_invalid",
        "iter_orders",
        "iter_rewards",
        "list_scenarios",
        "render_order",
        "render_scenario",
        "write_records",
    ],
}


def _packages() -> list[str]:
    found = [
        info.name for info in pkgutil.walk_packages(loyapro_mock.__path__, "loyapro_mock.") if info.ispkg
    ]
    return ["loyapro_mock", *found]


def test_every_package_is_pinned() -> None:
    """A new package gets an ``__all__`` and an entry here."""
    assert sorted(_packages()) == sorted(PUBLIC)


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_the_package_exports_exactly_its_pinned_names(name: str) -> None:
    package = importlib.import_module(name)
    assert sorted(package.__all__) == PUBLIC[name]


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_every_exported_name_resolves(name: str) -> None:
    package = importlib.import_module(name)
    assert [member for member in package.__all__ if not hasattr(package, member)] == []


def test_the_fixtures_submodules_are_not_shadowed_by_their_functions() -> None:
    """``render_order`` and ``render_scenario`` keep the modules ``render`` and ``scenario``."""
    from loyapro_mock import fixtures

    assert isinstance(fixtures.render, types.ModuleType)
    assert isinstance(fixtures.scenario, types.ModuleType)
