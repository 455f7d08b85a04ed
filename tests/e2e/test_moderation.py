"""Browser walk: a member reports a post, the moderator sees it arrive live, removes it with
a reason, and the author reads the reason."""

from pathlib import Path
from typing import Any

import pytest

from bench.servers import Server
from tests.e2e.test_forum import log_in

pytestmark = pytest.mark.e2e


def test_report_live_queue_remove_and_author_told(site: Server, browser: Any, shots: Path) -> None:
    author = browser.new_context().new_page()
    log_in(author, site, "river")
    author.goto(f"{site.url}/c/anxiety/new/")
    author.get_by_label("Title").fill("Selling cheap sunglasses")
    author.get_by_label("Your message").fill("Visit my shop for deals!")
    author.get_by_role("button", name="Post topic").click()
    author.wait_for_selector("#post-1")
    topic_url = author.url.split("#")[0]

    moderator = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(moderator, site, "mod")
    moderator.goto(f"{site.url}/c/anxiety/mod/")
    moderator.wait_for_selector("body[data-mod-feed='open']")
    moderator.screenshot(path=str(shots / "queue-before.png"), full_page=True)

    reporter = browser.new_context().new_page()
    log_in(reporter, site, "sky")
    reporter.goto(topic_url)
    reporter.get_by_role("link", name="Report").first.click()
    reporter.get_by_label("Spam").check()
    reporter.get_by_role("button", name="Send report").click()
    assert reporter.get_by_text("Your report was received").is_visible()

    arrived = moderator.locator(".queue-item-new", has_text="Reported: spam")
    arrived.wait_for(timeout=5000)
    moderator.screenshot(path=str(shots / "queue-live-item.png"), full_page=True)
    arrived.get_by_role("link").click()
    moderator.get_by_label("Reason").fill("Selling things is not allowed here.")
    moderator.get_by_role("button", name="Remove").click()
    moderator.wait_for_url(f"{site.url}/c/anxiety/mod/")

    author.goto(f"{site.url}/")
    author.get_by_role("link", name="From the moderators").click()
    assert author.get_by_text("Selling things is not allowed here.").is_visible()
    author.screenshot(path=str(shots / "author-told.png"), full_page=True)
