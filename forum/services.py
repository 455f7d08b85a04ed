"""Writes and rules about communities and memberships."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.selectors import site_settings, users_wanting_notifications
from accounts.services import alias_create
from chat import services as chat_services
from forum import admin_services
from forum.markup import render
from forum.models import (
    EDIT_WINDOW,
    POST_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Community,
    ContentState,
    Membership,
    Notification,
    Post,
    PostRevision,
    Reaction,
    Topic,
    TopicReadState,
)
from moderation.ratelimit import RateLimited, window_hit
from moderation.screening import (
    Screening,
    new_member_limits_check,
    screening_record,
    text_screen,
    topic_scope,
)


@transaction.atomic
def community_create(
    *,
    name: str,
    slug: str,
    description: str = "",
    rules: str = "",
    visibility: str = Community.Visibility.PUBLIC,
    join_policy: str = Community.JoinPolicy.OPEN,
    helpline_region: str = "",
    owner: User | None = None,
) -> Community:
    """Create a community; its owner (if given) joins it with the owner role."""
    community = Community.objects.create(
        name=name,
        slug=slug,
        description=description,
        rules=rules,
        rules_html=render(rules),
        visibility=visibility,
        join_policy=join_policy,
        helpline_region=helpline_region,
    )
    if owner is not None:
        membership_grant(user=owner, community=community, role=Membership.Role.OWNER)
    return community


@transaction.atomic
def membership_grant(
    *, user: User, community: Community, role: str = Membership.Role.MEMBER
) -> Membership:
    """Make `user` an active member with `role`, creating their alias if they have none."""
    membership = Membership.objects.select_for_update().filter(user=user, community=community)
    existing = membership.first()
    if existing is None:
        alias = alias_create(user=user, community=community)
        return Membership.objects.create(user=user, community=community, alias=alias, role=role)
    existing.role = role
    if existing.state != Membership.State.BANNED:
        existing.state = Membership.State.ACTIVE
    existing.save(update_fields=["role", "state"])
    return existing


@transaction.atomic
def community_join(*, user: User, community: Community, answer: str = "") -> Membership:
    """Join a community as its join policy allows: at once, or pending approval."""
    existing = Membership.objects.select_for_update().filter(user=user, community=community).first()
    if existing is not None:
        if existing.state == Membership.State.BANNED:
            raise PermissionDenied("You can't rejoin this community.")
        if existing.state in {Membership.State.ACTIVE, Membership.State.PENDING}:
            return existing
    if community.join_policy == Community.JoinPolicy.INVITATION:
        raise ValidationError("This community is by invitation only.")
    state = (
        Membership.State.PENDING
        if community.join_policy == Community.JoinPolicy.APPROVAL
        else Membership.State.ACTIVE
    )
    welcome_pending = state == Membership.State.ACTIVE and admin_services.welcome_required(
        community
    )
    if existing is not None:
        existing.state = state
        existing.application_answer = answer[:2000]
        existing.welcome_pending = welcome_pending
        existing.save(update_fields=["state", "application_answer", "welcome_pending"])
        membership = existing
    else:
        alias = alias_create(user=user, community=community)
        membership = Membership.objects.create(
            user=user,
            community=community,
            alias=alias,
            state=state,
            application_answer=answer[:2000],
            welcome_pending=welcome_pending,
        )
    if state == Membership.State.PENDING:
        admin_services.join_request_open(membership)
    return membership


@transaction.atomic
def community_leave(*, user: User, community: Community) -> None:
    """Leave a community; the alias is kept for the member should they come back."""
    membership = (
        Membership.objects.select_for_update().filter(user=user, community=community).first()
    )
    if membership is None or membership.state == Membership.State.BANNED:
        return
    if membership.role == Membership.Role.OWNER:
        raise ValidationError("An owner can't leave; hand the community to another owner first.")
    membership.state = Membership.State.LEFT
    membership.role = Membership.Role.MEMBER
    membership.save(update_fields=["state", "role"])
    chat_services.member_sockets_close(user_id=user.pk, community_id=community.pk)


# --- Topics and posts -------------------------------------------------------------------

REVISIONS_KEPT = 10
MENTION_PATTERN = re.compile(r"(?<![\w@])@([A-Za-z][A-Za-z0-9_]{2,29})\b")


def writer_membership(*, user: User, community: Community) -> Membership:
    """The membership that lets `user` write in `community`, or a clear refusal."""
    membership = (
        Membership.objects.select_related("alias").filter(user=user, community=community).first()
    )
    if membership is None or membership.state in {
        Membership.State.LEFT,
        Membership.State.PENDING,
    }:
        raise PermissionDenied("Join this community to write here.")
    if membership.state == Membership.State.BANNED:
        raise PermissionDenied("You can't write in this community because you were banned.")
    if membership.is_muted():
        until = timezone.localtime(membership.muted_until).strftime("%d %b %Y %H:%M UTC")
        raise PermissionDenied(f"You are muted in this community until {until}.")
    admin_services.welcome_acknowledgement_check(membership)
    return membership


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": "Please give your topic a title."})
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            {"title": f"Titles are at most {TITLE_MAX_LENGTH} characters ({len(title)} now)."}
        )
    return title


def _clean_body(body: str) -> str:
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError({"body": "Please write something before posting."})
    if len(body) > POST_MAX_LENGTH:
        raise ValidationError(
            {"body": f"Posts are at most {POST_MAX_LENGTH:,} characters ({len(body):,} now)."}
        )
    return body


def _follow(*, user: User, topic: Topic, read_up_to: int) -> None:
    state, _ = TopicReadState.objects.get_or_create(user=user, topic=topic)
    state.following = True
    state.last_read_number = max(state.last_read_number, read_up_to)
    state.save(update_fields=["following", "last_read_number"])


def _notify(*, topic: Topic, post: Post, author: User) -> None:
    """Tell followers of the topic and mentioned aliases; never the text itself."""
    mentioned = {name.lower() for name in MENTION_PATTERN.findall(post.source)}
    mention_users: set[int] = set()
    if mentioned:
        mention_users = set(
            Membership.objects.active()
            .filter(community=topic.community)
            .filter(_alias_iexact_any(mentioned))
            .values_list("user_id", flat=True)
        )
    followers = set(
        TopicReadState.objects.filter(topic=topic, following=True).values_list("user_id", flat=True)
    )
    readers = set(
        Membership.objects.active()
        .filter(community=topic.community, user_id__in=followers | mention_users)
        .values_list("user_id", flat=True)
    )
    readers.discard(author.pk)
    # Members choose which notifications they get (settings page).
    wanted = users_wanting_notifications(
        user_ids=readers & mention_users, kind=Notification.Kind.MENTION
    ) | users_wanting_notifications(user_ids=readers - mention_users, kind=Notification.Kind.REPLY)
    notifications = [
        Notification(
            user_id=user_id,
            kind=Notification.Kind.MENTION if user_id in mention_users else Notification.Kind.REPLY,
            topic=topic,
            post=post,
        )
        for user_id in sorted(wanted)
    ]
    Notification.objects.bulk_create(notifications)


def _alias_iexact_any(names: set[str]) -> Q:
    query = Q()
    for name in names:
        query |= Q(alias__name__iexact=name)
    return query


def _posting_rate_check(user: User) -> None:
    """Site-wide posts per member per hour (SiteSettings); checked last, so that a refused
    post for another reason does not use up the allowance."""
    if not window_hit("post", user.pk, limit=site_settings().posts_per_hour, seconds=3600):
        raise RateLimited(
            "You have written a lot in the last hour. Please wait a little before posting "
            "again; what you wrote is kept here."
        )


@transaction.atomic
def topic_create(
    *,
    user: User,
    community: Community,
    title: str,
    body: str,
    support_type: str = Topic.SupportType.EMOTIONAL,
    content_warning: str = "",
) -> Topic:
    """Start a topic with its first post; the writer follows it."""
    membership = writer_membership(user=user, community=community)
    title = _clean_title(title)
    body = _clean_body(body)
    if support_type not in Topic.SupportType.values:
        raise ValidationError({"support_type": "Please choose what kind of support you want."})
    content_warning = " ".join(content_warning.split())[:100]
    new_member_limits_check(community=community, membership=membership, kind="topic", text=body)
    _posting_rate_check(user)
    # The title is the writer's words too: it is read with the body in one assessment.
    screening = text_screen(community=community, membership=membership, text=f"{title}\n{body}")
    now = timezone.now()
    topic = Topic.objects.create(
        community=community,
        author=membership.alias,
        title=title,
        support_type=support_type,
        content_warning=content_warning,
        state=screening.state,
        created=now,
        last_activity=now,
        post_count=1,
        last_post_number=1,
    )
    post = Post.objects.create(
        topic=topic,
        author=membership.alias,
        number=1,
        source=body,
        html=render(body),
        created=now,
        state=screening.state,
        crisis_severity=_crisis_mark(screening),
    )
    screening_record(
        screening=screening,
        community=community,
        membership=membership,
        text=f"{title}\n{body}",
        post=post,
        scope=topic_scope(topic),
    )
    _follow(user=user, topic=topic, read_up_to=1)
    if screening.state == ContentState.VISIBLE:
        _notify(topic=topic, post=post, author=user)
    return topic


def _crisis_mark(screening: Screening) -> str:
    assessment = screening.assessment
    return assessment.severity if assessment.shows_support else ""


@transaction.atomic
def post_reply(*, user: User, topic: Topic, body: str) -> Post:
    """Reply in a topic; the writer follows it and followers are told."""
    topic = (
        Topic.objects.select_for_update(of=("self",)).select_related("community").get(pk=topic.pk)
    )
    membership = writer_membership(user=user, community=topic.community)
    if topic.locked and not membership.is_moderator:
        raise PermissionDenied("This topic is locked: no new replies can be added.")
    if topic.state != ContentState.VISIBLE and not membership.is_moderator:
        raise PermissionDenied("This topic is not open for replies.")
    body = _clean_body(body)
    new_member_limits_check(
        community=topic.community, membership=membership, kind="reply", text=body
    )
    _posting_rate_check(user)
    screening = text_screen(community=topic.community, membership=membership, text=body)
    now = timezone.now()
    number = topic.last_post_number + 1
    post = Post.objects.create(
        topic=topic,
        author=membership.alias,
        number=number,
        source=body,
        html=render(body),
        created=now,
        state=screening.state,
        crisis_severity=_crisis_mark(screening),
    )
    screening_record(
        screening=screening,
        community=topic.community,
        membership=membership,
        text=body,
        post=post,
        scope=topic_scope(topic),
    )
    topic.last_post_number = number
    topic.post_count += 1
    topic.reply_count += 1
    topic.last_activity = now
    topic.save(update_fields=["last_post_number", "post_count", "reply_count", "last_activity"])
    _follow(user=user, topic=topic, read_up_to=number)
    if screening.state == ContentState.VISIBLE:
        _notify(topic=topic, post=post, author=user)
    return post


def _own_post(*, user: User, post: Post) -> Post:
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("topic", "author")
        .get(pk=post.pk)
    )
    if post.author.user_id != user.pk:
        raise PermissionDenied("You can only change your own posts.")
    if post.state == ContentState.REMOVED:
        raise PermissionDenied("This post was removed and can't be changed.")
    return post


@transaction.atomic
def post_edit(*, user: User, post: Post, body: str) -> Post:
    """Edit one's own post within 24 hours; earlier versions stay for moderators."""
    post = _own_post(user=user, post=post)
    if timezone.now() - post.created > EDIT_WINDOW:
        raise PermissionDenied("Posts can be edited for 24 hours after they are written.")
    body = _clean_body(body)
    if body == post.source:
        return post
    PostRevision.objects.create(post=post, source=post.source)
    stale = post.revisions.order_by("-created").values_list("pk", flat=True)[REVISIONS_KEPT:]
    PostRevision.objects.filter(pk__in=list(stale)).delete()
    post.source = body
    post.html = render(body)
    post.edited = timezone.now()
    if post.topic.last_post_number > post.number:
        post.edited_after_reply = True
    post.save(update_fields=["source", "html", "edited", "edited_after_reply"])
    return post


