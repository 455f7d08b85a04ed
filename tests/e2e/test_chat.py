"""Two members chat in the demo lounge; one drops offline, writes, comes back: it arrives once."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from bench.servers import Server
from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

ROOM = "/c/anxiety/chat/lounge/"


def open_room(browser: Any, site: Server, username: str) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 900, "height": 800})
    page = context.new_page()
    page.goto(f"{site.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{site.url}/")
    page.goto(f"{site.url}{ROOM}")
    expect(page.locator("#chat-status")).to_have_text("Connected")
    return context, page


def messages_with(page: Any, text: str) -> int:
    return int(page.locator("#chat-log .chat-body", has_text=text).count())


def test_two_members_chat_and_an_offline_message_arrives_once(
    site: Server, browser: Any, shots: Path
) -> None:
    river_context, river = open_room(browser, site, "river")
    sky_context, sky = open_room(browser, site, "sky")

    river.locator("#chat-input").fill("Good evening, anyone around?")
    river.locator("#chat-input").press("Enter")
    sky.locator("#chat-log .chat-body", has_text="Good evening, anyone around?").wait_for()
    assert sky.locator("#chat-announcer").text_content().endswith("Good evening, anyone around?")
    sky.locator("#chat-input").fill("Hi river")
    sky.locator("#chat-input").press("Shift+Enter")
    sky.locator("#chat-input").type("I'm here.")
    sky.locator("#chat-input").press("Enter")
    river.locator("#chat-log .chat-body", has_text="I'm here.").wait_for()
    sky.screenshot(path=str(shots / "sky-online.png"), full_page=True)

    # Sky loses the connection and writes while offline: shown as sending, kept locally.
    sky_context.set_offline(True)
    sky.evaluate("window.kindredChat.socket.close()")
    expect(sky.locator("#chat-status")).not_to_have_text("Connected")
    sky.locator("#chat-input").fill("Written while my connection was down")
    sky.locator("#chat-input").press("Enter")
    sky.locator(".chat-message.is-sending", has_text="Written while my connection").wait_for()
    pending = sky.evaluate("localStorage.getItem('kindred.chat.pending.anxiety/lounge')")
    assert "Written while my connection was down" in pending
    sky.screenshot(path=str(shots / "sky-offline-sending.png"), full_page=True)

    sky_context.set_offline(False)
    expect(sky.locator("#chat-status")).to_have_text("Connected", timeout=30000)
    river.locator("#chat-log .chat-body", has_text="Written while my connection was down").wait_for(
        timeout=15000
    )
    expect(sky.locator(".chat-message.is-sending")).to_have_count(0, timeout=15000)
    river.wait_for_timeout(1000)
    assert messages_with(river, "Written while my connection was down") == 1
    assert messages_with(sky, "Written while my connection was down") == 1
    assert messages_with(sky, "Good evening, anyone around?") == 1
    assert sky.evaluate("localStorage.getItem('kindred.chat.pending.anxiety/lounge')") is None
    river.screenshot(path=str(shots / "river-after.png"), full_page=True)
    sky.screenshot(path=str(shots / "sky-after.png"), full_page=True)
    for context in (river_context, sky_context):
        context.close()
