"""A catalogue of hostile or broken requests, each with the 4xx problem the mock must answer.

Built from the docs' order and a valid lookup / redeem; every entry breaks one thing.
"""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass, field
from typing import Any

import jwt

from loyapro_mock.mockserver.http.pipeline.auth import issue_token
from loyapro_mock.mockserver.http.settings import DEFAULT_SECRET

from support.payloads import BUSINESS, DEMO_CODES, DOCS_CUSTOMER, lookup_body, redeem_body
from support.webhooks import ORDER_URL, REDEEM_URL, REWARD_URL

DEMO_CODE = DEMO_CODES["percentage"]  # a demo percentage code of the docs' customer
#: Set up by the test before the catalogue runs (see test_hostile_inputs.other_business).
OTHER_BUSINESS, OTHER_CODE, MARN_BUSINESS = "555000", "OTHER-0001", "777000"


@dataclass(frozen=True)
class Hostile:
    """One request and the answer expected: ``status`` and problem ``code``."""

    name: str
    status: int
    code: str
    path: str = ORDER_URL
    method: str = "POST"
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    token: str | None = "valid"  # "valid" (foodics), None (no header) or a literal token


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _nested(depth: int) -> bytes:
    return b'{"order":' + b"[" * depth + b"]" * depth + b"}"


def _expired_token() -> str:
    claims = {"platform": "pos", "name": "foodics", "iat": 1, "exp": int(time.time()) - 60}
    return jwt.encode(claims, DEFAULT_SECRET, algorithm="HS256")


def _unsigned_token() -> str:
    return jwt.encode({"platform": "pos", "name": "foodics", "iat": 1}, None, algorithm="none")


