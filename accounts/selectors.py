"""Reads about accounts and aliases."""

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING

from accounts.models import SiteSettings, User

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from moderation.models import ModerationAction


def site_settings() -> SiteSettings:
    """The site-wide settings row (created with defaults the first time)."""
    row, _ = SiteSettings.objects.get_or_create(pk=1)
    return row


def registration_is_open() -> bool:
    """Whether new members can sign up without an invitation."""
    return site_settings().registration == SiteSettings.Registration.OPEN


def has_two_factor(user: User) -> bool:
    """Whether the member has an authenticator app set up (django-allauth MFA)."""
    try:
        from allauth.mfa.models import Authenticator
    except (ImportError, RuntimeError):
        return False
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


HELPLINES_FILE = Path(__file__).resolve().parent.parent / "moderation" / "data" / "helplines.json"


@functools.cache
def supported_countries() -> dict[str, str]:
    """ISO code → name of the countries whose helplines Kindred lists, by name."""
    data = json.loads(HELPLINES_FILE.read_text(encoding="utf-8"))
    countries = {row["country"]: row["country_name"] for row in data["countries"]}
    return dict(sorted(countries.items(), key=lambda item: item[1]))


def users_wanting_notifications(*, user_ids: set[int], kind: str) -> set[int]:
    """Which of `user_ids` want notifications of `kind` ("reply" or "mention")."""
    field = "notify_mentions" if kind == "mention" else "notify_replies"
    return set(User.objects.filter(pk__in=user_ids, **{field: True}).values_list("pk", flat=True))


def reveal_list(limit: int = 100) -> "QuerySet[ModerationAction]":
    """The latest reveals, for every staff member to see who looked behind which alias."""
    from moderation.models import ModerationAction

    return (
        ModerationAction.objects.filter(kind=ModerationAction.Kind.REVEAL)
        .select_related("subject", "community")
        .order_by("-created")[:limit]
    )
