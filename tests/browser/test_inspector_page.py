"""The inspector in headless Chromium: requests appear live, violations are pointed out in the
body, reward codes change state on the page, and the page works narrow and by keyboard."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from support.payloads import DEMO_CODES, docs_order, redeem_body, session_body

from .conftest import Mock


def expect(locator: Any) -> Any:
    """Playwright's waiting assertions (imported late: without Playwright the tests skip)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


Screenshot = Callable[[Any, str], Path]
pytestmark = pytest.mark.slow


def bad_order() -> dict[str, Any]:
    """The docs' order broken in three places: an unknown event, a quantity sent as a string,
    and the business reference left out."""
    order = docs_order()
    order["event"] = "customer.order.exploded"
    order["order"]["products"][0]["quantity"] = "1"
    del order["business"]["reference"]
    return order


def row(page: Any, journal_id: int) -> Any:
    return page.locator(f'#requests li[data-id="{journal_id}"]')


def test_a_posted_order_appears_without_reload_within_a_second(
    page: Any, mock: Mock, screenshot: Screenshot
) -> None:
    page.evaluate("window.loadedOnce = true")
    started = time.monotonic()
    answer = mock.post("order", docs_order())
    assert answer.status_code == 200
    row(page, 1).wait_for(timeout=1000)
    assert time.monotonic() - started < 1.0
    assert page.evaluate("window.loadedOnce") is True  # the same page: nothing reloaded
    text = row(page, 1).inner_text()
    assert "order" in text and "200" in text and "accepted" in text
    assert "Paid" in text and "+20 points" in text  # the loyalty result, from the answer
    row(page, 1).locator("button").click()
    summary = page.locator("#detail .loyalty").inner_text()
    assert "Paid" in summary and "earned 20 points" in summary
    screenshot(page, "inspector-order-1280")


def test_a_bad_order_shows_its_violations_pointed_in_the_body(
    page: Any, mock: Mock, screenshot: Screenshot
) -> None:
    assert mock.post("order", bad_order()).status_code == 422
    row(page, 1).locator("button").click()
    violations = page.locator("#detail .violations > li")
    assert violations.count() == 3
    assert page.locator("#detail h3", has_text="Violations (3)").count() == 1
    body = page.locator('#detail pre.json[aria-label="request body"]')
    for pointer in ("/event", "/order/products/0/quantity"):
        span = body.locator(f'[data-pointer="{pointer}"]')
        assert "hl-error" in span.get_attribute("class").split()
    assert json.loads(body.locator('[data-pointer="/event"]').inner_text()) == "customer.order.exploded"
    # a missing property is pointed at on its parent object
    parent = body.locator('[data-pointer="/business"]')
    assert {"hl-error", "hl-missing"} <= set(parent.get_attribute("class").split())
    assert "/business/reference" in parent.get_attribute("title")
    # a violation's pointer button takes the eye (and the focus) to the value
    violations.filter(has_text="/order/products/0/quantity").locator("button.pointer").click()
    focused = page.evaluate("document.activeElement.dataset.pointer")
    assert focused == "/order/products/0/quantity"
    # the value left untouched is not marked
    assert "hl-error" not in (body.locator('[data-pointer="/timestamp"]').get_attribute("class") or "")
    screenshot(page, "inspector-violations-1280")


def test_redeeming_a_code_changes_its_state_on_the_page(
    page: Any, mock: Mock, screenshot: Screenshot
) -> None:
    code = DEMO_CODES["fixed_amount"]
    page.locator("#tab-state").click()
    state = page.locator(f'#rewards tr[data-code="{code}"] .badge')
    state.wait_for()
    assert state.inner_text() == "issued"
    order_id = docs_order()["order"]["id"]
    assert mock.post("redeem", redeem_body(code, order_id, 10)).status_code == 200
    page.wait_for_function(
        f"document.querySelector('#rewards tr[data-code=\"{code}\"] .badge').textContent === 'redeemed'",
        timeout=3000,
    )
    history = page.locator(f'#rewards tr[data-code="{code}"] .history').inner_text()
    assert f"redeemed on {order_id}" in history
    screenshot(page, "inspector-state-1280")


def test_the_curl_shown_for_a_request_reproduces_it(page: Any, mock: Mock) -> None:
    sent = docs_order()
    sent["order"]["id"] = "curl-check-1"
    assert mock.post("order", sent).status_code == 200
    row(page, 1).locator("button").click()
    command = page.locator("#detail pre.curl").inner_text()
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["order_id"] == "curl-check-1"
    journal = requests.get(f"{mock.base_url}/__admin/requests", timeout=10).json()["requests"]
    assert len(journal) == 2
    assert journal[1]["request"]["body"] == journal[0]["request"]["body"] == sent
    assert journal[1]["response"]["body"]["duplicate"] is True


def test_filters_keep_only_the_chosen_requests(page: Any, mock: Mock) -> None:
    mock.post("order", docs_order())
    mock.post("order", bad_order())
    row(page, 2).wait_for()
    page.locator("#f-verdict").select_option("rejected")
    expect(row(page, 1)).to_be_hidden()
    expect(row(page, 2)).to_be_visible()
    expect(page.locator("#count")).to_have_text("1 of 2 request(s) shown")
    page.locator("#f-verdict").select_option("")
    page.locator("#f-operation").select_option("reward")
    expect(row(page, 1)).to_be_hidden()
    expect(row(page, 2)).to_be_hidden()


def test_the_newest_request_comes_first(page: Any, mock: Mock) -> None:
    for _ in range(3):
        mock.post("order", docs_order())
    row(page, 3).wait_for()
    ids = page.locator("#requests > li").evaluate_all("rows => rows.map(r => r.dataset.id)")
    assert ids == ["3", "2", "1"]