@transaction.atomic
def post_delete_own(*, user: User, post: Post) -> Post:
    """Delete one's own post: it shows as "removed by the author"."""
    post = _own_post(user=user, post=post)
    post.state = ContentState.REMOVED
    post.removed_by_author = True
    post.save(update_fields=["state", "removed_by_author"])
    return post


@transaction.atomic
def reaction_toggle(*, user: User, post: Post, kind: str) -> bool:
    """Add the reaction if this alias has not given it, else take it back; True when added."""
    if kind not in Reaction.Kind.values:
        raise ValidationError("Unknown reaction.")
    post = Post.objects.select_related("topic__community").get(pk=post.pk)
    membership = writer_membership(user=user, community=post.topic.community)
    if post.state != ContentState.VISIBLE:
        raise PermissionDenied("You can't react to this post.")
    deleted, _ = Reaction.objects.filter(post=post, alias=membership.alias, kind=kind).delete()
    if deleted:
        return False
    Reaction.objects.create(post=post, alias=membership.alias, kind=kind)
    return True


@transaction.atomic
def topic_follow(*, user: User, topic: Topic, following: bool) -> None:
    """Follow or unfollow a topic (its replies then appear in notifications)."""
    state, _ = TopicReadState.objects.get_or_create(user=user, topic=topic)
    state.following = following
    state.save(update_fields=["following"])


def topic_mark_read(
    *, user: User, topic: Topic, up_to: int, state: TopicReadState | None = None
) -> None:
    """Remember how far the member has read a topic (never goes backwards).

    `state` is the reader's row when the caller already has it, saving a query per page.
    """
    if state is None:
        TopicReadState.objects.bulk_create(
            [TopicReadState(user=user, topic=topic)], ignore_conflicts=True
        )
    elif up_to <= state.last_read_number:
        return
    TopicReadState.objects.filter(user=user, topic=topic, last_read_number__lt=up_to).update(
        last_read_number=up_to
    )
    Notification.objects.filter(user=user, topic=topic, read=False, post__number__lte=up_to).update(
        read=True
    )


def notifications_mark_read(*, user: User) -> int:
    """Mark all of a member's notifications read."""
    return Notification.objects.filter(user=user, read=False).update(read=True)
