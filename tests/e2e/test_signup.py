"""A newcomer signs up without an email, logs in again, and sees the home page."""

from pathlib import Path
from typing import Any

import pytest

from bench.servers import Server

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def test_sign_up_without_email_then_log_in(site: Server, browser: Any, shots: Path) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{site.url}/accounts/signup/")
    page.get_by_label("Username").fill("browserpeer")
    page.locator("#id_password1").fill("a-calm-long-pass-9")
    page.locator("#id_password2").fill("a-calm-long-pass-9")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(f"{site.url}/")
    assert page.get_by_role("button", name="Log out").is_visible()

    page.get_by_role("button", name="Log out").click()
    page.goto(f"{site.url}/accounts/login/")
    page.get_by_label("Username").fill("browserpeer")
    page.locator("#id_password").fill("a-calm-long-pass-9")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{site.url}/")
    assert page.get_by_role("heading", name="Communities").is_visible()
    assert page.get_by_role("link", name="Need help now?").is_visible()
    page.screenshot(path=str(shots / "home-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(shots / "home-desktop.png"), full_page=True)
    assert (shots / "home-phone.png").stat().st_size > 1000
    context.close()
