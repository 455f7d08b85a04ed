"""A member writes a safety plan, a step at a time and saved as they type (a failed save
loses nothing); later their crisis message in chat brings the plan up first in the support
card; pressing Escape twice leaves for a neutral site with no way Back, and the chat draft
waits for them. axe-core audits the plan pages."""

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from bench.servers import Server
from tests.e2e.test_accessibility import AXE, AXE_RUN, BLOCKING_IMPACTS, axe_or_skip, report

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
USERNAME = "planmaker"
PASSWORD = "a-calm-long-pass-31"
NEUTRAL = "https://www.bbc.co.uk/weather"
NEUTRAL_PAGE = "<!doctype html><html lang='en'><title>Weather</title><h1>Weather</h1></html>"
ROOM = "/c/anxiety/chat/lounge/"
PLAN_PAGES = ["/me/safety-plan/", *(f"/me/safety-plan/step/{number}/" for number in range(1, 8))]

WARNING_SIGNS = "Not sleeping, and cancelling plans with friends"
ON_MY_OWN = "A walk round the park with headphones on"
PEOPLE = "Sam, my sister: 07700 900123"
REASONS = "My niece Ada, and the sea in September"
CRISIS = "I can't do this anymore, I want to kill myself"


def neutral_site(context: Any) -> None:
    """The tests have no internet: the neutral site answers from here."""
    context.route(
        re.compile(r"^https://www\.bbc\.co\.uk/.*"),
        lambda route: route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE),
    )


def csp_watch(page: Any, problems: list[str]) -> None:
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )


def sign_up(page: Any, site: Server, username: str) -> None:
    page.goto(f"{site.url}/accounts/signup/")
    page.get_by_label("Username").fill(username)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(f"{site.url}/")


def join_anxiety(page: Any, site: Server) -> None:
    """Join the demo's open community from the home page, confirming its welcome."""
    page.goto(f"{site.url}/")
    card = page.locator("li.card", has=page.get_by_role("link", name="Living with anxiety"))
    card.get_by_role("button", name="Join").click()
    page.wait_for_url(re.compile(rf"{re.escape(site.url)}/c/anxiety/"))
    if "/welcome/" in page.url:
        page.get_by_role("button", name="I have read the welcome and the rules").click()
        page.wait_for_url(re.compile(rf"{re.escape(site.url)}/c/anxiety/(?!welcome)"))


def sign_up_and_join(page: Any, site: Server) -> None:
    sign_up(page, site, USERNAME)
    join_anxiety(page, site)


def log_in(page: Any, site: Server) -> None:
    page.goto(f"{site.url}/accounts/login/")
    page.get_by_label("Username").fill(USERNAME)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{site.url}/")


def type_step(page: Any, text: str) -> None:
    """Type as a person does; the page saves on its own and says so."""
    box = page.locator("textarea")
    box.click()
    box.press_sequentially(text, delay=5)
    expect(page.locator("#plan-save-status")).to_contain_text("Saved at", timeout=10000)


