"""The catalogue of problem codes: every ``code`` the mock can answer, and nothing else.

Each error the mock answers is ``application/problem+json`` with a stable machine ``code``.
This catalogue is the one place those codes are defined: the problem bodies take their status
and title from it, the journal takes from it which rejections broke the contract, and the
spec (``openapi/loyapro-pos.yaml``) and ``docs/server.md`` are tested to document exactly
these codes. Building an error with a code that is not here, or with another status than
the one here, raises at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "CATALOGUE",
    "CONTRACT_CODES",
    "PROBLEM_CODES",
    "ProblemCode",
    "UnknownProblemCodeError",
    "problem_code",
]


@dataclass(frozen=True, slots=True)
class ProblemCode:
    """One problem code: its HTTP status, title, and when the mock answers it.

    ``contract`` marks codes that mean the request itself broke the contract (headers,
    authentication, body, schema) whatever the mock's state; the journal records such a
    rejection as a violation even when the problem carries no ``errors`` list.
    """

    code: str
    status: int
    title: str
    when: str
    contract: bool = False


class UnknownProblemCodeError(LookupError):
    """A problem built with a code the catalogue does not define, or with the wrong status."""


#: Every problem code, grouped by where in the request's path it is answered.
CATALOGUE: tuple[ProblemCode, ...] = (
    # -- HTTP: the request names nothing the mock serves --------------------------------
    ProblemCode("not_found", 404, "Not found", "Nothing is served at the request's path.", contract=True),
    ProblemCode(
        "method_not_allowed",
        405,
        "Method not allowed",
        "The path is served, but not with the request's method; the Allow header lists those.",
        contract=True,
    ),
    # -- authentication ------------------------------------------------------------------
    ProblemCode(
        "unauthorized",
        401,
        "Unauthorized",
        "A webhook request has no Authorization header, or one that does not use the Bearer scheme.",
        contract=True,
    ),
    ProblemCode(
        "invalid_token",
        401,
        "Invalid token",
        "The bearer token is not a valid HS256 JWT of this mock: malformed, wrongly signed, "
        "expired, or without the claims of a POS token.",
        contract=True,
    ),
    ProblemCode(
        "forbidden_pos",
        403,
        "Token of another POS",
        "The token's name claim is another POS than the path's {pos_name}.",
        contract=True,
    ),
    ProblemCode(
        "forbidden_business",
        403,
        "Business not granted",
        "The token was not granted the business the body names.",
        contract=True,
    ),
    # -- headers and body ----------------------------------------------------------------
    ProblemCode(
        "not_acceptable",
        406,
        "Not acceptable",
        "The Accept header does not allow application/json.",
        contract=True,
    ),
    ProblemCode(
        "unsupported_media_type",
        415,
        "Unsupported media type",
        "The Content-Type of a request with a body is not application/json in UTF-8.",
        contract=True,
    ),
    ProblemCode(
        "payload_too_large",
        413,
        "Payload too large",
        "The body, after any Content-Encoding is undone, is larger than the mock's "
        "max_body_bytes (1 MiB by default).",
        contract=True,
    ),
    ProblemCode(
        "malformed_json",
        400,
        "Malformed JSON",
        "The body is empty, not UTF-8, not JSON, names a key twice in one object, or its "
        "compression is corrupt.",
        contract=True,
    ),
    ProblemCode(
        "incomplete_body",
        400,
        "Incomplete body",
        "The body stopped short of its Content-Length (or of its last chunk) and nothing more "
        "came for body_timeout seconds (5 by default), or it took more than 60 s in all; the "
        "detail names both byte counts.",
        contract=True,
    ),
    ProblemCode(
        "request_timeout",
        408,
        "Request timeout",
        "The request line and headers did not finish within header_timeout seconds (10 by "
        "default); the mock answers this and closes the connection.",
        contract=True,
    ),
    ProblemCode(
        "validation_failed",
        422,
        "Validation failed",
        "The body breaks the operation's schema or a field the mock needs is invalid; "
        "errors lists every violation.",
        contract=True,
    ),
    ProblemCode(
        "invalid_query",
        400,
        "Invalid query parameter",
        "A query parameter of GET /__admin/requests or /__admin/orders has a value it does not take.",
        contract=True,
    ),
    # -- the domain: LoyaPro's rules and state -------------------------------------------
    ProblemCode(
        "business_rule_violated",
        422,
        "Business rule violated",
        "The order breaks LoyaPro's business rules (money identities, status transitions, "
        "return linkage); errors lists each rule broken.",
    ),
    ProblemCode(
        "unknown_business",
        422,
        "Unknown business",
        "The business reference is not known to the mock (and is not registered on the fly), "
        "or belongs to another POS.",
    ),
    ProblemCode(
        "customer_not_found",
        404,
        "Customer not found",
        "The admin API is asked for a customer the mock does not know.",
    ),
    ProblemCode(
        "reward_not_found",
        404,
        "Reward not found",
        "No reward has the code sent to /reward or /redeem.",
    ),
    ProblemCode(
        "reward_already_redeemed",
        409,
        "Reward already redeemed",
        "The code was already redeemed (for /redeem: on another order).",
    ),
    ProblemCode(
        "reward_expired",
        410,
        "Reward expired",
        "The code is past its expiry on the mock's clock.",
    ),
    ProblemCode(
        "reward_cancelled",
        410,
        "Reward cancelled",
        "The code was cancelled.",
    ),
    ProblemCode(
        "reward_not_valid_for_customer",
        422,
        "Reward not valid for this customer",
        "The code was issued to another customer than the mobile number sent.",
    ),
    ProblemCode(
        "reward_not_valid_for_branch",
        422,
        "Reward not valid at this branch",
        "The code is valid only at other branches than the branch_id sent.",
    ),
    ProblemCode(
        "reward_not_valid_for_business",
        422,
        "Reward not valid for this business",
        "The code belongs to another business than the business_reference sent.",
    ),
    ProblemCode(
        "discount_exceeds_reward",
        422,
        "Discount exceeds the reward",
        "The redeem's discount_amount is more than the reward allows.",
    ),
    ProblemCode(
        "product_not_allowed",
        422,
        "Product not allowed by the reward",
        "The product chosen on a product reward's redeem is not one the reward allows.",
    ),
    # -- limits and injected faults (the mock misbehaving on purpose) ----------------------
    ProblemCode(
        "too_many_connections",
        429,
        "Too many connections",
        "The client's address already holds max_connections_per_client open connections to "
        "this process (512 by default); the answer closes the extra connection.",
    ),
    ProblemCode(
        "rate_limited",
        429,
        "Rate limited",
        "The POS token or the business sent more webhook calls than the rate limit allows; "
        "Retry-After and the RateLimit header fields say when the next one is accepted.",
    ),
    ProblemCode(
        "fault_not_found",
        404,
        "Fault rule not found",
        "DELETE /__admin/faults/{id} names a rule the mock does not hold.",
    ),
    ProblemCode(
        "injected_internal_error",
        500,
        "Injected internal error",
        "A fault rule turned the answer into a 500 (before the change was applied, or after it "
        "was committed for a commit-then-fail rule).",
    ),
    ProblemCode(
        "injected_bad_gateway",
        502,
        "Injected bad gateway",
        "A fault rule turned the answer into a 502, as a proxy in front of LoyaPro would send.",
    ),
    ProblemCode(
        "injected_unavailable",
        503,
        "Injected service unavailable",
        "A fault rule turned the answer into a 503 with Retry-After (the demo code TEST-503-ONCE "
        "gets one on its first redeem).",
    ),
    ProblemCode(
        "injected_gateway_timeout",
        504,
        "Injected gateway timeout",
        "A fault rule turned the answer into a 504, as a proxy in front of LoyaPro would send.",
    ),
    # -- the mock itself -----------------------------------------------------------------
    ProblemCode(
        "internal_error",
        500,
        "Internal server error",
        "The mock failed on a request it should have answered: a bug in loyapro-mock, with "
        "the traceback in the server log.",
    ),
    ProblemCode(
        "store_unavailable",
        503,
        "Store unavailable",
        "The mock's database failed on the request or was held too long by another process; "
        "nothing of it was applied, and Retry-After says when to retry.",
    ),
)


def _by_code(entries: tuple[ProblemCode, ...]) -> Mapping[str, ProblemCode]:
    by_code: dict[str, ProblemCode] = {}
    for entry in entries:
        if entry.code in by_code:
            raise ValueError(f"the problem code {entry.code!r} is in the catalogue twice")
        by_code[entry.code] = entry
    return MappingProxyType(by_code)


#: The catalogue by code.
PROBLEM_CODES: Mapping[str, ProblemCode] = _by_code(CATALOGUE)

#: The codes whose rejection the journal records as a contract violation.
CONTRACT_CODES: frozenset[str] = frozenset(entry.code for entry in CATALOGUE if entry.contract)


def problem_code(code: str, status: int | None = None) -> ProblemCode:
    """The catalogue's entry for ``code``; raises when it has none, or another ``status``.

    Every error the mock builds goes through here, so a code missing from the catalogue, or
    answered with another status than the catalogue's, fails where it is raised.
    """
    entry = PROBLEM_CODES.get(code)
    if entry is None:
        raise UnknownProblemCodeError(
            f"{code!r} is not a problem code of the catalogue (mockserver/domain/problem_codes.py); "
            "add it there, with its status, title and when the mock answers it"
        )
    if status is not None and status != entry.status:
        raise UnknownProblemCodeError(
            f"{code!r} is answered with status {entry.status} in the catalogue, not {status}"
        )
    return entry
