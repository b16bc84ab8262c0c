"""A certification session: who and what the cashier uses, and where its journal starts.

``certify start`` creates one on a running mock and saves it as ``session.json`` next to
the cashier checklist; ``certify report`` reads it back to know which journal entries,
customers and reward codes belong to the session.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REWARD_KINDS = ("products", "percentage", "fixed_amount")


@dataclass(frozen=True)
class SessionCustomer:
    """A customer made for the session (the cashier attaches it to orders)."""

    name: str
    name_localized: str
    dial_code: int
    mobile: str

    @property
    def international(self) -> str:
        """``+966 5xxxxxxxx``: how the checklist shows the mobile."""
        return f"+{self.dial_code} {self.mobile}"


@dataclass(frozen=True)
class SessionReward:
    """A reward code issued for the session, with what the lookup will say about it."""

    code: str
    kind: str
    customer_mobile: str
    discount_amount: float
    is_percent: bool = False
    max_discount_amount: float | None = None
    allowed_products: tuple[str, ...] = ()


@dataclass
class CertSession:
    """Everything ``certify report`` needs to find and judge a session's traffic."""

    id: str
    mock_url: str
    pos_name: str
    business_reference: int | str
    branch_id: str
    created_at: str
    since: str = ""
    since_id: int = 0
    customers: list[SessionCustomer] = field(default_factory=list)
    rewards: list[SessionReward] = field(default_factory=list)
    pos_version: str = ""
    spec_version: str = ""
    notes: list[str] = field(default_factory=list)

    @staticmethod
    def new_id() -> str:
        """A fresh, short, URL-safe session id (``cert-`` + 10 hex digits)."""
        return f"cert-{secrets.token_hex(5)}"

    def reward(self, kind: str) -> SessionReward:
        """The session's reward code of one kind."""
        for reward in self.rewards:
            if reward.kind == kind:
                return reward
        raise KeyError(f"the session has no {kind} reward")

    @property
    def customer(self) -> SessionCustomer:
        """The session's main customer (the one its rewards were issued to)."""
        return self.customers[0]

    def as_dict(self) -> dict[str, Any]:
        """The session as JSON-ready data."""
        data = asdict(self)
        for reward in data["rewards"]:
            reward["allowed_products"] = list(reward["allowed_products"])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CertSession:
        """Read a session saved by :meth:`as_dict`."""
        values = dict(data)
        values["customers"] = [SessionCustomer(**item) for item in data.get("customers", [])]
        values["rewards"] = [
            SessionReward(**{**item, "allowed_products": tuple(item.get("allowed_products") or ())})
            for item in data.get("rewards", [])
        ]
        return cls(**values)

    def save(self, directory: Path) -> Path:
        """Write ``session.json`` into ``directory`` (created when missing)."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "session.json"
        path.write_text(json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n", "utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> CertSession:
        """Read ``session.json`` (``path`` may be the file or its directory)."""
        if path.is_dir():
            path = path / "session.json"
        return cls.from_dict(json.loads(path.read_text("utf-8")))
