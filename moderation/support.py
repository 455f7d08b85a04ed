"""The support card a writer sees when the crisis detector fires on their words."""

from typing import Any

from django.urls import reverse

from accounts.models import User
from forum.models import Community
from moderation.selectors import helplines_for_region, region_for


def support_card_context(
    *, user: User | None, community: Community | None, severity: str, accept_language: str = ""
) -> dict[str, Any]:
    """What the card shows: helplines for the writer's region and a human next step."""
    region = region_for(user=user, community=community, accept_language=accept_language)
    return {
        "helplines": helplines_for_region(region),
        "severity": severity,
        "plan_url": "/me/safety-plan/",
        "check_in_url": (
            reverse("moderation:ask_check_in", args=[community.slug]) if community else ""
        ),
    }


def support_frame(*, user: User, community: Community, severity: str) -> dict[str, Any]:
    """The chat `support` frame: to the writer only, never broadcast."""
    region = region_for(user=user, community=community)
    return {
        "type": "support",
        "severity": severity,
        "resources": helplines_for_region(region).as_frame_resources(),
        "check_in_url": reverse("moderation:ask_check_in", args=[community.slug]),
        "help_url": reverse("moderation:help"),
    }
