"""Bearer-token authentication: HS256 JWTs with the docs' claims, plus static tokens.

LoyaPro's sample token is a JWT with claims ``{"platform": "pos", "name": "foodics",
"iat": ...}``. The mock signs such tokens itself (``loyapro-mock token``), optionally with a
``businesses`` claim listing the business references the token may reach, and also accepts
configured static tokens (the docs' sample token is one in the demo).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import jwt

from loyapro_mock.mockserver.http.problems import ProblemError
from loyapro_mock.mockserver.http.settings import StaticToken

__all__ = ["Authenticator", "Principal", "issue_token"]

_CACHE_LIMIT = 4096


@dataclass(frozen=True)
class Principal:
    """Who is calling: the POS name the token speaks for and the businesses it reaches."""

    pos_name: str
    businesses: frozenset[str] | None  # None: every business
    source: str  # "jwt" | "static"

    def may_reach(self, business_reference: object) -> bool:
        """True when this token was granted the business (or every business)."""
        return self.businesses is None or str(business_reference) in self.businesses


def issue_token(
    secret: str,
    pos_name: str,
    businesses: Iterable[str | int] | None = None,
    *,
    iat: int | None = None,
) -> str:
    """Sign an HS256 JWT with the docs' claims for ``pos_name``.

    ``businesses`` restricts the token to those business references; leave it out for a
    token that reaches every business.
    """
    claims: dict[str, object] = {
        "platform": "pos",
        "name": pos_name,
        "iat": int(time.time()) if iat is None else iat,
    }
    if businesses is not None:
        claims["businesses"] = [str(b) for b in businesses]
    return jwt.encode(claims, secret, algorithm="HS256")


def _how_to_fix(pos_name: str | None) -> str:
    pos = pos_name or "<pos_name>"
    return (
        f"Send the header 'Authorization: Bearer <token>'; a token for this mock is printed by "
        f"'loyapro-mock token {pos}' (or use a static token from the mock's config)."
    )


def _unauthorized(code: str, reason: str, pos_name: str | None) -> ProblemError:
    challenge = 'Bearer realm="loyapro-mock"'
    if code == "invalid_token":
        challenge += ', error="invalid_token"'
    return ProblemError(
        401,
        code,
        f"{reason} {_how_to_fix(pos_name)}",
        headers={"WWW-Authenticate": challenge},
    )


class Authenticator:
    """Turns an ``Authorization`` header into a :class:`Principal` or a 401 problem.

    Verified JWTs are cached by token text (tokens without ``exp`` never change verdict),
    so the hot path decodes each token once.
    """

    def __init__(self, secret: str, static_tokens: Iterable[StaticToken] = ()) -> None:
        self._secret = secret
        self._static = {t.token: Principal(t.pos_name, t.businesses, "static") for t in static_tokens}
        self._cache: dict[str, Principal] = {}

    def authenticate(self, header: str | None, pos_name: str | None = None) -> Principal:
        """Check the ``Authorization`` header; ``pos_name`` (from the path) only shapes hints."""
        if header is None or not header.strip():
            raise _unauthorized("unauthorized", "The request has no Authorization header.", pos_name)
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise _unauthorized(
                "unauthorized",
                f"The Authorization header must use the Bearer scheme, got {scheme!r}.",
                pos_name,
            )
        found = self._static.get(token) or self._cache.get(token)
        if found is not None:
            return found
        principal, expires = self._decode(token, pos_name)
        if not expires:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[token] = principal
        return principal

    def _decode(self, token: str, pos_name: str | None) -> tuple[Principal, bool]:
        """Verify a JWT; returns the principal and whether the token carries an expiry."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=["HS256"],
                options={"require": ["name"], "verify_exp": True},
            )
        except jwt.ExpiredSignatureError as exc:
            raise _unauthorized("invalid_token", "The bearer token has expired.", pos_name) from exc
        except jwt.InvalidSignatureError as exc:
            raise _unauthorized(
                "invalid_token",
                "The bearer token's signature does not match this mock's secret.",
                pos_name,
            ) from exc
        except jwt.PyJWTError as exc:
            raise _unauthorized(
                "invalid_token",
                f"The bearer token is not a valid HS256 JWT ({exc}).",
                pos_name,
            ) from exc
        if claims.get("platform") != "pos":
            raise _unauthorized(
                "invalid_token",
                f"The bearer token's 'platform' claim must be \"pos\", got {claims.get('platform')!r}.",
                pos_name,
            )
        name = claims.get("name")
        if not isinstance(name, str) or not name:
            raise _unauthorized(
                "invalid_token", "The bearer token's 'name' claim must be the POS name.", pos_name
            )
        raw = claims.get("businesses")
        businesses: frozenset[str] | None = None
        if raw is not None:
            if not isinstance(raw, list):
                raise _unauthorized(
                    "invalid_token",
                    "The bearer token's 'businesses' claim must be a list of references.",
                    pos_name,
                )
            businesses = frozenset(str(b) for b in raw)
        return Principal(name, businesses, "jwt"), "exp" in claims
