"""Settings of the mock server, resolved once into one frozen object.

Precedence, lowest first: built-in defaults < YAML config file < environment variables
``LOYAPRO_MOCK_*`` < command-line flags. The config file is named by ``--config`` or
``LOYAPRO_MOCK_CONFIG``. Example config::

    host: 127.0.0.1
    port: 8080
    db: ./loyapro-mock.db        # or ":memory:", or postgresql://user:pass@host:5432/loyapro
    lenient: false
    secret: change-me            # HS256 secret of the tokens `loyapro-mock token` signs
    demo: true                   # demo state on first start (+ the docs' sample token)
    auto_register: true          # an order naming an unknown business reference registers it
    workers: 1                   # processes serving the port, sharing the db (a file)
    journal_retention: 7d        # journal entries older than this are pruned (s, m, h, d, w)
    journal_max: 1000000         # at most this many journal entries are kept (newest)
    tokens:                      # static bearer tokens
      - token: my-static-token
        pos: foodics
        businesses: [440810]     # omit for every business
    programs: {}                 # loyalty programs per business reference (see mockserver.domain.programs)
    body_timeout: 5              # seconds a body may stall short of its Content-Length (then 400)
    header_timeout: 10           # seconds the request line and headers may take (then 408, closed)
    max_connections_per_client: 512   # open connections per client address and process (then 429)
    rate_limit: off              # "5/s" per POS token and per business, or "pos=5/s,business=100/min"
    faults: ./faults.yaml        # fault rules to inject (see mockserver.domain.faults)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from loyapro_mock.mockserver.domain.rate_limits import parse_rate_limit
from loyapro_mock.mockserver.store import check_db
from loyapro_mock.mockserver.store.retention import parse_duration

__all__ = [
    "BODY_TIMEOUT",
    "DEFAULT_SECRET",
    "DOCS_SAMPLE_TOKEN",
    "ENV_PREFIX",
    "HEADER_TIMEOUT",
    "MAX_BODY_BYTES",
    "MAX_CONNECTIONS_PER_CLIENT",
    "Settings",
    "SettingsError",
    "StaticToken",
    "default_db_path",
]

ENV_PREFIX = "LOYAPRO_MOCK_"
MAX_BODY_BYTES = 1024 * 1024
DEFAULT_SECRET = "loyapro-mock-local-development-secret"
# The bearer token of LoyaPro's own sample request. Its signing secret is not public, so the
# demo accepts it as a static token for the POS "foodics".
DOCS_SAMPLE_TOKEN = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJwbGF0Zm9ybSI6InBvcyIsIm5hbWUiOiJmb29kaWNzIiwiaWF0IjoxNTE2MjM5MDIyfQ."
    "wnFaxNkObU9MLit64yLYdGc9lxtt66dLCovMRull28I"
)

# -- traffic defaults ---------------------------------------------------------------------
BODY_TIMEOUT = 5.0
HEADER_TIMEOUT = 10.0
MAX_CONNECTIONS_PER_CLIENT = 512

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """A setting could not be read; the message names the source and the setting."""


@dataclass(frozen=True)
class StaticToken:
    """A configured bearer token: which POS it speaks for and which businesses it reaches."""

    token: str
    pos_name: str
    businesses: frozenset[str] | None = None  # None: every business


def default_db_path(env: Mapping[str, str] | None = None) -> str:
    """Where ``loyapro-mock serve`` keeps its state when no ``--db`` is given."""
    env = os.environ if env is None else env
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "loyapro-mock" / "loyapro-mock.db")


@dataclass(frozen=True)
class Settings:
    """Everything the server needs, frozen.

    Constructed directly (tests, embedding) the store is in memory; :meth:`resolve` applies
    the command line's defaults, where the store is a file under the user's data directory.
    """

    host: str = "127.0.0.1"
    port: int = 8080
    db: str = ":memory:"
    config_file: Path | None = None
    spec: str | None = None  # a bundled spec name or an OpenAPI file; None: loyapro-pos
    lenient: bool = False
    max_body_bytes: int = MAX_BODY_BYTES
    secret: str = DEFAULT_SECRET
    demo: bool = True
    auto_register: bool = True
    workers: int = 1  # processes serving the port and sharing the store (needs a file db)
    journal_retention: float | None = None  # seconds a journal entry is kept; None: forever
    journal_max: int | None = None  # the most journal entries kept; None: no limit
    static_tokens: tuple[StaticToken, ...] = ()
    programs: Mapping[str, Any] = field(default_factory=dict)
    # -- traffic: slow clients, connections, rate limits, faults ---------------------------
    body_timeout: float = BODY_TIMEOUT  # seconds a body may stall before it is answered 400
    header_timeout: float = HEADER_TIMEOUT  # seconds the request line and headers may take
    max_connections_per_client: int = MAX_CONNECTIONS_PER_CLIENT  # per address and process; 0: no bound
    rate_limit: str | None = None  # "5/s", "pos=5/s,business=100/min"; None or "off": no limit
    faults: str | None = None  # a YAML file of fault rules (mockserver.domain.faults)

    def all_static_tokens(self) -> tuple[StaticToken, ...]:
        """Configured static tokens, plus the docs' sample token (POS foodics) in demo mode."""
        if self.demo and not any(t.token == DOCS_SAMPLE_TOKEN for t in self.static_tokens):
            return (*self.static_tokens, StaticToken(DOCS_SAMPLE_TOKEN, "foodics"))
        return self.static_tokens

    @classmethod
    def resolve(
        cls,
        *,
        config_file: str | Path | None = None,
        env: Mapping[str, str] | None = None,
        **flags: Any,
    ) -> Settings:
        """Resolve defaults < config file < environment < flags (flags set to None are unset)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {"db": default_db_path(env)}
        config_path = config_file or env.get(ENV_PREFIX + "CONFIG") or None
        if config_path:
            values.update(_read_config(Path(config_path)))
            values["config_file"] = Path(config_path)
        values.update(_read_env(env))
        values.update({k: v for k, v in flags.items() if v is not None})
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise SettingsError(f"unknown settings: {', '.join(sorted(unknown))}")
        settings = cls(**values)
        return replace(settings, **_coerce(settings))


_SCALARS: dict[str, type] = {
    "host": str,
    "port": int,
    "db": str,
    "spec": str,
    "lenient": bool,
    "max_body_bytes": int,
    "secret": str,
    "demo": bool,
    "auto_register": bool,
    "workers": int,
    "journal_retention": float,
    "journal_max": int,
}
# -- traffic settings ---------------------------------------------------------------------
_SCALARS.update(
    {
        "body_timeout": float,
        "header_timeout": float,
        "max_connections_per_client": int,
        "rate_limit": str,
        "faults": str,
    }
)


def _to_bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SettingsError(f"{where}: expected true or false, got {value!r}")


def _convert(name: str, value: Any, where: str) -> Any:
    kind = _SCALARS[name]
    if kind is bool:
        return _to_bool(value, where)
    if name == "journal_retention":
        try:
            return parse_duration(value)
        except ValueError as exc:
            raise SettingsError(f"{where}: {exc}") from None
    try:
        return kind(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{where}: expected {kind.__name__}, got {value!r}") from exc


def _read_env(env: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in _SCALARS:
        key = ENV_PREFIX + name.upper()
        if key in env:
            out[name] = _convert(name, env[key], key)
    return out


def _read_tokens(raw: Any, where: str) -> tuple[StaticToken, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise SettingsError(f"{where}: 'tokens' must be a list of {{token, pos, businesses}}")
    tokens = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not item.get("token") or not item.get("pos"):
            raise SettingsError(f"{where}: tokens[{i}] needs 'token' and 'pos'")
        businesses = item.get("businesses")
        if businesses is not None and not isinstance(businesses, list):
            raise SettingsError(f"{where}: tokens[{i}].businesses must be a list")
        tokens.append(
            StaticToken(
                token=str(item["token"]),
                pos_name=str(item["pos"]),
                businesses=None if businesses is None else frozenset(str(b) for b in businesses),
            )
        )
    return tuple(tokens)


def _read_config(path: Path) -> dict[str, Any]:
    where = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"cannot read config file {where}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise SettingsError(f"config file {where} is not valid YAML: {exc}") from exc
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SettingsError(f"config file {where} must hold a mapping of settings")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "tokens":
            out["static_tokens"] = _read_tokens(value, where)
        elif key == "programs":
            if value is not None and not isinstance(value, dict):
                raise SettingsError(f"{where}: 'programs' must be a mapping per business")
            out["programs"] = dict(value or {})
        elif key in _SCALARS:
            out[key] = _convert(key, value, f"{where}: {key}")
        else:
            allowed = ", ".join(sorted([*_SCALARS, "tokens", "programs"]))
            raise SettingsError(f"{where}: unknown setting {key!r} (known: {allowed})")
    return out


def _coerce(settings: Settings) -> dict[str, Any]:
    """Normalise flag values (click may hand strings) and check ranges."""
    changes: dict[str, Any] = {}
    for name in _SCALARS:
        value = getattr(settings, name)
        if value is not None and not isinstance(value, _SCALARS[name]):
            changes[name] = _convert(name, value, name)
    db = changes.get("db", settings.db)
    if db.startswith("~"):
        changes["db"] = os.path.expanduser(db)
    try:
        check_db(db)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    port = changes.get("port", settings.port)
    if not 0 <= port <= 65535:
        raise SettingsError(f"port must be between 0 and 65535, got {port}")
    if changes.get("max_body_bytes", settings.max_body_bytes) <= 0:
        raise SettingsError("max_body_bytes must be positive")
    workers = changes.get("workers", settings.workers)
    if not 1 <= workers <= 64:
        raise SettingsError(f"workers must be between 1 and 64, got {workers}")
    if workers > 1 and changes.get("db", db) in ("", ":memory:"):
        raise SettingsError(
            f"{workers} workers need a database file (db / --db PATH) to share: an in-memory "
            "store is private to one process"
        )
    retention = changes.get("journal_retention", settings.journal_retention)
    if retention is not None and retention < 0:
        raise SettingsError(f"journal_retention must be 0 (keep forever) or more, got {retention:g}")
    if retention == 0:
        changes["journal_retention"] = None
    most = changes.get("journal_max", settings.journal_max)
    if most is not None and most < 0:
        raise SettingsError(f"journal_max must be 0 (no limit) or more, got {most}")
    if most == 0:
        changes["journal_max"] = None
    _check_traffic(replace(settings, **changes))
    return changes


def _check_traffic(settings: Settings) -> None:
    """The traffic settings' ranges, and a rate limit that parses."""
    for name in ("body_timeout", "header_timeout"):
        value = getattr(settings, name)
        if not 0 < value <= 3600:
            raise SettingsError(f"{name} must be more than 0 and at most 3600 seconds, got {value:g}")
    if settings.max_connections_per_client < 0:
        raise SettingsError(
            "max_connections_per_client must be 0 (no bound) or more, "
            f"got {settings.max_connections_per_client}"
        )
    try:
        parse_rate_limit(settings.rate_limit)
    except ValueError as exc:
        raise SettingsError(f"rate_limit: {exc}") from None
