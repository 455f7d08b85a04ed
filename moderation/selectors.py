"""Reads for the moderation pages, the live feed and the help pages."""

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accounts.models import Alias, User
from chat.models import Message
from forum.models import Community, Post
from moderation import events
from moderation.helplines import (
    DIRECTORY_FALLBACK,
    HelplineEntry,
    HelplineSet,
    country_code_clean,
    helplines_shipped,
    region_from_accept_language,
)
from moderation.models import Helpline, MemberNotice, ModerationAction, Priority, QueueItem
from moderation.permissions import is_staff, moderated_community_ids

# --- Queue and feed ----------------------------------------------------------------------

CONTEXT_POSTS = 2
CONTEXT_MESSAGES = 5


def feed_groups(user: User | None) -> tuple[list[str], list[int]]:
    """The live-feed groups a user may join, and the communities they count for."""
    if user is None or not user.is_authenticated:
        return [], []
    community_ids = moderated_community_ids(user)
    if is_staff(user):
        return [events.STAFF_GROUP], community_ids
    return [events.community_group(pk) for pk in community_ids], community_ids


def queue_counts(community_ids: list[int]) -> dict[str, dict[str, int]]:
    """Open and urgent (crisis) items per community slug, in one query."""
    rows = (
        QueueItem.objects.open()
        .filter(community_id__in=community_ids)
        .values("community__slug")
        .annotate(
            open=Count("pk"),
            urgent=Count("pk", filter=Q(priority__lte=Priority.HIGH)),
        )
    )
    counts = {
        slug: {"open": 0, "urgent": 0}
        for slug in Community.objects.filter(pk__in=community_ids).values_list("slug", flat=True)
    }
    for row in rows:
        counts[row["community__slug"]] = {"open": row["open"], "urgent": row["urgent"]}
    return counts


def queue_counts_frame(community_ids: list[int]) -> dict[str, Any]:
    return {"type": "counts", "communities": queue_counts(community_ids)}


def queue_list(
    *,
    user: User,
    community: Community | None = None,
    source: str = "",
    state: str = "open",
    limit: int = 100,
) -> list[QueueItem]:
    """Queue items in priority order, then age; escalated items only for staff."""
    ids = moderated_community_ids(user)
    items = QueueItem.objects.filter(community_id__in=ids).select_related(
        "community", "subject", "claimed_by", "post__topic", "message__room"
    )
    if community is not None:
        items = items.filter(community=community)
    if source in QueueItem.Source.values:
        items = items.filter(source=source)
    if state == "resolved":
        items = items.filter(state=QueueItem.State.RESOLVED).order_by("-resolved_at")
    else:
        items = items.open().in_order()
        if not is_staff(user):
            items = items.filter(state=QueueItem.State.OPEN)
    return list(items[:limit])


@dataclass(frozen=True)
class ItemContext:
    """What a moderator sees to decide: the content, around it, and the author's history."""

    item: QueueItem
    content_html: str
    content_source: str
    surrounding_posts: list[Post]
    surrounding_messages: list[Message]
    earlier_actions: list[ModerationAction]
    flags: list[dict[str, Any]]
    revisions: list[str]


def queue_item_get(*, user: User, item_id: int) -> QueueItem:
    """An item the user may see, or 404."""
    item = (
        QueueItem.objects.select_related(
            "community",
            "subject",
            "claimed_by",
            "post__topic",
            "post__author",
            "message__room",
            "message__alias",
        )
        .filter(pk=item_id, community_id__in=moderated_community_ids(user))
        .first()
    )
    if item is None or (item.state == QueueItem.State.ESCALATED and not is_staff(user)):
        raise Http404("No such queue item.")
    return item


def queue_item_context(item: QueueItem) -> ItemContext:
    """The content of an item, the posts or messages around it, and earlier actions."""
    posts: list[Post] = []
    messages: list[Message] = []
    html = source = ""
    revisions: list[str] = []
    if item.post is not None:
        html, source = item.post.html, item.post.source
        posts = list(
            Post.objects.filter(
                topic=item.post.topic,
                number__gte=item.post.number - CONTEXT_POSTS,
                number__lte=item.post.number + CONTEXT_POSTS,
            ).select_related("author")
        )
        revisions = list(item.post.revisions.values_list("source", flat=True)[:10])
    elif item.message is not None:
        html, source = item.message.body_html, item.message.body
        around = Message.objects.filter(room=item.message.room).select_related("alias")
        before = list(around.filter(pk__lt=item.message.pk).order_by("-pk")[:CONTEXT_MESSAGES])
        after = list(around.filter(pk__gte=item.message.pk).order_by("pk")[: CONTEXT_MESSAGES + 1])
        messages = [*reversed(before), *after]
    earlier: list[ModerationAction] = []
    if item.subject is not None:
        earlier = list(member_history(community=item.community, alias=item.subject)[:20])
    flag_rows = (
        item.post.flags.all()
        if item.post is not None
        else item.message.flags.all()
        if item.message is not None
        else []
    )
    # Reporters stay anonymous even to moderators' screens: reasons and notes only.
    flags = [
        {"reason": flag.get_reason_display(), "note": flag.note, "created": flag.created}
        for flag in flag_rows
    ]
    return ItemContext(
        item=item,
        content_html=html,
        content_source=source,
        surrounding_posts=posts,
        surrounding_messages=messages,
        earlier_actions=earlier,
        flags=flags,
        revisions=revisions,
    )


