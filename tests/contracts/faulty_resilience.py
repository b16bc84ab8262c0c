"""Faulty retry policies: each POS copes wrongly with one fault the session injects.

Each class names the resilience checks that must catch it (``CAUGHT_BY``) and those its bug
leaves nothing to grade (``UNGRADED``: not exercised, never a pass).
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

import requests

from loyapro_mock.contracts.driver import Driver


class RetriesUnderNewOrderId(Driver):
    """When an order's answer is lost, creates the order again under a fresh id."""

    CAUGHT_BY = frozenset({"resilience.lost_answer_same_order"})

    def retry_body(
        self, operation: str, body: dict[str, Any], response: requests.Response | None
    ) -> dict[str, Any]:
        if operation != "order" or response is not None:
            return body
        retry = copy.deepcopy(body)
        retry["order"]["id"] = str(uuid.uuid4())
        return retry


class RedeemsOnNewTicketAfterError(Driver):
    """After a 5xx on redeem, re-opens the ticket and redeems the code on the new one."""

    # LoyaPro had committed the first redemption: the retry on another order is a 409
    CAUGHT_BY = frozenset({"resilience.redeem_retried_same"})

    def retry_body(
        self, operation: str, body: dict[str, Any], response: requests.Response | None
    ) -> dict[str, Any]:
        if operation != "redeem" or response is None or response.status_code < 500:
            return body
        return {**body, "order_id": str(uuid.uuid4())}


class IgnoresRetryAfter(Driver):
    """Retries a 429 at once, as it retries everything."""

    CAUGHT_BY = frozenset({"resilience.waits_retry_after"})

    def retry_delay(self, response: requests.Response | None, attempt: int) -> float | None:
        if response is not None and response.status_code == 429:
            return 0.0
        return super().retry_delay(response, attempt)


class RetriesRefusedUnchanged(Driver):
    """Retries every failed call once, a 422 included, unchanged."""

    CAUGHT_BY = frozenset({"resilience.no_unchanged_retry"})

    def retry_delay(self, response: requests.Response | None, attempt: int) -> float | None:
        refused = response is not None and 400 <= response.status_code < 500 and response.status_code != 429
        if refused and attempt == 1:
            return 0.0
        return super().retry_delay(response, attempt)


class NeverRetries(Driver):
    """Sends every call once: a lost answer, a 429 or a 5xx is the end of it."""

    CAUGHT_BY = frozenset({"resilience.retries"})
    # with no retry there is nothing to grade how it retried; a lookup it gave up on never
    # got to the redeem
    UNGRADED = frozenset(
        {
            "resilience.lost_answer_same_order",
            "resilience.waits_retry_after",
            "resilience.redeem_retried_same",
        }
    )

    def retry_delay(self, response: requests.Response | None, attempt: int) -> float | None:
        return None


RESILIENCE_DRIVERS: tuple[type[Driver], ...] = (
    RetriesUnderNewOrderId,
    RedeemsOnNewTicketAfterError,
    IgnoresRetryAfter,
    RetriesRefusedUnchanged,
    NeverRetries,
)
