"""What the POS sent, as the mock's journal recorded it, and what the mock ended up holding:
the evidence inbound checks grade."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from loyapro_mock.contracts.inbound.integrity import Integrity
from loyapro_mock.contracts.inbound.state import MockState
from loyapro_mock.contracts.registry import Registry
from loyapro_mock.contracts.session import CertSession
from loyapro_mock.mockserver.domain.orders import mapping

_WEBHOOKS = ("order", "reward", "redeem")


@dataclass(frozen=True)
class JournalEntry:
    """One request the mock received (``GET /__admin/requests`` item), read defensively."""

    id: int
    received_at: str
    operation: str | None
    method: str
    path: str
    status: int
    verdict: str
    headers: dict[str, str]
    body: Any
    response: Any
    violations: tuple[dict[str, Any], ...] = ()
    pos: str | None = None
    #: What a fault rule did to the call (the journal's ``fault``), None when none fired.
    fault: dict[str, Any] | None = None
    duration_ms: float = 0.0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JournalEntry:
        """Parse one journal item; missing parts become empty rather than errors."""
        request = mapping(data.get("request"))
        response = mapping(data.get("response"))
        headers = mapping(request.get("headers"))
        violations = data.get("violations")
        violations = violations if isinstance(violations, list) else []
        fault = data.get("fault")
        duration = data.get("duration_ms")
        return cls(
            id=int(data.get("id", 0)),
            received_at=str(data.get("received_at", "")),
            operation=data.get("operation"),
            method=str(data.get("method", "")),
            path=str(data.get("path", "")),
            status=int(data.get("status", 0)),
            verdict=str(data.get("verdict", "")),
            headers={str(key).lower(): str(value) for key, value in headers.items()},
            body=request.get("body"),
            response=response.get("body"),
            violations=tuple(item for item in violations if isinstance(item, dict)),
            pos=data.get("pos"),
            fault=dict(fault) if isinstance(fault, dict) else None,
            duration_ms=float(duration) if isinstance(duration, int | float) else 0.0,
        )

    @property
    def accepted(self) -> bool:
        """The mock answered 2xx."""
        return 200 <= self.status < 300

    @property
    def order(self) -> dict[str, Any]:
        """The ``order`` object of an order webhook body (empty when absent)."""
        if isinstance(self.body, dict) and isinstance(self.body.get("order"), dict):
            return dict(self.body["order"])
        return {}

    @property
    def order_id(self) -> str | None:
        """The order id an order webhook carries, or a redeem's ``order_id``."""
        if self.operation == "order":
            value = self.order.get("id")
        else:
            value = self.body.get("order_id") if isinstance(self.body, dict) else None
        return str(value) if value is not None else None

    @property
    def order_status(self) -> int | None:
        """The Foodics status of an order webhook (None when missing or not a number)."""
        value = self.order.get("status")
        return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

    @property
    def reward_code(self) -> str | None:
        """The ``reward_code`` of a reward lookup or redeem."""
        if isinstance(self.body, dict) and self.body.get("reward_code") is not None:
            return str(self.body["reward_code"])
        return None

    def field(self, name: str) -> Any:
        """A top-level field of the request body (None when absent)."""
        return self.body.get(name) if isinstance(self.body, dict) else None

    def label(self) -> str:
        """``"order 9edb65d0 status 4"`` / ``"redeem FIX-1 for order X"``: what the entry was."""
        if self.operation == "order":
            return f"order {self.order_id} status {self.order_status} -> HTTP {self.status}"
        if self.operation == "redeem":
            return f"redeem {self.reward_code} on order {self.order_id} -> HTTP {self.status}"
        if self.operation == "reward":
            return f"lookup {self.reward_code} -> HTTP {self.status}"
        return f"{self.method} {self.path} -> HTTP {self.status}"

    @property
    def fault_rule(self) -> str | None:
        """The id of the fault rule that fired on the call (None when none did)."""
        return str(self.fault["rule"]) if self.fault and self.fault.get("rule") is not None else None


@dataclass
class InboundEvidence:
    """A certification session, the journal entries the POS produced during it, the mock's
    state after it (None when it was not read: the outcome checks then fail), and whether the
    mock stayed the world the session started in (`Integrity`).

    The resilience steps' calls (those of the session's resilience customer and codes, which
    meet injected faults) are kept apart, in ``resilience`` with the state of that customer,
    those codes and their orders in ``resilience_state``: only the resilience checks grade
    them, so an injected fault is never another check's finding.
    """

    session: CertSession
    entries: list[JournalEntry] = field(default_factory=list)
    state: MockState | None = None
    integrity: Integrity = field(default_factory=Integrity)
    resilience: list[JournalEntry] = field(default_factory=list)
    resilience_state: MockState | None = None

    def webhooks(self) -> list[JournalEntry]:
        """Entries of the three webhooks (order, reward, redeem), oldest first."""
        return [entry for entry in self.entries if entry.operation in _WEBHOOKS]

    def of(self, operation: str) -> list[JournalEntry]:
        """Entries of one operation, oldest first."""
        return [entry for entry in self.entries if entry.operation == operation]

    def orders(self) -> list[JournalEntry]:
        """Order webhook entries whose body has an ``order`` object."""
        return [entry for entry in self.of("order") if entry.order]

    def kind_of(self, code: str | None) -> str | None:
        """The kind of a session reward code (None for a code the session did not issue)."""
        for reward in self.session.rewards:
            if reward.code == code:
                return reward.kind
        return None


INBOUND: Registry[InboundEvidence] = Registry("inbound")
