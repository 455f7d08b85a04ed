"""Reads about communities and memberships for views, consumers and templates."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.filters import NO_FILTERS, ReaderFilters
from accounts.models import ReaderFilter, User
from forum.models import (
    EDIT_WINDOW,
    Community,
    ContentState,
    Membership,
    Notification,
    Post,
    Reaction,
    Topic,
    TopicReadState,
)


def community_list_for(user: User | None) -> QuerySet[Community]:
    """Communities a visitor may see listed: public, members-only, and private ones of theirs."""
    listed = Q(visibility__in=[Community.Visibility.PUBLIC, Community.Visibility.MEMBERS])
    if user is not None and user.is_authenticated:
        listed |= Q(memberships__user=user, memberships__state=Membership.State.ACTIVE)
    return Community.objects.filter(listed).distinct().order_by("name")


def membership_get(*, user: User | None, community: Community) -> Membership | None:
    """The visitor's membership in a community (any state), or None."""
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.select_related("alias").filter(user=user, community=community).first()


def memberships_by_community(user: User | None) -> dict[int, Membership]:
    """The visitor's memberships keyed by community id (one query for a whole list page)."""
    if user is None or not user.is_authenticated:
        return {}
    rows = Membership.objects.select_related("alias", "community").filter(user=user)
    return {row.community_id: row for row in rows}


def community_readable_by(*, community: Community, membership: Membership | None) -> bool:
    """Whether someone with this membership may read the community's content."""
    if community.visibility == Community.Visibility.PUBLIC:
        return True
    return membership is not None and membership.is_active


# --- Topics and posts -------------------------------------------------------------------

TOPICS_PER_PAGE = 25
POSTS_PER_PAGE = 30


@dataclass(frozen=True)
class TopicRow:
    """A topic as a list shows it, with the reader's unread state."""

    topic: Topic
    unread: bool
    following: bool
    first_unread_number: int
    muted: bool = False  # the reader muted this topic
    hidden_by: tuple[str, ...] = ()  # the reader's muted words in its title

    @property
    def first_unread_page(self) -> int:
        return page_of_post(self.first_unread_number)


@dataclass(frozen=True)
class PostView:
    """A post as a topic page shows it: reactions counted, the reader's own marked."""

    post: Post
    reactions: tuple[tuple[str, str, int, bool], ...]  # kind, label, count, given by reader
    is_mine: bool
    can_edit: bool
    hidden_by: tuple[str, ...] = ()  # the reader's muted words that fold this post away
    crisis_hidden: bool = False  # the reader hides posts about suicide or self-harm


def community_get_readable(*, slug: str, user: User | None) -> tuple[Community, Membership | None]:
    """The community and the visitor's membership; 404 when it is unknown or unreadable.

    A private community the visitor is not in answers 404 rather than 403, so that its
    existence is not revealed.
    """
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise Http404("No such community.")
    membership = membership_get(user=user, community=community)
    if community.visibility == Community.Visibility.PRIVATE and not (
        membership and membership.is_active
    ):
        raise Http404("No such community.")
    return community, membership


def community_get_known(*, slug: str, user: User | None) -> Community:
    """The community for pages that answer 403 to people who may not act in it; 404 when
    it is private and `user` neither has a membership there nor is staff, so that outsiders
    cannot tell it from a community that does not exist."""
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise Http404("No such community.")
    if community.visibility != Community.Visibility.PRIVATE:
        return community
    if user is not None and user.is_authenticated:
        if user.is_staff or user.is_superuser:
            return community
        if Membership.objects.filter(user=user, community=community).exists():
            return community
    raise Http404("No such community.")


def _read_states(user: User | None, topic_ids: list[int]) -> dict[int, TopicReadState]:
    if user is None or not user.is_authenticated or not topic_ids:
        return {}
    rows = TopicReadState.objects.filter(user=user, topic_id__in=topic_ids)
    return {row.topic_id: row for row in rows}