def test_the_rows_work_by_keyboard_with_a_visible_focus(page: Any, mock: Mock) -> None:
    mock.post("order", docs_order())
    mock.post("order", bad_order())
    row(page, 2).wait_for()
    row(page, 2).locator("button").focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('li').dataset.id") == "1"
    page.keyboard.press("Enter")
    assert page.locator("#detail h2").inner_text().startswith("#1 POST /pos/1.0.0/foodics/order")


@pytest.mark.parametrize("width", [400])
def test_the_page_fits_a_narrow_window(browser: Any, mock: Mock, screenshot: Screenshot, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{mock.base_url}/__admin/ui")
        page.wait_for_selector("#live.on")
        mock.post("order", bad_order())
        row(page, 1).locator("button").click()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        listed = page.locator("#requests").bounding_box()
        detail = page.locator("#detail").bounding_box()
        assert detail["y"] >= listed["y"] + listed["height"]  # one column: the detail below
        screenshot(page, f"inspector-violations-{width}")
        page.locator("#tab-state").click()
        page.locator("#rewards tbody tr").first.wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        history = page.locator("#rewards tbody tr").first.locator(".history").bounding_box()
        assert history["x"] >= 0 and history["x"] + history["width"] <= width  # a code's history in view
        screenshot(page, f"inspector-state-{width}")
    finally:
        context.close()


def test_a_certification_sessions_steps_tick_as_the_pos_performs_them(
    page: Any, mock: Mock, screenshot: Screenshot
) -> None:
    mock.post("order", bad_order())  # 1: before the session
    row(page, 1).wait_for()
    session = session_body(2, id="cert-browser01")
    registered = requests.post(f"{mock.base_url}/__admin/sessions", json=session, timeout=10)
    assert registered.status_code == 201
    page.locator("#tab-sessions").click()
    steps = page.locator('[data-session="cert-browser01"] .steps > li')
    steps.first.wait_for()
    assert [steps.nth(i).get_attribute("class") for i in range(2)] == ["todo", "todo"]
    assert mock.post("order", docs_order()).status_code == 200  # 2
    paid = page.locator('[data-session="cert-browser01"] [data-step="order-paid"]')
    page.wait_for_function(
        'document.querySelector(\'[data-session="cert-browser01"] [data-step="order-paid"]\')'
        ".classList.contains('done')",
        timeout=3000,
    )
    assert "✔" in paid.inner_text() and "#2" in paid.inner_text()
    progress = page.locator('[data-session="cert-browser01"] .progress').inner_text()
    assert progress.startswith("1 of 2 steps seen")
    assert (
        page.locator('[data-session="cert-browser01"] [data-step="reward-fixed-amount"]').get_attribute(
            "class"
        )
        == "todo"
    )
    screenshot(page, "inspector-session-1280")
    # the session filter keeps the session's requests only
    page.locator("#tab-requests").click()
    page.locator("#f-session").select_option("cert-browser01")
    expect(row(page, 1)).to_be_hidden()
    expect(row(page, 2)).to_be_visible()


def test_rate_limit_answers_and_injected_faults_are_marked(page: Any, mock: Mock) -> None:
    base = {"pos": "foodics", "operation": "order", "method": "POST", "path": "/pos/1.0.0/foodics/order"}
    limited = mock.journal_from_elsewhere(
        {
            **base,
            "status": 429,
            "verdict": "rejected",
            "response": {"status": 429, "body": {"code": "rate_limited"}},
        }
    )
    faulted = mock.journal_from_elsewhere(
        {**base, "status": 503, "verdict": "rejected", "fault": {"kind": "commit_then_fail", "rule": "r1"}}
    )
    plain = mock.journal_from_elsewhere({**base, "status": 200, "verdict": "accepted"})
    row(page, plain).wait_for(timeout=2000)  # written by another connection: read from the store
    assert "rate limited (429)" in row(page, limited).inner_text()
    assert "fault: commit_then_fail" in row(page, faulted).inner_text()
    for journal_id in (limited, faulted):
        assert "marked" in row(page, journal_id).get_attribute("class").split()
    assert "marked" not in (row(page, plain).get_attribute("class") or "").split()
    assert "fault" not in row(page, plain).inner_text()


#: The contrast ratio of a text colour on the background it is drawn on (WCAG 2), in the page.
CONTRAST = """
(selector) => {
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (node) => {
    for (; node; node = node.parentElement) {
      const color = rgb(getComputedStyle(node).backgroundColor);
      if (color.length < 4 || color[3] > 0) return color;
    }
    return [255, 255, 255];
  };
  const shown = [...document.querySelectorAll(selector)].filter((n) => n.offsetParent && n.innerText.trim());
  return shown.map((n) => {
    const [a, b] = [luminance(rgb(getComputedStyle(n).color)), luminance(background(n))];
    return [n.className || n.tagName, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  });
}
"""


def test_text_has_a_contrast_of_at_least_4_5_to_1(page: Any, mock: Mock) -> None:
    mock.post("order", docs_order())
    mock.post("order", bad_order())
    row(page, 2).locator("button").click()
    found = page.evaluate(
        CONTRAST,
        ".badge, .row-head span, .row-outcome, .meta, .muted, .live, .tabs button, .violations li, "
        "label, .jk, .jstr, .jlit, .jnull, .hl-error, .loyalty, .problem",
    )
    assert len(found) > 20
    low = [(name, round(ratio, 2)) for name, ratio in found if ratio < 4.5]
    assert low == []
