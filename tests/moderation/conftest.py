"""Moderation tests act as moderators without setting up an authenticator app, except the
tests of that rule, which turn it back on."""

import pytest

from accounts.models import SiteSettings


@pytest.fixture(autouse=True)
def moderator_mfa_off(db: None) -> None:
    SiteSettings.objects.update_or_create(pk=1, defaults={"require_moderator_mfa": False})
