"""An owner opens a members-only community with approval, invites a member, approves an
applicant, and adds a moderator who must first set up two-factor authentication."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from bench.servers import Server, sqlite_site, start_daphne
from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.test_forum import sign_up

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 900}
NEWCOMER_PASSWORD = "a-calm-long-pass-9"  # what tests.e2e.test_forum.sign_up sets


def log_in(page: Any, site: Server, username: str) -> None:
    page.goto(f"{site.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{site.url}/")


def current_code(secret: str) -> str:
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A site of this walk's own: it turns the site-wide two-factor rule on, which the
    other walks on the shared demo site must not meet."""
    directory = tmp_path_factory.mktemp("e2e-admin-site")
    server = start_daphne(sqlite_site(directory, demo_password=DEMO_PASSWORD), directory)
    yield server
    server.stop()


def test_owner_sets_up_a_community_with_approval(site: Server, browser: Any, shots: Path) -> None:
    owner = browser.new_context(viewport=DESKTOP).new_page()
    log_in(owner, site, "admin")
    owner.goto(f"{site.url}/communities/new/")
    owner.get_by_label("Name").fill("Recovery circle")
    owner.get_by_label("Address").fill("circle")
    owner.get_by_label("Visibility").select_option("members")
    owner.get_by_label("Joining").select_option("approval")
    owner.get_by_role("button", name="Create community").click()
    owner.wait_for_url(f"{site.url}/c/circle/settings/")
    owner.get_by_label("Question for people asking to join (optional)").fill(
        "What brings you here?"
    )
    owner.get_by_label("Rules").fill("Be kind. No advice about medication.")
    owner.get_by_role("button", name="Save settings").click()
    assert owner.get_by_text("Settings saved.").is_visible()
    owner.screenshot(path=str(shots / "1-settings.png"), full_page=True)

    owner.goto(f"{site.url}/c/circle/settings/invitations/")
    owner.get_by_role("button", name="Create invitation link").click()
    link = owner.locator(".invitation-link").first.input_value()
    owner.screenshot(path=str(shots / "2-invitation.png"), full_page=True)

    # A newcomer joins through the invitation and reads the rules.
    sky = browser.new_context(viewport=DESKTOP).new_page()
    sign_up(sky, site, "circlekeeper")
    sky.goto(link)
    sky.get_by_role("button", name="Join Recovery circle").click()
    sky.wait_for_url(f"{site.url}/c/circle/welcome/")
    assert sky.get_by_text("No advice about medication.").is_visible()
    sky.screenshot(path=str(shots / "3-welcome.png"), full_page=True)
    sky.get_by_role("button", name="I have read the welcome and the rules").click()
    sky.wait_for_url(f"{site.url}/c/circle/")
    sky.goto(f"{site.url}/me/")
    sky_alias = sky.locator("li.card", has_text="Recovery circle").locator("strong").inner_text()

    # river asks to join, and waits.
    river = browser.new_context(viewport=DESKTOP).new_page()
    log_in(river, site, "river")
    river.goto(f"{site.url}/c/circle/")
    river.get_by_role("button", name="Ask to join").click()
    river.goto(f"{site.url}/c/circle/welcome/")
    assert river.get_by_text("waiting for a moderator").is_visible()

    owner.goto(f"{site.url}/c/circle/settings/members/")
    owner.screenshot(path=str(shots / "4-requests.png"), full_page=True)
    owner.get_by_role("button", name="Approve").first.click()
    assert owner.get_by_text("Nobody is waiting to join.").is_visible()

    owner.goto(f"{site.url}/c/circle/settings/moderators/")
    owner.get_by_label("Alias").fill(sky_alias)
    owner.get_by_role("button", name="Make moderator").click()
    assert owner.get_by_role("cell", name=sky_alias, exact=True).is_visible()
    owner.screenshot(path=str(shots / "5-moderators.png"), full_page=True)

    # The demo site does not require two-factor authentication; turn the rule on.
    owner.goto(f"{site.url}/staff/site-settings/")
    owner.get_by_label("Require two-factor authentication").check()
    owner.get_by_role("button", name="Save site settings").click()
    assert owner.get_by_text("Site settings saved.").is_visible()

    # The new moderator is asked to set up two-factor authentication before acting.
    sky.goto(f"{site.url}/c/circle/settings/members/")
    assert sky.get_by_role("heading", name="Set up two-factor authentication").is_visible()
    sky.screenshot(path=str(shots / "6-two-factor-required.png"), full_page=True)
    sky.get_by_role("link", name="Set up two-factor authentication").click()
    sky.wait_for_load_state()
    if "/reauthenticate/" in sky.url:  # allauth asks for the password again first
        sky.get_by_label("Password").fill(NEWCOMER_PASSWORD)
        sky.get_by_role("button", name="Confirm").click()
        sky.wait_for_url("**/accounts/2fa/totp/activate/")
    secret = sky.locator("#authenticator_secret").input_value()
    sky.screenshot(path=str(shots / "7-activate.png"), full_page=True)
    sky.locator("input[name=code]").fill(current_code(secret))
    sky.get_by_role("button", name="Activate").click()
    sky.wait_for_load_state()
    sky.screenshot(path=str(shots / "8-activated.png"), full_page=True)
    sky.goto(f"{site.url}/c/circle/settings/members/")
    assert sky.get_by_role("heading", name="Requests to join Recovery circle").is_visible()
    sky.goto(f"{site.url}/c/circle/settings/statistics/")
    sky.screenshot(path=str(shots / "9-statistics.png"), full_page=True)
    assert (shots / "9-statistics.png").stat().st_size > 1000
