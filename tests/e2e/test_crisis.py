"""Browser walk of crisis escalation: a member who writes crisis language sees the support
card at once, in chat and in the forum, and the moderator's queue shows the urgent alert live.
"""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from bench.servers import Server
from tests.e2e.test_chat import open_room
from tests.e2e.test_forum import log_in

pytestmark = pytest.mark.e2e


def test_crisis_in_chat_and_forum_shows_help_and_alerts_the_moderator_live(
    site: Server, browser: Any, shots: Path
) -> None:
    moderator = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(moderator, site, "mod")
    moderator.goto(f"{site.url}/c/anxiety/mod/")
    moderator.wait_for_selector("body[data-mod-feed='open']")

    writer_context, writer = open_room(browser, site, "river")
    writer.locator("#chat-input").fill("i have the pills ready and tonight i will end it")
    writer.locator("#chat-input").press("Enter")
    # The writer is not silenced: their message is posted, and help appears beside it.
    writer.locator("#chat-log .chat-body", has_text="tonight i will end it").wait_for()
    card = writer.locator("#chat-support")
    expect(card).to_be_visible(timeout=5000)
    expect(card).to_contain_text("You deserve support")
    assert card.locator("a[href^='tel:'], .helpline").count() > 0
    writer.screenshot(path=str(shots / "chat-support-card.png"), full_page=True)

    alert = moderator.locator(".queue-item-new.priority-imminent")
    alert.wait_for(timeout=5000)
    expect(moderator.locator("[aria-live]").first).to_contain_text("Urgent")
    moderator.screenshot(path=str(shots / "queue-urgent-alert.png"), full_page=True)

    # In the forum: a reply with crisis language shows the card on the page it lands on.
    writer.goto(f"{site.url}/c/anxiety/new/")
    writer.get_by_label("Title").fill("A hard night")
    writer.get_by_label("Your message").fill(
        "I keep thinking about killing myself, I can't keep going like this"
    )
    writer.get_by_role("button", name="Post topic").click()
    writer.wait_for_selector("#post-1")
    expect(writer.locator(".support-card")).to_be_visible()
    expect(writer.locator("#post-1")).to_contain_text("thinking about killing myself")
    writer.screenshot(path=str(shots / "forum-support-card.png"), full_page=True)

    moderator.locator(".queue-item-new.priority-high").wait_for(timeout=5000)
    moderator.screenshot(path=str(shots / "queue-two-alerts.png"), full_page=True)
    writer_context.close()
    moderator.context.close()