def member_history(*, community: Community, alias: Alias) -> QuerySet[ModerationAction]:
    """Earlier actions on this member in this community (any of their aliases there)."""
    same_person = Q(subject=alias)
    if alias.user_id is not None:
        same_person |= Q(subject__user_id=alias.user_id, subject__community=community)
    return ModerationAction.objects.filter(same_person, community=community).select_related(
        "subject"
    )


def audit_log(*, community: Community | None, limit: int = 200) -> QuerySet[ModerationAction]:
    """The audit log of a community (or of the whole site), newest first."""
    rows = ModerationAction.objects.select_related("community", "subject")
    if community is not None:
        rows = rows.filter(community=community)
    return rows.order_by("-created", "-pk")[:limit]


def alias_get_in_community(*, community: Community, alias_id: int) -> Alias:
    alias = Alias.objects.filter(pk=alias_id, community=community).first()
    if alias is None:
        raise Http404("No such member in this community.")
    return alias


def notices_for(user: User) -> list[MemberNotice]:
    return list(
        MemberNotice.objects.filter(user=user).select_related("community").order_by("-created")[:50]
    )


def notice_get(*, user: User, notice_id: int) -> MemberNotice:
    notice = (
        MemberNotice.objects.filter(user=user, pk=notice_id)
        .select_related("community", "action__subject")
        .first()
    )
    if notice is None:
        raise Http404("No such notice.")
    return notice


# --- Helplines (the help pages, the support card and the chat support frame) ------------
# Rows come from moderation/data/helplines.json (loaded by migration 0003 and by
# `manage.py helplines_load`) plus any added in the admin.

STALE_AFTER_DAYS = 365

logger = logging.getLogger(__name__)


def helplines_for_region(country: str) -> HelplineSet:
    """Crisis lines and the emergency number of a country, always with the directory.

    A country the data does not hold gives the international directory only.
    """
    code = country_code_clean(country)
    try:
        rows = Helpline.objects.filter(country__in=[code, ""] if code else [""])
        entries = [HelplineEntry.from_row(row) for row in rows]
    except DatabaseError:
        # Crisis lines must not fail with the database: show the shipped data file instead.
        logger.exception("Helplines read from the data file: the database failed")
        entries = [entry for entry in helplines_shipped().entries if entry.country in {code, ""}]
    international = tuple(entry for entry in entries if not entry.country) or (DIRECTORY_FALLBACK,)
    local = [entry for entry in entries if entry.country]
    if not local:
        return HelplineSet(international=international)
    return HelplineSet(
        country=code,
        country_name=next((entry.country_name for entry in local if entry.country_name), code),
        lines=tuple(entry for entry in local if not entry.is_emergency),
        emergency=next((entry for entry in local if entry.is_emergency), None),
        international=international,
    )


def helpline_countries() -> list[tuple[str, str]]:
    """Every country with a helpline or emergency number, as (code, name) sorted by name."""
    names: dict[str, str] = {}
    try:
        rows = list(Helpline.objects.exclude(country="").values_list("country", "country_name"))
    except DatabaseError:
        logger.exception("Helpline countries read from the data file: the database failed")
        rows = list(helplines_shipped().countries.items())
    for code, name in rows:
        names[code] = names.get(code) or name or code
    return sorted(names.items(), key=lambda item: item[1].casefold())


def region_for(
    *,
    user: AbstractBaseUser | AnonymousUser | None,
    community: Community | None = None,
    accept_language: str = "",
) -> str:
    """Where to show helplines for: the member's chosen country, else the community's
    default, else the browser's language region, else "" (the international directory)."""
    if isinstance(user, User) and user.is_authenticated and country_code_clean(user.country):
        return country_code_clean(user.country)
    if community is not None and country_code_clean(community.helpline_region):
        return country_code_clean(community.helpline_region)
    return region_from_accept_language(accept_language)


def helplines_stale(*, today: date, max_age_days: int = STALE_AFTER_DAYS) -> list[Helpline]:
    """Helplines not checked within ``max_age_days`` of ``today``, or never."""
    cutoff = today - timedelta(days=max_age_days)
    return list(Helpline.objects.filter(Q(last_checked__isnull=True) | Q(last_checked__lt=cutoff)))
