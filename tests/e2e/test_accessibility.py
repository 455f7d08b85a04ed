"""Accessibility: axe-core on every main page (logged out, as a member, as a moderator and
as an administrator), and a keyboard-only walk through posting, replying and chatting.

axe-core comes from the npm registry (package.json pins it; `npm ci` installs it into
node_modules/). The audit's browser context bypasses the page's CSP only so that axe can be
injected; the pages themselves are unchanged.
"""

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from bench.servers import ROOT, Server
from tests.e2e.conftest import DEMO_PASSWORD
from tests.security.counts import count_record

pytestmark = pytest.mark.e2e

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}

AXE_RUN = """
async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    targets: violation.nodes.slice(0, 5).map((node) => node.target.join(" ")),
  }));
}
"""

VISITOR_PAGES = [
    "/",
    "/help/",
    "/help/replying/",
    "/privacy/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/c/anxiety/",
    "{topic}",
    "/c/anxiety/search/?q=breathing",
    "/search/?q=sleep",
    "/c/carers/",
]
# The members-only page a visitor gets, with its 403, is a page people read too.
EXPECTED_STATUS: dict[tuple[str | None, str], int] = {(None, "/c/carers/"): 403}
MEMBER_PAGES = [
    "/",
    "/c/anxiety/",
    "{topic}",
    "/c/anxiety/new/",
    "/c/anxiety/waiting/",
    "/c/anxiety/search/?q=breathing",
    "/search/?q=sleep",
    "/notifications/",
    "/me/",
    "/me/notices/",
    "/me/safety-plan/",
    "/me/export/",
    "/me/delete/",
    "/c/anxiety/chat/",
    "/c/anxiety/chat/lounge/",
    "/c/carers/",
    "/help/",
]
MODERATOR_PAGES = ["/mod/", "/c/anxiety/mod/", "{queue_item}"]
ADMIN_PAGES = [
    "/c/anxiety/mod/log/",
    "/c/anxiety/settings/",
    "/c/anxiety/settings/moderators/",
    "/c/anxiety/settings/members/",
    "/c/anxiety/settings/invitations/",
    "/c/anxiety/settings/rooms/",
    "/c/anxiety/settings/words/",
    "/c/anxiety/settings/statistics/",
    "/c/anxiety/settings/log/",
    "/communities/new/",
    "/staff/site-settings/",
    "/staff/statistics/",
]


def axe_or_skip() -> Path:
    if not AXE.exists():
        pytest.skip("needs axe-core in node_modules/: run `npm ci --no-audit --no-fund`")
    return AXE