def _topic_rows(
    topics: list[Topic], user: User | None, filters: ReaderFilters = NO_FILTERS
) -> list[TopicRow]:
    states = _read_states(user, [topic.pk for topic in topics])
    rows = []
    for topic in topics:
        state = states.get(topic.pk)
        last_read = state.last_read_number if state else 0
        rows.append(
            TopicRow(
                topic=topic,
                unread=state is not None and topic.last_post_number > last_read,
                following=bool(state and state.following),
                first_unread_number=min(last_read + 1, topic.last_post_number),
                muted=topic.pk in filters.muted_topic_ids,
                hidden_by=filters.words_in(topic.title, topic.content_warning),
            )
        )
    return rows


def topic_page(
    *,
    community: Community,
    user: User | None,
    support_type: str = "",
    page: int = 1,
    filters: ReaderFilters = NO_FILTERS,
) -> tuple[list[TopicRow], Page]:
    """One page of a community's topics: pinned first, then by last activity."""
    topics = (
        Topic.objects.visible()
        .filter(community=community)
        .select_related("author")
        .order_by("-pinned", "-last_activity", "-pk")
    )
    if support_type in Topic.SupportType.values:
        topics = topics.filter(support_type=support_type)
    paginator = Paginator(topics, TOPICS_PER_PAGE)
    page_obj = paginator.get_page(page)
    return _topic_rows(list(page_obj.object_list), user, filters), page_obj


def waiting_topics(*, community: Community, limit: int = 50) -> list[Topic]:
    """Topics nobody has answered yet, oldest first, so that no one is left waiting."""
    return list(
        Topic.objects.visible()
        .filter(community=community, reply_count=0)
        .select_related("author")
        .order_by("created", "pk")[:limit]
    )


def waiting_counts_for(user: User | None) -> dict[int, int]:
    """How many unanswered topics wait in each of the member's communities."""
    if user is None or not user.is_authenticated:
        return {}
    rows = (
        Topic.objects.visible()
        .filter(
            reply_count=0,
            community__memberships__user=user,
            community__memberships__state=Membership.State.ACTIVE,
        )
        .values("community_id")
        .annotate(waiting=Count("pk"))
    )
    return {row["community_id"]: row["waiting"] for row in rows}


def topic_get(*, community: Community, topic_id: int, membership: Membership | None) -> Topic:
    """A topic the visitor may read, or 404.

    `crisis_detected` says whether the crisis detector fired on one of its visible posts
    (the reply box then shows the #chatsafe checklist), in the same query.
    """
    # Every caller (the topic page, replying, following, muting) shows or names the topic,
    # so outsiders to a members-only community must not get it from here.
    if not community_readable_by(community=community, membership=membership):
        raise Http404("No such topic.")
    crisis_posts = Post.objects.filter(topic=OuterRef("pk"), state=ContentState.VISIBLE).exclude(
        crisis_severity=""
    )
    topic = (
        Topic.objects.select_related("author", "community")
        .annotate(crisis_detected=Exists(crisis_posts))
        .filter(community=community, pk=topic_id)
        .first()
    )
    if topic is None:
        raise Http404("No such topic.")
    if topic.state != ContentState.VISIBLE:
        is_author = membership is not None and topic.author_id == membership.alias_id
        if not (is_author or (membership and membership.is_moderator)):
            raise Http404("This topic is not available.")
    return topic


