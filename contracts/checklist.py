"""The cashier checklist of a certification session, as Markdown and as JSON.

Each step says what the cashier does on the POS, with which customer or reward code, what
LoyaPro must receive, and the outcome: what LoyaPro must hold once the step is done (which
order in which status, how the session customer's balances move, which state each reward
code ends in). The report grades the mock's state against the outcome, not only the
messages. The driver (:mod:`contracts.driver`) performs the same steps, by the same ids, the
way a correct POS does.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from loyapro_mock.contracts.prepare import FIXED_AMOUNT
from loyapro_mock.contracts.session import CertSession


@dataclass(frozen=True)
class Step:
    """One checklist step: what the cashier does, what LoyaPro receives (``expected``),
    what LoyaPro holds afterwards (``outcome``) and the checks that grade it."""

    id: str
    title: str
    actions: tuple[str, ...]
    uses: str
    expected: tuple[str, ...]
    outcome: tuple[str, ...]
    checks: tuple[str, ...]


def _describe_reward(session: CertSession, kind: str) -> str:
    reward = session.reward(kind)
    if kind == "products":
        allowed = ", ".join(reward.allowed_products) or "any product"
        return f"free product ({allowed})"
    if kind == "percentage":
        cap = f", at most {reward.max_discount_amount:g}" if reward.max_discount_amount else ""
        return f"{reward.discount_amount:g}% off the order{cap}"
    return f"{reward.discount_amount:g} off the order"


def build_checklist(session: CertSession) -> list[Step]:
    """The steps of ``session``, in the order the cashier performs them."""
    customer = session.customer
    who = f"customer {customer.name} ({customer.international})"
    steps = [
        Step(
            "order-paid",
            "Sell to a known customer",
            (
                "Open a new order and attach the customer by searching their mobile number.",
                "Add two products, then take payment.",
            ),
            who,
            (
                "The order is sent with status 4 (Paid) and the customer already attached.",
                "The mock answers status Paid; the customer earns loyalty.",
            ),
            (
                f"The order ends Paid in LoyaPro, attached to {who}, who earns points on it "
                "(their balances grow by what it earned).",
                "Every paid order of the session leaves its earnings with that customer: their "
                "final balances are what the session's Paid and Refunded orders left them.",
            ),
            (
                "orders.paid_sent",
                "orders.customer_before_paid",
                "orders.totals_reconcile",
                "orders.prices_match_catalogue",
                "session.customer_identity",
                "session.business_identity",
                "outcomes.order_paid",
                "outcomes.customer_balances",
            ),
        ),
        Step(
            "order-resend",
            "Retry a sent order",
            ("Make the POS send the paid order of 'order-paid' again (e.g. its retry after a timeout).",),
            "the order of step order-paid",
            ("The same order id and content are sent; the mock answers duplicate: true.",),
            (
                "LoyaPro still holds the sale once, Paid; the customer earned on it once (the "
                "retry moves no balance).",
            ),
            ("orders.resend_idempotent", "orders.no_duplicate_sales", "outcomes.order_resend"),
        ),
        Step(
            "order-void",
            "Delete an order",
            (
                "Open a new order for the customer, add a product and save it.",
                "Delete (void) the order.",
            ),
            who,
            ("The order is sent again with status 7 (Void), under the id it was saved with.",),
            (
                "The order the POS opened ends Void in LoyaPro: nothing it earned stays with the "
                "customer and any code redeemed on it is released.",
                "No order opened during the session is left Initiated.",
            ),
            ("orders.void_sent", "outcomes.order_void"),
        ),
        Step(
            "order-refund",
            "Cancel a paid order",
            ("Sell one product to the customer and take payment.", "Refund the whole order."),
            who,
            ("The order is sent again with status 5 (Returned); the mock reverses the loyalty.",),
            (
                "The paid order ends Refunded in LoyaPro (status 5, or a return order linked to "
                "it), and the points it earned are taken back from the customer.",
            ),
            ("orders.refund_sent", "outcomes.order_refund"),
        ),
    ]
    for kind, title in (
        ("products", "Redeem a free-product reward"),
        ("percentage", "Redeem a percentage reward"),
        ("fixed_amount", "Redeem a fixed-amount reward"),
    ):
        reward = session.reward(kind)
        steps.append(
            Step(
                f"reward-{kind.replace('_', '-')}",
                title,
                (
                    "Open a new order for the customer and add products"
                    + (" including one the reward allows." if kind == "products" else "."),
                    f"Type the code {reward.code} in the reward field: the POS looks it up.",
                    f"Check the POS shows the reward's kind: {_describe_reward(session, kind)}.",
                    "Confirm the reward"
                    + (" for the product the customer picks" if kind == "products" else "")
                    + ", then take payment.",
                ),
                f"code {reward.code} of {who}",
                (
                    "A lookup (/reward) of the code, then a redeem (/redeem) naming the order.",
                    "The paid order carries the same discount with reason 'Loyalty Redemption'.",
                ),
                (f"Code {reward.code} ends redeemed in LoyaPro, on this order, which ends Paid with {who}.",),
                (
                    "rewards.lookup_before_redeem",
                    "rewards.discount_matches_order",
                    "rewards.single_use",
                    "rewards.amount_matches_terms",
                )
                + (("rewards.product_choice",) if kind == "products" else ())
                + (f"outcomes.reward_{kind}",),
            )
        )
    return steps + resilience_steps(session)


#: The checks of the resilience requirements (RES-nn), by the step that exercises them.
LOST_ANSWER_CHECKS = ("resilience.lost_answer_same_order", "resilience.retries")
RETRY_REWARD_CHECKS = ("resilience.waits_retry_after", "resilience.redeem_retried_same", "resilience.retries")
REFUSED_CHECKS = ("resilience.no_unchanged_retry",)


def resilience_steps(session: CertSession) -> list[Step]:
    """The steps in which the mock misbehaves on purpose (none for a session without a
    resilience plan): the cashier performs ordinary sales, the POS must cope by itself."""
    plan = session.resilience
    if plan is None:
        return []
    who = f"customer {plan.customer.name} ({plan.customer.international})"
    return [
        Step(
            "retry-lost-answer",
            "Sell while LoyaPro's answer is lost",
            (
                f"Open a new order, attach {who} (the resilience customer, not the one above) "
                "and add one product.",
                "Take payment. LoyaPro commits the order, then the connection drops: the POS "
                "gets no answer. Do nothing else: the POS must send the order again by itself.",
            ),
            who,
            (
                "The paid order is sent again, under the same order id, once the answer was "
                "lost; the mock answers the retry duplicate: true.",
            ),
            (
                "LoyaPro holds the sale once, Paid, and the customer earned on it once (a "
                "retry under a new order id would earn twice).",
            ),
            LOST_ANSWER_CHECKS,
        ),
        Step(
            "retry-reward",
            "Redeem while LoyaPro is busy, then failing",
            (
                f"Open a new order for {who} and add two products.",
                f"Type the code {plan.code} in the reward field. LoyaPro answers 429 (rate "
                f"limited, Retry-After: {plan.retry_after}): the POS waits at least that long and "
                "looks the code up again by itself.",
                f"Confirm the reward ({FIXED_AMOUNT:g} off the order). LoyaPro "
                "commits the redemption, then answers with a server error: the POS sends the same "
                "redeem again (the same code and order id) by itself.",
                "Take payment.",
            ),
            f"code {plan.code} of {who}",
            (
                f"A lookup of {plan.code} answered 429, the same lookup again no sooner than "
                f"{plan.retry_after} s later, a redeem answered 5xx, the same redeem again.",
            ),
            (f"Code {plan.code} ends redeemed once in LoyaPro, on this order.",),
            RETRY_REWARD_CHECKS,
        ),
        Step(
            "no-retry-refused",
            "A refused code is not retried",
            (
                f"Open a new order for {who} and type the code {plan.refused_code} in the reward "
                "field. LoyaPro refuses it (422: valid only at another branch).",
                "Check the POS shows why; do not type it again. Cancel the reward.",
            ),
            f"code {plan.refused_code} of {who}",
            ("One lookup of the code, answered 422; the POS does not send it again unchanged.",),
            (
                "Nothing changes in LoyaPro (a lookup never changes state); the POS shows the "
                "refusal instead of sending the lookup again.",
            ),
            REFUSED_CHECKS,
        ),
    ]


def checklist_document(session: CertSession) -> dict[str, Any]:
    """The checklist as JSON-ready data (session, customers, codes, steps)."""
    return {
        "session": session.id,
        "mock_url": session.mock_url,
        "pos_name": session.pos_name,
        "business_reference": session.business_reference,
        "branch_id": session.branch_id,
        "customers": [asdict(customer) for customer in session.customers],
        "rewards": [
            {**asdict(reward), "allowed_products": list(reward.allowed_products)}
            for reward in session.rewards
        ],
        "resilience": asdict(session.resilience) if session.resilience is not None else None,
        "steps": [asdict(step) for step in build_checklist(session)],
        "report_command": f"loyapro-mock certify report --session {session.id}",
    }


def render_markdown(session: CertSession) -> str:
    """The checklist as a Markdown page a cashier can follow."""
    out = [
        f"# LoyaPro certification checklist ({session.id})",
        "",
        f"POS `{session.pos_name}`, business reference `{session.business_reference}`, "
        f"branch `{session.branch_id}`, mock {session.mock_url}.",
        "",
        "## Customers",
        "",
        "| Name | Arabic name | Mobile |",
        "|---|---|---|",
    ]
    out += [f"| {c.name} | {c.name_localized} | {c.international} |" for c in session.customers]
    plan = session.resilience
    if plan is not None:
        c = plan.customer
        out.append(f"| {c.name} | {c.name_localized} | {c.international} (resilience steps only) |")
    out += ["", "## Reward codes", "", "| Code | Kind | What the POS must show |", "|---|---|---|"]
    out += [f"| `{r.code}` | {r.kind} | {_describe_reward(session, r.kind)} |" for r in session.rewards]
    if plan is not None:
        out.append(f"| `{plan.code}` | fixed_amount | {FIXED_AMOUNT:g} off the order (resilience steps) |")
        out.append(f"| `{plan.refused_code}` | fixed_amount | refused: valid only at another branch |")
    out += ["", "## Steps", ""]
    for number, step in enumerate(build_checklist(session), start=1):
        out += [f"### {number}. {step.title} (`{step.id}`)", "", f"Uses: {step.uses}.", ""]
        out += [f"- [ ] {action}" for action in step.actions]
        out += ["", "Expected:", ""]
        out += [f"- {item}" for item in step.expected]
        out += ["", "Outcome in LoyaPro:", ""]
        out += [f"- {item}" for item in step.outcome]
        out += ["", "Graded by: " + ", ".join(f"`{name}`" for name in step.checks), ""]
    if plan is not None:
        out += [
            "## Resilience steps",
            "",
            "The last steps grade LoyaPro best practice, not LoyaPro's POS documentation: the "
            "mock misbehaves on purpose (fault rules `certify start` installed, scoped to the "
            "resilience customer and codes: `GET /__admin/faults` lists them) and the POS must "
            "cope by itself. They are reported as their own group (RES-01 to RES-05) and count "
            "for the sign-off.",
            "",
        ]
    out += [
        "## Throughout the session",
        "",
        "Every webhook call of the steps above the resilience ones is graded as well: the mock "
        "must refuse none of them (`session.no_refusals`), each must carry the session's "
        "customer and business (`session.customer_identity`, `session.business_identity`) "
        "and register no new business (`session.no_auto_registration`), and each must follow "
        "the contract (schema, headers and payload contents).",
        "",
        "Keep the mock to the session until the report: do not reset it, restart it on an "
        "empty store or move its clock (`session.integrity` fails when that happened, and the "
        "other checks are then not graded). Scenarios (`loyapro-mock fixtures scenario --run`) "
        "may share the mock: without `--reset` they play in a business of their own.",
        "",
        "## When done",
        "",
        f"Run `loyapro-mock certify report --session {session.id}` for the sign-off report.",
        "",
    ]
    return "\n".join(out)


def write_checklist(session: CertSession, directory: Path) -> dict[str, Path]:
    """Write ``checklist.md`` and ``checklist.json`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    markdown = directory / "checklist.md"
    markdown.write_text(render_markdown(session), "utf-8")
    document = directory / "checklist.json"
    document.write_text(json.dumps(checklist_document(session), indent=2, ensure_ascii=False) + "\n", "utf-8")
    return {"markdown": markdown, "json": document}