def log_in(page: Any, site: Server, username: str) -> None:
    page.goto(f"{site.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(rf"{re.escape(site.url)}/(me/two-factor/)?$"))


def _fill_placeholders(page: Any, site: Server, paths: list[str]) -> list[str]:
    """Put real ids in for {topic} and {queue_item}, found through the pages themselves."""
    filled = []
    for path in paths:
        if path == "{topic}":
            page.goto(f"{site.url}/c/anxiety/")
            path = page.locator("a.topic-title").first.get_attribute("href")
        elif path == "{queue_item}":
            page.goto(f"{site.url}/c/anxiety/mod/")
            links = page.locator("a[href^='/mod/item/']")
            if links.count() == 0:
                continue
            path = links.first.get_attribute("href")
        filled.append(path)
    return filled


def audit(browser: Any, site: Server, username: str | None, paths: list[str]) -> dict[str, Any]:
    """axe violations of serious or critical impact, by page; pages that do not answer 200
    for this visitor are reported as such."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    if username:
        log_in(page, site, username)
    found: dict[str, Any] = {}
    audited = 0
    for path in _fill_placeholders(page, site, paths):
        response = page.goto(f"{site.url}{path}")
        if response is None or response.status != EXPECTED_STATUS.get((username, path), 200):
            found[f"{username or 'visitor'} {path}"] = f"answered {response and response.status}"
            continue
        page.add_script_tag(path=str(AXE))
        violations = [
            violation
            for violation in page.evaluate(AXE_RUN)
            if violation["impact"] in BLOCKING_IMPACTS
        ]
        audited += 1
        if violations:
            found[f"{username or 'visitor'} {path}"] = violations
    context.close()
    count_record("accessibility: pages audited with axe-core", audited)
    return found


def report(found: dict[str, Any]) -> str:
    lines = []
    for page, violations in found.items():
        if isinstance(violations, str):
            lines.append(f"{page}: {violations}")
            continue
        for violation in violations:
            lines.append(
                f"{page}: {violation['impact']} {violation['id']} ({violation['help']}) "
                f"at {violation['targets']}"
            )
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("username", "paths"),
    [
        (None, VISITOR_PAGES),
        ("river", MEMBER_PAGES),
        ("mod", MODERATOR_PAGES),
        ("admin", ADMIN_PAGES),
    ],
    ids=["visitor", "member", "moderator", "admin"],
)
def test_main_pages_have_no_serious_accessibility_violation(
    site: Server, browser: Any, username: str | None, paths: list[str]
) -> None:
    axe_or_skip()
    found = audit(browser, site, username, paths)
    assert not found, "\n" + report(found)


# Keyboard only: every step is Tab, Shift+Tab, Enter or typing.

FOCUS_VISIBLE = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const ring = style.boxShadow && style.boxShadow !== "none";
  return {
    tag: el.localName, id: el.id, name: el.getAttribute("name"), text: (el.textContent || "").trim().slice(0, 40),
    visible: outline || ring, outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
  };
}
"""


class KeyboardWalker:
    """Moves focus with Tab only, checking the focus ring on every control it lands on."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.unringed: list[dict[str, Any]] = []
        self.steps = 0

    def tab_to(self, matches: Any, *, limit: int = 80, backwards: bool = False) -> dict[str, Any]:
        trail = []
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            self.steps += 1
            focused = self.page.evaluate(FOCUS_VISIBLE)
            if focused is None:
                continue
            trail.append(f"{focused['tag']}#{focused['id']}[{focused['name']}] {focused['text']!r}")
            if not focused["visible"]:
                self.unringed.append(focused)
            if matches(focused):
                return focused
        raise AssertionError(
            f"{self.page.url}: no control matched within {limit} Tab presses: {trail[:25]}"
        )


def test_keyboard_only_member_posts_a_topic_a_reply_and_a_chat_message(
    site: Server, browser: Any
) -> None:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    walker = KeyboardWalker(page)

    page.goto(f"{site.url}/accounts/login/")
    walker.tab_to(lambda f: f["name"] == "login")
    page.keyboard.type("river")
    walker.tab_to(lambda f: f["name"] == "password")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.url}/")

    page.goto(f"{site.url}/c/anxiety/new/")
    walker.tab_to(lambda f: f["name"] == "title")
    page.keyboard.type("Typed without a mouse")
    walker.tab_to(lambda f: f["name"] == "body")
    page.keyboard.type("Every step of this topic was made with the keyboard.")
    walker.tab_to(lambda f: f["tag"] == "button" and "Post" in f["text"])
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Typed without a mouse")

    walker.tab_to(lambda f: f["tag"] == "textarea" and f["name"] == "body")
    page.keyboard.type("And a reply, also typed.")
    walker.tab_to(lambda f: f["tag"] == "button" and "reply" in f["text"].lower())
    page.keyboard.press("Enter")
    expect(page.locator(".post-body", has_text="And a reply, also typed.")).to_be_visible()

    page.goto(f"{site.url}/c/anxiety/chat/lounge/")
    expect(page.locator("#chat-status")).to_have_text("Connected")
    walker.tab_to(lambda f: f["id"] == "chat-input")
    page.keyboard.type("Hello from the keyboard")
    page.keyboard.press("Enter")
    expect(
        page.locator(
            "#chat-log .chat-message:not(.is-sending) .chat-body",
            has_text="Hello from the keyboard",
        )
    ).to_have_count(1)
    context.close()

    count_record("accessibility: keyboard-only Tab steps checked for a focus ring", walker.steps)
    assert walker.unringed == [], f"focus not visible on: {walker.unringed}"


def test_the_audit_reports_a_planted_violation(browser: Any) -> None:
    """The harness itself: axe is injected and its serious findings are kept."""
    axe_or_skip()
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_content(
        '<html lang="en"><title>t</title><main><button></button>'
        '<p style="color:#eee;background:#fff">faint</p></main></html>'
    )
    page.add_script_tag(path=str(AXE))
    ids = {v["id"] for v in page.evaluate(AXE_RUN) if v["impact"] in BLOCKING_IMPACTS}
    context.close()
    assert {"button-name", "color-contrast"} <= ids
