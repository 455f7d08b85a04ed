"""Reads about accounts and aliases."""

import functools
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from accounts.filters import NO_FILTERS, ReaderFilters
from accounts.models import ReaderFilter, SafetyPlan, SiteSettings, User
from accounts.safety_plan import SAFETY_PLAN_FIELDS

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


# --- The safety plan (the member's alone) and reader filters ----------------------------


def safety_plan_get(user: User | None) -> SafetyPlan | None:
    """The member's own safety plan, or None. Only ever called with the member themself."""
    if user is None or not user.is_authenticated:
        return None
    return SafetyPlan.objects.filter(user=user).first()


def safety_plan_values(plan: SafetyPlan | None) -> dict[str, str]:
    """The plan's steps as field → text ("" for every step of a plan not started)."""
    return {name: getattr(plan, name) if plan else "" for name in SAFETY_PLAN_FIELDS}


def safety_plan_is_empty(plan: SafetyPlan | None) -> bool:
    return not any(value.strip() for value in safety_plan_values(plan).values())


def safety_plan_professionals_prefill(user: User, *, accept_language: str = "") -> str:
    """The crisis lines of the member's region (their country, else their browser's), as
    the "professionals" step starts."""
    from moderation.selectors import helplines_for_region, region_for

    support = helplines_for_region(region_for(user=user, accept_language=accept_language))
    lines = []
    for entry in (*support.lines, *((support.emergency,) if support.emergency else ())):
        ways = [way for way in (entry.phone_display, entry.sms_label, entry.web_chat) if way]
        hours = f" ({entry.hours})" if entry.hours else ""
        lines.append(f"{entry.name}: {', '.join(ways)}{hours}" if ways else entry.name)
    if not lines:
        lines.append(f"{support.directory.name}: {support.directory.web}")
    return "\n".join(lines)


def reader_filters_get(user: User | None) -> ReaderFilters:
    """All of the member's reader filters, in one query (none for visitors)."""
    if user is None or not user.is_authenticated:
        return NO_FILTERS
    words: list[tuple[str, str]] = []
    topics: set[int] = set()
    breaks: dict[int, datetime] = {}
    for kind, phrase, normalised, topic_id, community_id, until in ReaderFilter.objects.filter(
        user=user
    ).values_list("kind", "phrase", "normalised", "topic_id", "community_id", "until"):
        if kind == ReaderFilter.Kind.WORD:
            words.append((phrase, normalised))
        elif kind == ReaderFilter.Kind.TOPIC and topic_id is not None:
            topics.add(topic_id)
        elif kind == ReaderFilter.Kind.BREAK and community_id is not None and until is not None:
            breaks[community_id] = until
    return ReaderFilters(
        words=tuple(words),
        muted_topic_ids=frozenset(topics),
        breaks=breaks,
        hide_crisis_posts=user.hide_crisis_posts,
        notifications_paused_until=user.notifications_paused_until,
    )


def reader_filter_list(user: User) -> "QuerySet[ReaderFilter]":
    """The member's filters for their settings page, with the topic or community named."""
    return (
        ReaderFilter.objects.filter(user=user)
        .select_related("topic__community", "community")
        .order_by("kind", "created")
    )