def axe_plan_pages(browser: Any, site: Server) -> dict[str, Any]:
    """axe on every plan page; the audit context bypasses CSP only to inject axe."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    log_in(page, site)
    found: dict[str, Any] = {}
    for path in PLAN_PAGES:
        response = page.goto(f"{site.url}{path}")
        assert response is not None and response.status == 200, path
        page.add_script_tag(path=str(AXE))
        violations = [v for v in page.evaluate(AXE_RUN) if v["impact"] in BLOCKING_IMPACTS]
        if violations:
            found[f"{USERNAME} {path}"] = violations
    context.close()
    return found


FOCUS_HIDDEN_BY_BAR = """
() => {
  const el = document.activeElement;
  const bar = document.querySelector(".quick-exit-bar");
  if (!el || el === document.body || bar.contains(el)) return null;
  const box = el.getBoundingClientRect();
  const cover = bar.getBoundingClientRect();
  return {
    hidden: box.top >= cover.top && box.bottom <= cover.bottom,
    barOnScreen: cover.top >= 0 && cover.bottom <= innerHeight,
    what: `${el.localName}#${el.id} ${(el.textContent || "").trim().slice(0, 30)}`,
  };
}
"""


def test_plan_comes_first_in_chat_and_escape_twice_leaves_for_good(
    site: Server, browser: Any, shots: Path
) -> None:
    axe_or_skip()
    context = browser.new_context(viewport=PHONE)
    neutral_site(context)
    page = context.new_page()
    csp_problems: list[str] = []
    csp_watch(page, csp_problems)
    sign_up_and_join(page, site)

    # No plan yet: a gentle start, audited by axe as it is.
    page.goto(f"{site.url}/me/safety-plan/")
    expect(page.get_by_role("link", name="Start with step 1")).to_be_visible()
    page.screenshot(path=str(shots / "plan-empty.png"), full_page=True)
    empty_findings = axe_plan_pages(browser, site)

    # One step at a time, saved as the member types.
    page.get_by_role("link", name="Start with step 1").click()
    expect(page.locator(".plan-progress")).to_have_text("Step 1 of 7")
    type_step(page, WARNING_SIGNS)
    page.screenshot(path=str(shots / "plan-step-1-saved.png"), full_page=True)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".plan-progress")).to_have_text("Step 2 of 7")
    type_step(page, ON_MY_OWN)
    page.get_by_role("link", name="Skip this step").click()  # step 3 is optional
    expect(page.locator(".plan-progress")).to_have_text("Step 3 of 7")
    page.goto(f"{site.url}/me/safety-plan/step/4/")
    expect(page.get_by_text("Only you can see these names and numbers.")).to_be_visible()
    type_step(page, PEOPLE)
    # Step 5 starts with the crisis lines of the member's region.
    page.goto(f"{site.url}/me/safety-plan/step/5/")
    assert page.locator("textarea").input_value().strip()

    # A failed save loses nothing: the text stays on the device and is saved later.
    page.goto(f"{site.url}/me/safety-plan/step/7/")
    page.route("**/me/safety-plan/save/", lambda route: route.fulfill(status=503, body="down"))
    box = page.locator("textarea")
    box.click()
    box.press_sequentially(REASONS, delay=5)
    expect(page.locator("#plan-save-status")).to_contain_text("Not saved yet", timeout=10000)
    draft = page.evaluate("JSON.stringify(Object.assign({}, localStorage))")
    assert REASONS in draft and USERNAME not in draft
    page.screenshot(path=str(shots / "plan-save-failed.png"), full_page=True)
    page.reload()
    expect(page.locator("textarea")).to_have_value(REASONS)
    page.unroute("**/me/safety-plan/save/")
    expect(page.locator("#plan-save-status")).to_contain_text("Saved at", timeout=20000)
    assert REASONS not in page.evaluate("JSON.stringify(Object.assign({}, localStorage))")

    page.goto(f"{site.url}/me/safety-plan/")
    for text in (WARNING_SIGNS, ON_MY_OWN, PEOPLE, REASONS):
        expect(page.locator(".plan-steps")).to_contain_text(text)
    page.screenshot(path=str(shots / "plan-written.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Save as a file").click()
    assert REASONS in Path(download.value.path()).read_text()

    # The "Leave quickly" bar stays on screen and never hides what has focus (2.4.11).
    page.keyboard.press("End")
    focus_checked = 0
    for _ in range(25):
        page.keyboard.press("Shift+Tab")
        focus = page.evaluate(FOCUS_HIDDEN_BY_BAR)
        if focus is None:
            continue
        focus_checked += 1
        assert focus["barOnScreen"], focus
        assert not focus["hidden"], f"the quick-exit bar hides {focus['what']}"
    assert focus_checked >= 15

    # Later, in chat: a crisis message brings the member's own plan up first.
    page.goto(f"{site.url}{ROOM}")
    expect(page.locator("#chat-status")).to_have_text("Connected")
    page.locator("#chat-input").fill(CRISIS)
    page.locator("#chat-input").press("Enter")
    card = page.locator("#chat-support")
    expect(card).to_be_visible(timeout=10000)
    plan = card.locator("#chat-support-plan")
    expect(plan).to_be_visible()
    expect(plan).to_contain_text(WARNING_SIGNS)
    expect(plan).to_contain_text(REASONS)
    expect(card.locator("#chat-support-plan-offer")).to_be_hidden()
    plan_first = page.evaluate(
        """() => {
          const plan = document.getElementById("chat-support-plan");
          const lines = document.querySelector("#chat-support .support-resources");
          return lines.children.length > 0 &&
            Boolean(plan.compareDocumentPosition(lines) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    )
    assert plan_first, "the plan comes before the helplines"
    expect(card).to_contain_text("Kindred cannot locate anyone")
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "chat-support-plan-first.png"), full_page=True)

    # The plan opens in another tab; leaving quickly takes every Kindred tab away.
    with context.expect_page() as opened:
        plan.get_by_role("link", name=re.compile("Open your whole plan")).click()
    plan_tab = opened.value
    plan_tab.wait_for_load_state()

    # A draft in the chat box, then Escape twice: the neutral site, and no way Back.
    page.bring_to_front()
    page.locator("#chat-input").fill("A draft I had not sent yet")
    before = page.evaluate("history.length")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(NEUTRAL)
    expect(page.locator("h1")).to_have_text("Weather")
    assert page.evaluate("history.length") == before, "the chat page was replaced, not added to"
    plan_tab.wait_for_url(NEUTRAL)
    page.screenshot(path=str(shots / "left-quickly.png"), full_page=True)
    for _ in range(3):
        page.go_back()
        page.wait_for_url(NEUTRAL)
        expect(page.locator("h1")).to_have_text("Weather")
    assert site.url not in page.url
    page.screenshot(path=str(shots / "back-stays-neutral.png"), full_page=True)

    # Coming back on purpose works, and the chat draft is still there.
    page.goto(f"{site.url}{ROOM}")
    expect(page.locator("#chat-input")).to_have_value("A draft I had not sent yet")
    page.wait_for_timeout(500)
    assert page.url == f"{site.url}{ROOM}", "opening Kindred afresh does not bounce"

    # The "Leave quickly" control does the same with one tap.
    page.get_by_role("link", name="Leave quickly").click()
    page.wait_for_url(NEUTRAL)
    assert csp_problems == []
    context.close()

    found = {**empty_findings, **axe_plan_pages(browser, site)}
    assert not found, "\n" + report(found)