def catalogue(docs_order: dict[str, Any]) -> list[Hostile]:
    """Every hostile request, in a stable order."""
    order = _json(docs_order)
    wrong_types = copy.deepcopy(docs_order)
    wrong_types["timestamp"] = "yesterday"
    wrong_types["order"]["products"] = {"0": "coffee"}
    no_order = {k: v for k, v in docs_order.items() if k != "order"}
    huge = copy.deepcopy(docs_order)
    huge["order"]["kitchen_notes"] = "x" * (1024 * 1024)
    duplicate_order = order.replace(b'"event":', b'"event": "order.updated", "event":', 1)
    restricted = issue_token(DEFAULT_SECRET, "foodics", businesses=[BUSINESS])
    return [
        # -- who is calling ------------------------------------------------------------
        Hostile("no Authorization header", 401, "unauthorized", body=order, token=None),
        Hostile(
            "Basic instead of Bearer",
            401,
            "unauthorized",
            body=order,
            token=None,
            headers={"Authorization": "Basic Zm9vZGljczpzZWNyZXQ="},
        ),
        Hostile(
            "empty bearer token",
            401,
            "unauthorized",
            body=order,
            token=None,
            headers={"Authorization": "Bearer "},
        ),
        Hostile(
            "token signed with another secret",
            401,
            "invalid_token",
            body=order,
            token=issue_token("not-the-mock-secret-but-as-long-as-one", "foodics"),
        ),
        Hostile("garbage token", 401, "invalid_token", body=order, token="abc.def.ghi"),
        Hostile("expired token", 401, "invalid_token", body=order, token=_expired_token()),
        Hostile("unsigned token (alg none)", 401, "invalid_token", body=order, token=_unsigned_token()),
        Hostile(
            "token for another platform",
            401,
            "invalid_token",
            body=order,
            token=jwt.encode(
                {"platform": "web", "name": "foodics", "iat": 1}, DEFAULT_SECRET, algorithm="HS256"
            ),
        ),
        Hostile(
            "token of another POS",
            403,
            "forbidden_pos",
            body=order,
            token=issue_token(DEFAULT_SECRET, "marn"),
        ),
        Hostile(
            "token not granted the business",
            403,
            "forbidden_business",
            REDEEM_URL,
            body=_json(redeem_body(OTHER_CODE, "o-1", 5.0) | {"business_reference": OTHER_BUSINESS}),
            token=restricted,
        ),
        # -- the path and the method ---------------------------------------------------
        Hostile("pos_name in capitals", 403, "forbidden_pos", "/pos/1.0.0/FOODICS/order", body=order),
        Hostile("pos_name with a NUL byte", 403, "forbidden_pos", "/pos/1.0.0/foodics%00/order", body=order),
        Hostile(
            "pos_name of 300 characters", 403, "forbidden_pos", f"/pos/1.0.0/{'f' * 300}/order", body=order
        ),
        Hostile(
            "pos_name in Arabic",
            403,
            "forbidden_pos",
            "/pos/1.0.0/%D9%81%D9%88%D8%AF%D9%83%D8%B3/order",
            body=order,
        ),
        Hostile("pos_name climbing up (..)", 404, "not_found", "/pos/1.0.0/../order", body=order),
        Hostile("empty pos_name", 404, "not_found", "/pos/1.0.0//order", body=order),
        Hostile("unknown operation", 404, "not_found", "/pos/1.0.0/foodics/orders", body=order),
        Hostile("another API version", 404, "not_found", "/pos/2.0.0/foodics/order", body=order),
        Hostile("GET on a webhook", 405, "method_not_allowed", method="GET"),
        Hostile("PUT on a webhook", 405, "method_not_allowed", method="PUT", body=order),
        Hostile("DELETE on a webhook", 405, "method_not_allowed", REDEEM_URL, method="DELETE"),
        # -- headers -------------------------------------------------------------------
        Hostile("Accept text/html only", 406, "not_acceptable", body=order, headers={"Accept": "text/html"}),
        Hostile(
            "Content-Type text/plain",
            415,
            "unsupported_media_type",
            body=order,
            headers={"Content-Type": "text/plain"},
        ),
        Hostile(
            "JSON in latin-1",
            415,
            "unsupported_media_type",
            body=order,
            headers={"Content-Type": "application/json; charset=iso-8859-1"},
        ),
        Hostile(
            "gzip that is not gzip", 400, "malformed_json", body=order, headers={"Content-Encoding": "gzip"}
        ),
        # -- the body ------------------------------------------------------------------
        Hostile("empty body", 400, "malformed_json", body=b""),
        Hostile("truncated JSON", 400, "malformed_json", body=order[: len(order) // 2]),
        Hostile(
            "trailing comma",
            400,
            "malformed_json",
            REWARD_URL,
            body=_json(lookup_body(DEMO_CODE))[:-1] + b",}",
        ),
        Hostile(
            "NaN as a number",
            400,
            "malformed_json",
            REDEEM_URL,
            body=_json(redeem_body(DEMO_CODE, "o-1", 5.0)).replace(b"5.0", b"NaN"),
        ),
        Hostile(
            "invalid UTF-8",
            400,
            "malformed_json",
            REWARD_URL,
            body=_json(lookup_body(DEMO_CODE)).replace(b"PCT", b"P\xff\xfe"),
        ),
        Hostile(
            "a lone UTF-16 surrogate",
            400,
            "malformed_json",
            REWARD_URL,
            body=_json(lookup_body(DEMO_CODE)).replace(b"PCT", b"\\ud800"),
        ),
        Hostile("duplicate key", 400, "malformed_json", body=duplicate_order),
        Hostile(
            "duplicate key deep inside",
            400,
            "malformed_json",
            REWARD_URL,
            body=b'{"reward_code": "PCT-9T3W5H", "reward_code": "FIX-7Q2M9K"}',
        ),
        Hostile("nested 100,000 deep", 400, "malformed_json", body=_nested(100_000)),
        Hostile("body over 1 MiB", 413, "payload_too_large", body=_json(huge)),
        Hostile("a JSON array", 422, "validation_failed", body=b"[1, 2, 3]"),
        Hostile("a JSON string", 422, "validation_failed", REWARD_URL, body=b'"PCT-9T3W5H"'),
        Hostile("null", 422, "validation_failed", REDEEM_URL, body=b"null"),
        Hostile("wrong types", 422, "validation_failed", body=_json(wrong_types)),
        Hostile("no order in the envelope", 422, "validation_failed", body=_json(no_order)),
        Hostile(
            "a 40-digit discount",
            422,
            "discount_exceeds_reward",
            REDEEM_URL,
            body=_json(redeem_body(DEMO_CODE, "o-1", 5.0)).replace(b"5.0", b"1" * 40),
        ),
        Hostile(
            "discount of 1e400",
            400,
            "malformed_json",
            REDEEM_URL,
            body=_json(redeem_body(DEMO_CODE, "o-1", 5.0)).replace(b"5.0", b"1e400"),
        ),
        # -- the business and its codes ------------------------------------------------
        Hostile(
            "another business's reward code",
            422,
            "reward_not_valid_for_business",
            REWARD_URL,
            body=_json(lookup_body(OTHER_CODE)),
        ),
        Hostile(
            "redeeming another business's code",
            422,
            "reward_not_valid_for_business",
            REDEEM_URL,
            body=_json(redeem_body(OTHER_CODE, "o-1", 5.0)),
        ),
        Hostile(
            "a business of another POS",
            422,
            "unknown_business",
            REWARD_URL,
            body=_json(lookup_body(DEMO_CODE, business_reference=MARN_BUSINESS)),
        ),
        Hostile(
            "someone else's code",
            422,
            "reward_not_valid_for_customer",
            REWARD_URL,
            body=_json(lookup_body(DEMO_CODE, customer_mobile_number="501234567")),
        ),
        Hostile(
            "a code that does not exist",
            404,
            "reward_not_found",
            REWARD_URL,
            body=_json(lookup_body("NOPE-0000")),
        ),
        Hostile(
            "a negative discount",
            422,
            "validation_failed",
            REDEEM_URL,
            body=_json(redeem_body(DEMO_CODE, "o-1", -5)),
        ),
        # -- the mock's admin API --------------------------------------------------------
        Hostile(
            "clock moved backwards",
            422,
            "validation_failed",
            "/__admin/clock",
            body=b'{"advance_seconds": -60}',
            token=None,
        ),
        Hostile(
            "clock moved a googol seconds",
            422,
            "validation_failed",
            "/__admin/clock",
            body=b'{"advance_seconds": 1e100}',
            token=None,
        ),
        Hostile(
            "a reward of an unknown kind",
            422,
            "validation_failed",
            "/__admin/rewards",
            body=_json(
                {"business_reference": BUSINESS, "kind": "free_car", "customer_mobile_number": DOCS_CUSTOMER}
            ),
            token=None,
        ),
        Hostile(
            "a customer mobile of letters",
            422,
            "validation_failed",
            "/__admin/customers/not-a-phone",
            method="GET",
            token=None,
        ),
        Hostile(
            "a journal limit of 0",
            400,
            "invalid_query",
            "/__admin/requests?limit=0",
            method="GET",
            token=None,
        ),
        Hostile(
            "a journal since in superscript digits",
            400,
            "invalid_query",
            "/__admin/requests?since=%C2%B2",
            method="GET",
            token=None,
        ),
        Hostile(
            "a journal since before year 1 in UTC",
            400,
            "invalid_query",
            "/__admin/requests?since=0001-01-01T00:00:00%2B05:00",
            method="GET",
            token=None,
        ),
    ]
