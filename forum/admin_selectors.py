"""Reads for the community settings area and the statistics pages.

Statistics are counts per week only: no alias, account or text appears in them.
"""

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from accounts.models import Alias
from chat.models import Message, Room
from forum.models import Community, Invitation, Membership, Post
from moderation.models import ModerationAction, QueueItem, WatchedWord

STATISTICS_WEEKS = 12


def pending_applications(community: Community) -> QuerySet[Membership]:
    """Members waiting for approval, oldest first (their alias and answer only)."""
    return (
        Membership.objects.filter(community=community, state=Membership.State.PENDING)
        .select_related("alias")
        .order_by("joined", "pk")
    )


def moderator_list(community: Community) -> QuerySet[Membership]:
    """The community's owners and moderators, by alias."""
    return (
        Membership.objects.moderating()
        .filter(community=community)
        .select_related("alias")
        .order_by("role", "alias__name")
    )


def invitation_list(community: Community | None) -> QuerySet[Invitation]:
    """A community's invitations (or the site's, for None), newest first."""
    return Invitation.objects.filter(community=community).order_by("-created")


def room_list(community: Community) -> QuerySet[Room]:
    """All of a community's rooms, archived last."""
    return Room.objects.filter(community=community).order_by("archived", "name")


def watched_word_list(community: Community) -> QuerySet[WatchedWord]:
    return WatchedWord.objects.filter(community=community).order_by("phrase")


def audit_list(community: Community, limit: int = 100) -> QuerySet[ModerationAction]:
    """The latest audit rows of a community (owners read what their team did)."""
    return (
        ModerationAction.objects.filter(community=community)
        .select_related("subject")
        .order_by("-created", "-pk")[:limit]
    )


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    """A small bar chart, drawn as SVG by templates/forum/admin/_chart.html."""

    key: str
    title: str
    description: str
    unit: str
    bars: list[Bar]
    width: int = 360
    height: int = 140

    @property
    def total(self) -> float:
        return sum(bar.value for bar in self.bars)

    @property
    def maximum(self) -> float:
        return max((bar.value for bar in self.bars), default=0)


def chart_build(
    *, key: str, title: str, description: str, unit: str, values: list[tuple[str, float]]
) -> Chart:
    """Lay out bars for `values` (label, value) in a fixed-size SVG box."""
    width, height, gap, top = 360, 140, 4, 12
    slot = width / max(len(values), 1)
    peak = max((value for _label, value in values), default=0) or 1
    bars = []
    for index, (label, value) in enumerate(values):
        bar_height = (height - top) * value / peak
        bars.append(
            Bar(
                label=label,
                value=value,
                x=round(index * slot + gap / 2, 1),
                y=round(height - bar_height, 1),
                width=round(slot - gap, 1),
                height=round(bar_height, 1),
            )
        )
    return Chart(key=key, title=title, description=description, unit=unit, bars=bars)


def _weeks(now: datetime, count: int) -> list[datetime]:
    start = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    return [start - timedelta(weeks=offset) for offset in range(count - 1, -1, -1)]


def _per_week(
    queryset: QuerySet[Any], field: str, weeks: list[datetime]
) -> list[tuple[str, float]]:
    rows = (
        queryset.filter(**{f"{field}__gte": weeks[0]})
        .annotate(week=TruncWeek(field))
        .values("week")
        .annotate(count=Count("pk"))
    )
    counts = {row["week"].date(): row["count"] for row in rows}
    return [(week.strftime("%d %b"), float(counts.get(week.date(), 0))) for week in weeks]


def _median_first_action_hours(
    items: QuerySet[QueueItem], weeks: list[datetime]
) -> list[tuple[str, float]]:
    waits: dict[datetime, list[float]] = {week: [] for week in weeks}
    for created, first_action in items.filter(
        created__gte=weeks[0], first_action_at__isnull=False
    ).values_list("created", "first_action_at"):
        if first_action is None:
            continue
        week = max(week for week in weeks if week <= created)
        waits[week].append((first_action - created).total_seconds() / 3600)
    return [
        (week.strftime("%d %b"), round(statistics.median(hours), 1) if hours else 0.0)
        for week, hours in waits.items()
    ]


@dataclass(frozen=True)
class Statistics:
    members: int
    active_members: int
    open_queue: int
    charts: list[Chart]


def statistics_for(community: Community | None, weeks: int = STATISTICS_WEEKS) -> Statistics:
    """Weekly counts for one community, or for the whole site (None)."""
    now = timezone.now()
    week_starts = _weeks(now, weeks)
    scope = {} if community is None else {"community": community}
    memberships = Membership.objects.filter(state=Membership.State.ACTIVE, **scope)
    posts = Post.objects.filter(**({} if community is None else {"topic__community": community}))
    chat = Message.objects.filter(**({} if community is None else {"room__community": community}))
    items = QueueItem.objects.filter(**scope)
    # Active: wrote a post or a chat message in the last 30 days (counted, never listed).
    since = now - timedelta(days=30)
    active_aliases = set(
        posts.filter(created__gte=since).values_list("author_id", flat=True).distinct()
    ) | set(chat.filter(created__gte=since).values_list("alias_id", flat=True).distinct())
    charts = [
        chart_build(
            key="joins",
            title="New members per week",
            description="How many people joined each week.",
            unit="members",
            values=_per_week(memberships, "joined", week_starts),
        ),
        chart_build(
            key="posts",
            title="Posts per week",
            description="Forum posts written each week, including replies.",
            unit="posts",
            values=_per_week(posts, "created", week_starts),
        ),
        chart_build(
            key="messages",
            title="Chat messages per week",
            description="Chat messages sent each week.",
            unit="messages",
            values=_per_week(chat, "created", week_starts),
        ),
        chart_build(
            key="queue",
            title="Moderation queue items per week",
            description="Items that came into the moderators' queue each week.",
            unit="items",
            values=_per_week(items, "created", week_starts),
        ),
        chart_build(
            key="first-action",
            title="Median hours to a moderator's first action",
            description="For the queue items of each week, the median time until a moderator "
            "first acted on them.",
            unit="hours",
            values=_median_first_action_hours(items, week_starts),
        ),
        chart_build(
            key="crisis",
            title="Crisis alerts per week",
            description="Queue items raised by crisis language each week.",
            unit="alerts",
            values=_per_week(items.filter(source=QueueItem.Source.CRISIS), "created", week_starts),
        ),
    ]
    # People, not memberships: one person in two communities counts once site-wide.
    return Statistics(
        members=memberships.values("user_id").distinct().count(),
        active_members=Alias.objects.filter(pk__in=active_aliases, user__isnull=False)
        .values("user_id")
        .distinct()
        .count(),
        open_queue=items.open().count(),
        charts=charts,
    )