def test_without_a_plan_the_chat_card_offers_one_gently(
    site: Server, browser: Any, shots: Path
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_up(page, site, "noplanyet")
    join_anxiety(page, site)
    page.goto(f"{site.url}{ROOM}")
    expect(page.locator("#chat-status")).to_have_text("Connected")
    page.locator("#chat-input").fill(CRISIS)
    page.locator("#chat-input").press("Enter")
    support = page.locator("#chat-support")
    expect(support).to_be_visible(timeout=10000)
    expect(support.locator("#chat-support-plan")).to_be_hidden()
    offer = support.locator("#chat-support-plan-offer")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("There's no rush")
    support.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "chat-support-offer.png"), full_page=True)
    context.close()


def test_quick_exit_can_be_switched_off(site: Server, browser: Any) -> None:
    context = browser.new_context(viewport=PHONE)
    neutral_site(context)
    page = context.new_page()
    page.goto(f"{site.url}/help/")
    expect(page.get_by_role("link", name="Leave quickly")).to_be_visible()
    sign_up(page, site, "staysput")
    page.goto(f"{site.url}/me/")
    page.get_by_label(re.compile("Show “Leave quickly”")).uncheck()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    page.goto(f"{site.url}/help/")
    expect(page.get_by_role("link", name="Leave quickly")).to_have_count(0)
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert page.url == f"{site.url}/help/"
    context.close()