def post_page(
    *,
    topic: Topic,
    membership: Membership | None,
    page: int = 1,
    filters: ReaderFilters = NO_FILTERS,
) -> tuple[list[PostView], Page]:
    """One page (30) of a topic's posts with reactions; a fixed number of queries.

    The reader's filters fold posts away (never their own): muted words name themselves,
    and crisis-flagged posts stay closed for readers who chose that.
    """
    posts = Post.objects.filter(topic=topic).select_related("author").order_by("number")
    if not (membership and membership.is_moderator):
        # Peers see removed posts as a placeholder, but not pending or hidden ones
        # (except their own).
        own = Q(author_id=membership.alias_id) if membership else Q(pk__in=[])
        posts = posts.filter(Q(state__in=[ContentState.VISIBLE, ContentState.REMOVED]) | own)
    paginator = Paginator(posts, POSTS_PER_PAGE)
    page_obj = paginator.get_page(page)
    items = list(page_obj.object_list)
    ids = [post.pk for post in items]
    counts: dict[int, dict[str, int]] = {}
    for row in (
        Reaction.objects.filter(post_id__in=ids).values("post_id", "kind").annotate(n=Count("pk"))
    ):
        counts.setdefault(row["post_id"], {})[row["kind"]] = row["n"]
    mine: dict[int, set[str]] = {}
    if membership is not None:
        for post_id, kind in Reaction.objects.filter(
            post_id__in=ids, alias_id=membership.alias_id
        ).values_list("post_id", "kind"):
            mine.setdefault(post_id, set()).add(kind)
    now = timezone.now()
    views = []
    for post in items:
        is_mine = membership is not None and post.author_id == membership.alias_id
        post_counts = counts.get(post.pk, {})
        post_mine = mine.get(post.pk, set())
        views.append(
            PostView(
                post=post,
                reactions=tuple(
                    (kind, label, post_counts.get(kind, 0), kind in post_mine)
                    for kind, label in Reaction.Kind.choices
                ),
                is_mine=is_mine,
                can_edit=is_mine
                and post.state != ContentState.REMOVED
                and now - post.created <= EDIT_WINDOW,
                hidden_by=()
                if is_mine or post.state == ContentState.REMOVED
                else filters.words_in(post.source, topic.title if post.number == 1 else ""),
                crisis_hidden=filters.hide_crisis_posts
                and bool(post.crisis_severity)
                and not is_mine,
            )
        )
    return views, page_obj


