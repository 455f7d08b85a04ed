"""Browser walk: join, start a topic with a content note, reply, react, follow, get notified."""

from pathlib import Path
from typing import Any

import pytest

from bench.servers import Server
from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


def log_in(page: Any, site: Server, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{site.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{site.url}/")


def sign_up(page: Any, site: Server, username: str) -> None:
    page.goto(f"{site.url}/accounts/signup/")
    page.get_by_label("Username").fill(username)
    page.locator("#id_password1").fill("a-calm-long-pass-9")
    page.locator("#id_password2").fill("a-calm-long-pass-9")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(f"{site.url}/")


def test_forum_walk(site: Server, browser: Any, shots: Path) -> None:
    writer = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_up(writer, site, "forumwalker")
    writer.get_by_role("button", name="Join").last.click()
    # A community with rules asks a new member to read and confirm them first.
    writer.wait_for_url(f"{site.url}/c/anxiety/welcome/")
    assert writer.get_by_role("heading", name="Welcome to Living with anxiety").is_visible()
    writer.get_by_role("button", name="I have read the welcome and the rules").click()
    writer.wait_for_url(f"{site.url}/c/anxiety/")

    writer.get_by_role("link", name="Start a topic").click()
    writer.get_by_label("Title").fill("A heavy week")
    writer.get_by_label("Content note (optional)").fill("grief")
    writer.get_by_label("Your message").fill("My grandmother died on Monday. I keep going over it.")
    # The draft survives a reload before posting.
    writer.reload()
    assert "grandmother" in writer.get_by_label("Your message").input_value()
    writer.get_by_role("button", name="Post topic").click()
    writer.wait_for_selector("details.content-note")
    assert writer.get_by_text("Content note: grief").is_visible()
    assert not writer.get_by_text("My grandmother died").is_visible()
    writer.get_by_text("Content note: grief").click()
    assert writer.get_by_text("My grandmother died").is_visible()
    writer.screenshot(path=str(shots / "topic-with-content-note.png"), full_page=True)
    topic_url = writer.url.split("#")[0]

    reader = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(reader, site, "sky")
    reader.goto(topic_url)
    reader.get_by_role("button", name="Sending support").first.click()
    reader.wait_for_selector("button.reaction.reacted")
    assert reader.locator("button.reaction.reacted .reaction-count").first.inner_text() == "1"
    reader.get_by_label("Your message").fill("I'm so sorry. Sending you a hug.")
    reader.get_by_role("button", name="Post reply").click()
    reader.wait_for_selector("#post-2")
    reader.screenshot(path=str(shots / "reply-and-reaction.png"), full_page=True)

    writer.goto(f"{site.url}/c/anxiety/")
    assert writer.get_by_role("link", name="New posts").first.is_visible()
    assert writer.locator(".badge").first.inner_text().startswith("1")
    writer.screenshot(path=str(shots / "unread-marker.png"), full_page=True)
    writer.get_by_role("link", name="Notifications").click()
    assert writer.get_by_text("New reply from").is_visible()
    writer.screenshot(path=str(shots / "notifications.png"), full_page=True)

    reader.get_by_role("button", name="Stop following").click()
    assert reader.get_by_role("button", name="Follow this topic").is_visible()
