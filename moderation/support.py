"""The support card a writer sees when the crisis detector fires on their words."""

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from accounts.models import SafetyPlan, User
from accounts.safety_plan import SAFETY_PLAN_STEPS
from accounts.selectors import safety_plan_get
from forum.models import Community
from moderation.models import QueueItem
from moderation.selectors import helplines_for_region, region_for

# The card shows the plan's steps in full up to this length; the whole plan is one tap away.
PLAN_STEP_SHOWN_CHARACTERS = 600


def plan_steps_for_card(plan: SafetyPlan | None) -> list[dict[str, str]]:
    """The writer's own filled-in plan steps, in order, for the top of their support card.

    Only ever called for the writer themself: the card and the chat `support` frame go to
    the writer alone.
    """
    if plan is None:
        return []
    steps = []
    for step in SAFETY_PLAN_STEPS:
        text = getattr(plan, step.field).strip()
        if text:
            if len(text) > PLAN_STEP_SHOWN_CHARACTERS:
                text = text[:PLAN_STEP_SHOWN_CHARACTERS].rstrip() + "…"
            steps.append({"title": step.title, "text": text})
    return steps


def support_card_context(
    *, user: User | None, community: Community | None, severity: str, accept_language: str = ""
) -> dict[str, Any]:
    """What the card shows: helplines for the writer's region and a human next step."""
    region = region_for(user=user, community=community, accept_language=accept_language)
    plan_steps = plan_steps_for_card(safety_plan_get(user))
    return {
        "helplines": helplines_for_region(region),
        "severity": severity,
        "plan_url": reverse("accounts:safety_plan") if user is not None else "",
        "plan_steps": plan_steps,
        "plan_exists": bool(plan_steps) if user is not None else None,
        "check_in_url": (
            reverse("moderation:ask_check_in", args=[community.slug]) if community else ""
        ),
    }


def support_frame(*, user: User, community: Community, severity: str) -> dict[str, Any]:
    """The chat `support` frame: to the writer only, never broadcast.

    `plan` carries the writer's own safety plan steps (shown first), or is null with
    `plan_url` offering to make one later.
    """
    region = region_for(user=user, community=community)
    plan_steps = plan_steps_for_card(safety_plan_get(user))
    plan_url = reverse("accounts:safety_plan")
    return {
        "type": "support",
        "severity": severity,
        "plan": {"steps": plan_steps, "url": plan_url} if plan_steps else None,
        "plan_url": plan_url,
        "resources": helplines_for_region(region).as_frame_resources(),
        "check_in_url": reverse("moderation:ask_check_in", args=[community.slug]),
        "help_url": reverse("moderation:help"),
    }


# How long after the detector fires in a room its composer shows the #chatsafe checklist.
CRISIS_RECENT_IN_ROOM = timedelta(hours=24)


def room_crisis_recent(*, room_id: int) -> bool:
    """Whether the crisis detector fired on a message in this room lately (one query).

    Only a yes or no reaches the page: never who wrote it or what.
    """
    since = timezone.now() - CRISIS_RECENT_IN_ROOM
    return QueueItem.objects.filter(
        source=QueueItem.Source.CRISIS, message__room_id=room_id, updated__gte=since
    ).exists()