def page_of_post(number: int) -> int:
    """The page of a topic on which post `number` appears."""
    return max(1, (number - 1) // POSTS_PER_PAGE + 1)


def read_state_get(*, user: User | None, topic: Topic) -> TopicReadState | None:
    if user is None or not user.is_authenticated:
        return None
    return TopicReadState.objects.filter(user=user, topic=topic).first()


def post_get_own(*, user: User, community: Community, post_id: int) -> Post:
    """A post of the member's in this community, or 404."""
    post = (
        Post.objects.select_related("topic", "author")
        .filter(pk=post_id, topic__community=community, author__user=user)
        .first()
    )
    if post is None:
        raise Http404("No such post of yours.")
    return post


def post_get_readable(*, community: Community, post_id: int) -> Post:
    post = (
        Post.objects.select_related("topic", "author")
        .filter(pk=post_id, topic__community=community)
        .first()
    )
    if post is None:
        raise Http404("No such post.")
    return post


def notifications_unread_count(user: User | None) -> int:
    """Unread notifications in communities the member can still read, leaving out what the
    member's filters hide (one query; none while notifications are paused)."""
    if user is None or not user.is_authenticated:
        return 0
    now = timezone.now()
    if user.notifications_paused_until and user.notifications_paused_until > now:
        return 0
    return _readable_notifications(user, now=now).filter(read=False).count()


def _readable_notifications(user: User, *, now: datetime) -> QuerySet[Notification]:
    # Muted topics and communities on a break, as subqueries: still one query.
    filters = ReaderFilter.objects.filter(user=user)
    muted_topics = filters.filter(kind=ReaderFilter.Kind.TOPIC).values("topic_id")
    breaks = filters.filter(kind=ReaderFilter.Kind.BREAK, until__gt=now).values("community_id")
    return Notification.objects.filter(
        user=user,
        topic__community__memberships__user=user,
        topic__community__memberships__state=Membership.State.ACTIVE,
        topic__state=ContentState.VISIBLE,
        post__state=ContentState.VISIBLE,
    ).exclude(Q(topic_id__in=muted_topics) | Q(topic__community_id__in=breaks))


@dataclass(frozen=True)
class NotificationView:
    """A notification as the list shows it, folded away when the title has a muted word."""

    note: Notification
    hidden_by: tuple[str, ...]


def notification_list(
    user: User, limit: int = 50, filters: ReaderFilters = NO_FILTERS
) -> list[NotificationView]:
    """The member's latest notifications with where they point (none while paused)."""
    now = timezone.now()
    if filters.notifications_paused(now):
        return []
    notes = (
        _readable_notifications(user, now=now)
        .select_related("topic__community", "post__author")
        .order_by("-created")[:limit]
    )
    return [NotificationView(note, filters.words_in(note.topic.title)) for note in notes]


# --- Search -----------------------------------------------------------------------------

SEARCH_LIMIT = 50


def readable_community_ids(user: User | None) -> list[int]:
    """Communities whose content the visitor may read (public, and active memberships)."""
    public = Q(visibility=Community.Visibility.PUBLIC)
    if user is not None and user.is_authenticated:
        public |= Q(memberships__user=user, memberships__state=Membership.State.ACTIVE)
    return list(Community.objects.filter(public).values_list("pk", flat=True).distinct())


def post_search(*, query: str, community_ids: list[int]) -> list[Post]:
    """Visible posts matching `query` in the given communities, best first.

    PostgreSQL full-text search on PostgreSQL; on SQLite every word must appear.
    """
    words = query.split()[:10]
    if not words or not community_ids:
        return []
    posts = (
        Post.objects.visible()
        .filter(
            topic__community_id__in=community_ids,
            topic__state=ContentState.VISIBLE,
        )
        .select_related("topic__community", "author")
    )
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("topic__title", weight="A") + SearchVector("source", weight="B")
        search = SearchQuery(" ".join(words), search_type="websearch", config="english")
        return list(
            posts.annotate(rank=SearchRank(vector, search))
            .filter(rank__gt=0)
            .order_by("-rank", "-created")[:SEARCH_LIMIT]
        )
    for word in words:
        posts = posts.filter(Q(source__icontains=word) | Q(topic__title__icontains=word))
    return list(posts.order_by("-created")[:SEARCH_LIMIT])


def topic_live_allowed(*, user: User | None, community_slug: str, topic_id: int) -> bool:
    """Whether this visitor may listen to a topic's live updates (same rule as reading it)."""
    try:
        community, membership = community_get_readable(slug=community_slug, user=user)
        if not community_readable_by(community=community, membership=membership):
            return False
        topic_get(community=community, topic_id=topic_id, membership=membership)
    except Http404:
        return False
    return True


# --- Staffed hours ----------------------------------------------------------------------


@dataclass(frozen=True)
class StaffedStatus:
    """Whether a community's moderators are around now, or when they next are."""

    now: bool
    until: str  # "22:00", while around
    next_start: str  # "tomorrow at 18:00", while not
    timezone_name: str


def _community_zone(community: Community) -> ZoneInfo:
    try:
        return ZoneInfo(community.staffed_timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def staffed_status(community: Community, now: datetime | None = None) -> StaffedStatus | None:
    """The community's staffed hours against the clock; None when it set none.

    Days are ISO weekday digits; a window whose end is not after its start runs past
    midnight (an equal start and end is the whole day).
    """
    days = {int(day) for day in community.staffed_days if day.isdigit()}
    start, end = community.staffed_from, community.staffed_until
    if not days or start is None or end is None:
        return None
    zone = _community_zone(community)
    local = (now or timezone.now()).astimezone(zone)

    def window(day: date) -> tuple[datetime, datetime]:
        opens = datetime.combine(day, start, tzinfo=zone)
        closes = datetime.combine(day, end, tzinfo=zone)
        if closes <= opens:
            closes += timedelta(days=1)
        return opens, closes

    zone_name = community.staffed_timezone or "UTC"
    for offset in (-1, 0):
        day = local.date() + timedelta(days=offset)
        if day.isoweekday() in days:
            opens, closes = window(day)
            if opens <= local < closes:
                return StaffedStatus(True, _clock(closes.time()), "", zone_name)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        opens, _ = window(day)
        if day.isoweekday() in days and opens > local:
            when = {0: "today", 1: "tomorrow"}.get(offset, f"on {opens.strftime('%A')}")
            return StaffedStatus(False, "", f"{when} at {_clock(start)}", zone_name)
    return None


def _clock(value: time) -> str:
    return value.strftime("%H:%M")
