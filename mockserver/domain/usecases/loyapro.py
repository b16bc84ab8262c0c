"""`LoyaltyService`: the one facade the HTTP handlers call. No aiohttp here.

Webhooks (one store transaction each; a `DomainError` carries status, code and detail):

- ``process_order(pos_name, payload, *, lenient=False, raw=None) -> OrderResult``: business rules
  (`mockserver.domain.rules`), return linkage (rule ``order.return_unlinked``), customer matching
  (unknown customers are enrolled: ``customer.enrolled``), then `mockserver.domain.order_lifecycle`.
  Returns ``{order_id, business_reference, status, foodics_status, duplicate, customer,
  loyalty: {earned, reversed, reason}, rewards_issued, redemptions_released, violations}``.
  It is ``apply_order(pos_name, prepare_order(payload, raw), lenient=...)``: the server runs
  `prepare_order` (the order's facts and business rules, no state) before it queues for the
  write lock, and only `apply_order` in the group commit.
- ``lookup_reward(pos_name, body) -> Reward`` (never changes state).
- ``redeem_reward(pos_name, body) -> Redemption`` (``replay`` true for a retry).

Admin and demo state:

- ``issue_reward(business_reference, kind, customer, **opts) -> Reward`` and
  ``issue_reward_request(body)`` for the spec's ``IssueRewardRequest``;
  ``cancel_reward(code) -> Reward``; ``convert_cashback(business_reference, mobile, *,
  dial_code=966, amount=None) -> Reward``.
- ``customer_view(mobile, dial_code=966, business_reference=None) -> CustomerState``
  ``{customer, business_reference, balances, ledger, rewards, subscriptions}``.
- ``upsert_customer(business_reference, mobile, dial_code=966, name=None) -> dict``,
  ``register_business(reference, name, pos_name, *, branches=())``,
  ``add_product(business_reference, product)``, ``list_products(business_reference)``,
  ``subscribe(business_reference, mobile, plan, *, dial_code=966, days=30) -> dict``,
  ``businesses() -> list[dict]``, ``redemptions(code=None) -> list[dict]``.
- ``reset(*, reseed=True)`` (empties the store, then runs the ``seeder`` given to the
  constructor), ``advance_clock(seconds) -> datetime`` (also persists expiries),
  ``now() -> datetime``.

Constructor: ``LoyaltyService(store, programs=None, clock=None, *, seeder=None,
auto_register=False)``; ``auto_register`` makes an unknown business reference register
itself on its first order instead of failing with ``unknown_business``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

from loyapro_mock.mockserver.domain import order_lifecycle, reward_codes
from loyapro_mock.mockserver.domain.clock import Clock
from loyapro_mock.mockserver.domain.customers import normalise_dial_code, normalise_mobile
from loyapro_mock.mockserver.domain.errors import DomainError, invalid
from loyapro_mock.mockserver.domain.orders import OrderFacts, mapping, number, read_order
from loyapro_mock.mockserver.domain.programs import ProgramsConfig
from loyapro_mock.mockserver.domain.records import Row, StoreTx
from loyapro_mock.mockserver.domain.rules import check_order
from loyapro_mock.mockserver.domain.usecases.admin import AdminOperations
from loyapro_mock.mockserver.domain.violations import Violation
from loyapro_mock.mockserver.store.protocol import Store

__all__ = ["DomainError", "LoyaltyService", "PreparedOrder"]


def _object(body: Any) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise invalid("", "the body must be a JSON object", "type")
    return body


def _text(body: Mapping[str, Any], key: str, *, required: bool = True) -> str | None:
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


def customer_key(body: Mapping[str, Any]) -> tuple[int, str]:
    """(dial code, mobile) from a reward/redeem body; a 422 when it cannot be read."""
    mobile = _text(body, "customer_mobile_number")
    assert mobile is not None
    dial = body.get("mobile_country_code")
    try:
        dial_code = normalise_dial_code(dial if isinstance(dial, str | int) else None)
    except ValueError as exc:
        raise invalid("/mobile_country_code", str(exc), "customer.mobile") from exc
    try:
        return normalise_mobile(mobile, dial_code)
    except ValueError as exc:
        raise invalid("/customer_mobile_number", str(exc), "customer.mobile") from exc


class PreparedOrder(NamedTuple):
    """An order webhook body with what `LoyaltyService.prepare_order` read from it."""

    payload: dict[str, Any]
    facts: OrderFacts
    violations: tuple[Violation, ...]


class LoyaltyService(AdminOperations):
    """The mock's domain behind the HTTP handlers (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        programs: ProgramsConfig | None = None,
        clock: Clock | None = None,
        *,
        seeder: Callable[[LoyaltyService], object] | None = None,
        auto_register: bool = False,
    ) -> None:
        self.store = store
        self.programs = programs or ProgramsConfig()
        self.clock = clock or Clock(store)
        self.seeder = seeder
        self.auto_register = auto_register

    def now(self) -> datetime:
        """The mock's clock."""
        return self.clock.now()

    def _business(
        self,
        tx: StoreTx,
        pos_name: str,
        reference: Any,
        *,
        pointer: str = "/business_reference",
        name: str | None = None,
        register: bool = False,
    ) -> Row:
        if isinstance(reference, bool) or not isinstance(reference, str | int) or not str(reference):
            raise invalid(pointer, "is required (the POS business reference, e.g. 440810)")
        ref = str(reference)
        business = tx.get_business(ref)
        if business is None and register and self.auto_register:
            tx.put_business(ref, name or ref, pos_name, self._iso_now())
            business = tx.get_business(ref)
        if business is None:
            known = ", ".join(f"{b['reference']} ({b['pos_name']})" for b in tx.list_businesses())
            raise DomainError(
                422,
                "unknown_business",
                f"business {ref} is not known to the mock (known: "
                f"{known or 'none'}); send one of those references",
            )
        if business["pos_name"] != pos_name:
            raise DomainError(
                422,
                "unknown_business",
                f"business {ref} is connected to POS {business['pos_name']!r}, "
                f"not {pos_name!r}; call /pos/1.0.0/{business['pos_name']}/...",
            )
        return business

    # -- webhooks -------------------------------------------------------------------------
    def process_order(
        self, pos_name: str, payload: dict[str, Any], *, lenient: bool = False, raw: bytes | None = None
    ) -> dict[str, Any]:
        """Apply an order webhook; see the module docstring for the response.

        ``raw`` is the body as received, if the caller has it (hashed, not parsed again).
        """
        return self.apply_order(pos_name, self.prepare_order(payload, raw), lenient=lenient)

    @staticmethod
    def prepare_order(payload: dict[str, Any], raw: bytes | None = None) -> PreparedOrder:
        """The part of `process_order` that needs no state: the order's facts and the
        business rules it breaks. The server does this before queueing for the write lock."""
        facts = read_order(payload, raw)
        if facts.order_id is None:
            raise invalid("/order/id", "is required: the order's id identifies it in LoyaPro")
        return PreparedOrder(payload, facts, tuple(check_order(payload)))

    def apply_order(self, pos_name: str, order: PreparedOrder, *, lenient: bool = False) -> dict[str, Any]:
        """The rest of `process_order`: apply an order from `prepare_order`, in one
        transaction."""
        payload, facts, violations = order.payload, order.facts, list(order.violations)
        with self.store.transaction() as tx:
            now = self.now()  # read inside the transaction: no snapshot of its own
            business = mapping(mapping(payload).get("business"))
            name = business.get("name")
            reference = self._business(
                tx,
                pos_name,
                business.get("reference"),
                pointer="/business/reference",
                name=name if isinstance(name, str) else None,
                register=True,
            )["reference"]
            original = None
            if facts.has_original_order:
                original = self._original(tx, reference, facts.original_order_id, violations)
            violations.sort(key=lambda v: (v.pointer, v.rule))
            if violations and not lenient:
                raise DomainError(
                    422,
                    "business_rule_violated",
                    f"the order breaks {len(violations)} business rule(s): "
                    + "; ".join(f"{v.pointer}: {v.message}" for v in violations),
                    errors=violations,
                )
            result = order_lifecycle.apply_order(
                tx,
                self.programs.for_business(reference),
                pos_name=pos_name,
                business_reference=reference,
                facts=facts,
                payload=payload,
                original=original,
                now=now,
            )
        result["violations"] = [v.as_dict() for v in violations]
        return result

    @staticmethod
    def _original(
        tx: StoreTx, reference: str, original_id: str | None, violations: list[Violation]
    ) -> Row | None:
        original = tx.get_order(reference, original_id) if original_id else None
        if original is None:
            pointer = "/order/original_order/id" if original_id else "/order/original_order"
            what = f"order {original_id} is not known" if original_id else "it has no id"
            violations.append(
                Violation(
                    pointer,
                    f"a return must point to an order sent before; {what} in business "
                    f"{reference}. Send the original order first, or send the return as the same "
                    "order with status 5",
                    "order.return_unlinked",
                )
            )
        return original

    def lookup_reward(self, pos_name: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Check a code can be used by this customer here, now; never changes state."""
        body = _object(body)
        code = _text(body, "reward_code")
        assert code is not None
        branch_id = _text(body, "branch_id", required=False)
        customer = customer_key(body)
        with self.store.snapshot() as tx:
            now = self.now()
            reference = self._business(tx, pos_name, body.get("business_reference"))["reference"]
            reward = reward_codes.lookup(
                tx, code, business_reference=reference, customer=customer, branch_id=branch_id, now=now
            )
            return reward_codes.reward_view(tx, reward, now)

    def redeem_reward(self, pos_name: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Redeem a code on an order, exactly once; a retry answers ``replay: true``."""
        body = _object(body)
        amount = number(body.get("discount_amount"))
        if amount is None or amount < 0:
            raise invalid(
                "/discount_amount",
                "is required: the discount given, a number >= 0",
                "required" if body.get("discount_amount") is None else "type",
            )
        code = _text(body, "reward_code")
        order_id = _text(body, "order_id")
        assert code is not None and order_id is not None
        customer = customer_key(body)
        with self.store.transaction() as tx:
            now = self.now()
            reference = self._business(tx, pos_name, body.get("business_reference"))["reference"]
            request = reward_codes.RedeemRequest(
                code=code,
                business_reference=reference,
                order_id=order_id,
                branch_id=_text(body, "branch_id", required=False),
                discount_amount=amount,
                customer=customer,
                date=_text(body, "date", required=False),
                user_id=_text(body, "user_id", required=False),
                product_id=_text(body, "product_id", required=False),
            )
            redemption, reward, replay = reward_codes.redeem(tx, request, now)
            return reward_codes.redemption_view(
                redemption, reward_codes.reward_view(tx, reward, now), replay=replay
            )

    # -- state control --------------------------------------------------------------------
    def reset(self, *, reseed: bool = True) -> None:
        """Forget all state; then load the demo state again through ``seeder`` (if any)."""
        self.store.reset()
        if reseed and self.seeder is not None:
            self.seeder(self)

    def advance_clock(self, seconds: float) -> datetime:
        """Move the mock's clock forward and persist the expiry of codes now past due."""
        value = number(seconds)
        if value is None or value < 0:
            raise invalid("/advance_seconds", "must be a number >= 0", "minimum")
        now = self.clock.advance(value)
        with self.store.transaction() as tx:
            reward_codes.expire_due(tx, now)
        return now

    def redemptions(self, code: str | None = None) -> list[dict[str, Any]]:
        """Every redemption (of one code, or all), oldest first."""
        with self.store.snapshot() as tx:
            return [reward_codes.redemption_view(r, None, replay=False) for r in tx.list_redemptions(code)]

    def businesses(self) -> list[dict[str, Any]]:
        """Every business with its branches."""
        with self.store.snapshot() as tx:
            return [{**b, "branches": tx.list_branches(b["reference"])} for b in tx.list_businesses()]

    def register_business(
        self, reference: str | int, name: str, pos_name: str, *, branches: Iterable[Mapping[str, Any]] = ()
    ) -> dict[str, Any]:
        """Create or update a business and its branches (``{id, name, reference}``)."""
        ref = str(reference)
        with self.store.transaction() as tx:
            tx.put_business(ref, name, pos_name, self._iso_now())
            for branch in branches:
                tx.put_branch(
                    ref, str(branch["id"]), str(branch.get("name") or branch["id"]), branch.get("reference")
                )
        return next(b for b in self.businesses() if b["reference"] == ref)
