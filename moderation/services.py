"""Every moderation write and rule: flags, the queue, decisions, sanctions, appeals.

Live events reach the moderators' feed only after the transaction commits.
"""

import logging
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Alias, User
from accounts.selectors import site_settings
from chat.models import Message
from forum.models import Community, ContentState, Membership, Post
from moderation import events
from moderation.audit import actor_label, audit_record
from moderation.models import (
    CrisisFeedback,
    Flag,
    MemberNotice,
    ModerationAction,
    Priority,
    QueueItem,
)
from moderation.permissions import can_moderate, is_staff, require_moderator, require_staff
from moderation.ratelimit import RateLimited, window_hit

logger = logging.getLogger(__name__)

CLAIM_MINUTES = 15
MUTE_LADDER = (timedelta(hours=24), timedelta(days=3), timedelta(days=7), timedelta(days=30))
REASON_MAX = 500


class Decision:
    """The one-click decisions on a queue item."""

    APPROVE = "approve"
    HIDE = "hide"
    REMOVE = "remove"
    WARN = "warn"
    MUTE = "mute"
    BAN = "ban"
    ESCALATE = "escalate"
    SUSPEND = "suspend"
    CHOICES = (APPROVE, HIDE, REMOVE, WARN, MUTE, BAN, ESCALATE, SUSPEND)
    # Decisions that tell the author something and so need a reason in words.
    NEED_REASON = frozenset({REMOVE, WARN, MUTE, BAN, ESCALATE, SUSPEND})


# --- Live feed --------------------------------------------------------------------------


def _group_send(group: str, event: events.Event) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:
        logger.exception("moderation: live event %s to %s failed", event.get("type"), group)


def _announce(item: QueueItem) -> None:
    """Tell the community's moderators and staff about a new or raised item, after commit."""
    item_id = item.pk

    def send() -> None:
        fresh = QueueItem.objects.select_related("community", "subject").get(pk=item_id)
        event = events.queue_item_event(fresh)
        _group_send(events.community_group(fresh.community_id), event)
        _group_send(events.STAFF_GROUP, event)
        _counts_changed(fresh.community_id)

    transaction.on_commit(send)


def _counts_changed(community_id: int) -> None:
    _group_send(events.community_group(community_id), events.counts_changed_event())
    _group_send(events.STAFF_GROUP, events.counts_changed_event())


def _counts_changed_after_commit(community_id: int) -> None:
    transaction.on_commit(lambda: _counts_changed(community_id))


# --- Content helpers ---------------------------------------------------------------------


def _target(*, post: Post | None, message: Message | None) -> str:
    return f"post:{post.pk}" if post is not None else f"message:{message.pk}" if message else ""


def _content_community(*, post: Post | None, message: Message | None) -> Community:
    if post is not None:
        return post.topic.community
    assert message is not None  # noqa: S101 - callers pass exactly one
    return message.room.community


def _content_author(*, post: Post | None, message: Message | None) -> Alias:
    return post.author if post is not None else message.alias  # type: ignore[union-attr]


def _content_set_state(
    *, post: Post | None, message: Message | None, state: str, reason: str = ""
) -> str:
    """Set what peers see of a post or message; returns the state before."""
    if post is not None:
        before = post.state
        post.state = state
        if state == ContentState.REMOVED:
            post.removal_reason = reason[:REASON_MAX]
        post.save(update_fields=["state", "removal_reason"])
        if post.number == 1:
            # A topic is seen as its first post is: held, hidden or removed with it.
            from forum.models import Topic

            Topic.objects.filter(pk=post.topic_id).update(state=state)
        _topic_notify_state(post)
        return before
    assert message is not None  # noqa: S101
    before = message.state
    # Chat has no "hidden": hidden and removed both take the message out of the room.
    visible = state == ContentState.VISIBLE
    message.state = Message.State.VISIBLE if visible else Message.State.REMOVED
    message.save(update_fields=["state"])
    if not visible:
        from chat import events as chat_events

        room_group = chat_events.room_group(message.room_id)
        removed = chat_events.removed_event(message.pk)
        transaction.on_commit(lambda: _group_send(room_group, removed))
    return before


def _topic_notify_state(post: Post) -> None:
    """Tell open topic pages that a post changed state, so they update at once."""
    from forum.events import post_state_event, topic_group

    group = topic_group(post.topic_id)
    event = post_state_event(post)
    transaction.on_commit(lambda: _group_send(group, event))


def _membership_of(alias: Alias, community: Community) -> Membership | None:
    if alias.user_id is None:
        return None
    return Membership.objects.filter(user_id=alias.user_id, community=community).first()


def _notice(
    *,
    alias: Alias,
    community: Community,
    kind: str,
    text: str,
    action: ModerationAction | None = None,
    until: Any = None,
    can_appeal: bool = False,
) -> MemberNotice | None:
    if alias.user_id is None:
        return None
    return MemberNotice.objects.create(
        user_id=alias.user_id,
        community=community,
        kind=kind,
        text=text,
        action=action,
        until=until,
        can_appeal=can_appeal,
    )


# --- Flags --------------------------------------------------------------------------------


@transaction.atomic
def flag_submit(
    *,
    reporter: User,
    reason: str,
    note: str = "",
    post: Post | None = None,
    message: Message | None = None,
) -> Flag:
    """A member reports a post or message. Nothing is ever sent to the person reported.

    One flag per member per item; enough distinct flags (or one from a moderator) hide the
    item pending review. Flags never sanction anyone by themselves.
    """
    if (post is None) == (message is None):
        raise ValidationError("Report one post or one message.")
    if post is not None:
        post = Post.objects.select_related("topic__community", "author").get(pk=post.pk)
    if message is not None:
        message = Message.objects.select_related("room__community", "alias").get(pk=message.pk)
    community = _content_community(post=post, message=message)
    membership = Membership.objects.filter(user=reporter, community=community).first()
    reporter_moderates = can_moderate(reporter, community)
    if not reporter_moderates and not (membership and membership.is_active):
        raise PermissionDenied("Only members of this community can report its posts.")
    content_state = post.state if post is not None else message.state  # type: ignore[union-attr]
    if content_state == ContentState.REMOVED and not reporter_moderates:
        raise PermissionDenied("This has already been removed.")
    if reason not in Flag.Reason.values:
        raise ValidationError({"reason": "Please choose why you are reporting this."})
    note = " ".join(note.split())[:REASON_MAX]
    if reason == Flag.Reason.OTHER and not note:
        raise ValidationError({"note": "Please say a few words about what is wrong."})
    if not window_hit("flag", reporter.pk, limit=site_settings().flags_per_hour, seconds=3600):
        raise RateLimited(
            "You have sent many reports in the last hour. The moderators have them; "
            "please wait a little before sending more."
        )
    try:
        with transaction.atomic():
            flag = Flag.objects.create(
                community=community,
                reporter=reporter,
                post=post,
                message=message,
                reason=reason,
                note=note,
            )
    except IntegrityError as error:
        raise ValidationError(
            "You already reported this. Thank you: the moderators have it."
        ) from error
    author = _content_author(post=post, message=message)
    safety = reason == Flag.Reason.SAFETY
    item = queue_item_open(
        community=community,
        source=QueueItem.Source.FLAG,
        priority=Priority.SAFETY if safety else Priority.NORMAL,
        reason=(
            "A member is worried about this person's safety"
            if safety
            else f"Reported: {Flag.Reason(reason).label.lower()}"
        ),
        post=post,
        message=message,
        subject=author,
    )
    distinct = (
        Flag.objects.filter(post=post, message=message, dismissed=False)
        .values("reporter")
        .distinct()
        .count()
    )
    if content_state == ContentState.VISIBLE and (
        reporter_moderates or distinct >= community.flag_threshold
    ):
        _content_set_state(post=post, message=message, state=ContentState.HIDDEN)
        audit_record(
            actor=reporter if reporter_moderates else None,
            kind=ModerationAction.Kind.AUTO_HIDE,
            community=community,
            subject=author,
            target=_target(post=post, message=message),
            queue_item=item,
            reason=(
                "Hidden at once by a moderator's report"
                if reporter_moderates
                else f"Reached the flag threshold ({community.flag_threshold})"
            ),
            before={"state": content_state},
            after={"state": ContentState.HIDDEN},
        )
    return flag


# --- Queue --------------------------------------------------------------------------------


@transaction.atomic
def queue_item_open(
    *,
    community: Community,
    source: str,
    priority: int,
    reason: str,
    post: Post | None = None,
    message: Message | None = None,
    subject: Alias | None = None,
    group_key: str = "",
    severity: str = "",
    crisis_details: dict[str, Any] | None = None,
) -> QueueItem:
    """Open a queue item, or raise the open one about the same thing (never a duplicate).

    Items about the same post or message (or the same crisis group: one member in one
    topic or room) are merged; a higher priority raises the item and alerts again.
    """
    open_items = QueueItem.objects.select_for_update().open().filter(community=community)
    if group_key:
        existing = open_items.filter(group_key=group_key).first()
    elif post is not None or message is not None:
        existing = open_items.filter(source=source, post=post, message=message).first()
    else:
        existing = None
    now = timezone.now()
    if existing is None:
        item = QueueItem.objects.create(
            community=community,
            source=source,
            priority=priority,
            reason=reason[:300],
            post=post,
            message=message,
            subject=subject,
            group_key=group_key,
            severity=severity,
            crisis_details=crisis_details or {},
            created=now,
            updated=now,
        )
        _announce(item)
        return item
    raised = priority < existing.priority
    existing.updated = now
    if raised:
        existing.priority = priority
        existing.reason = reason[:300]
        existing.severity = severity or existing.severity
    if crisis_details:
        existing.crisis_details = crisis_details
    if post is not None or message is not None:
        existing.post, existing.message = post, message
    existing.save()
    if raised:
        _announce(existing)
    return existing


def _claim_holder(item: QueueItem, now: Any) -> int | None:
    if item.claimed_by_id and item.claimed_until and item.claimed_until > now:
        return item.claimed_by_id
    return None


def _require_item_access(actor: User, item: QueueItem) -> None:
    require_moderator(actor, item.community)
    if item.state == QueueItem.State.ESCALATED and not is_staff(actor):
        raise PermissionDenied("This item was escalated to Kindred staff.")


@transaction.atomic
def queue_item_claim(*, actor: User, item: QueueItem) -> QueueItem:
    """Claim an item for 15 minutes so that no one else handles it unknowingly."""
    item = (
        QueueItem.objects.select_for_update(of=("self",))
        .select_related("community")
        .get(pk=item.pk)
    )
    _require_item_access(actor, item)
    if item.state == QueueItem.State.RESOLVED:
        raise ValidationError("This item is already resolved.")
    now = timezone.now()
    holder = _claim_holder(item, now)
    if holder is not None and holder != actor.pk:
        raise ValidationError(
            f"{actor_label(item.claimed_by, item.community)} is handling this item "
            f"until {timezone.localtime(item.claimed_until):%H:%M} UTC."
        )
    item.claimed_by = actor
    item.claimed_until = now + timedelta(minutes=CLAIM_MINUTES)
    if item.first_action_at is None:
        item.first_action_at = now
    item.save(update_fields=["claimed_by", "claimed_until", "first_action_at"])
    _counts_changed_after_commit(item.community_id)
    return item


@transaction.atomic
def queue_item_release(*, actor: User, item: QueueItem) -> None:
    """Let go of a claim."""
    updated = QueueItem.objects.filter(pk=item.pk, claimed_by=actor).update(
        claimed_by=None, claimed_until=None
    )
    if updated:
        _counts_changed_after_commit(item.community_id)


def _mute_length(*, community: Community, subject: Alias) -> timedelta:
    """Repeated mutes escalate: 24 hours, 3 days, 7 days, then 30 days."""
    earlier = (
        ModerationAction.objects.filter(
            community=community, subject__user_id=subject.user_id, kind=ModerationAction.Kind.MUTE
        ).count()
        if subject.user_id
        else 0
    )
    return MUTE_LADDER[min(earlier, len(MUTE_LADDER) - 1)]


@transaction.atomic
def queue_item_decide(
    *, actor: User, item: QueueItem, decision: str, reason: str = ""
) -> ModerationAction:
    """Decide on an item in one step; the decision is audited and the author told."""
    # Lock the item row only: PostgreSQL cannot lock the nullable side of the outer joins
    # (an item has a post or a message, not both).
    item = (
        QueueItem.objects.select_for_update(of=("self",))
        .select_related(
            "community", "post__topic", "post__author", "message__room", "message__alias", "subject"
        )
        .get(pk=item.pk)
    )
    _require_item_access(actor, item)
    if item.state == QueueItem.State.RESOLVED:
        raise ValidationError("This item was already resolved by another moderator.")
    now = timezone.now()
    holder = _claim_holder(item, now)
    if holder is not None and holder != actor.pk:
        raise ValidationError(
            f"{actor_label(item.claimed_by, item.community)} claimed this item; "
            "wait for them or for the claim to expire."
        )
    if decision not in Decision.CHOICES:
        raise ValidationError("Unknown decision.")
    reason = " ".join(reason.split())[:REASON_MAX]
    if decision in Decision.NEED_REASON and not reason:
        raise ValidationError({"reason": "Please give a reason: the member will be told it."})
    if decision == Decision.SUSPEND:
        require_staff(actor)
    community = item.community
    post, message, subject = item.post, item.message, item.subject
    target = _target(post=post, message=message)
    has_content = post is not None or message is not None
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    until = None
    kind = decision
    resolve = True

    if decision == Decision.APPROVE:
        if has_content:
            before["state"] = _content_set_state(
                post=post, message=message, state=ContentState.VISIBLE
            )
            after["state"] = ContentState.VISIBLE
            Flag.objects.filter(post=post, message=message).update(dismissed=True)
        if item.source == QueueItem.Source.APPEAL and subject is not None:
            before, after = _appeal_grant(community=community, subject=subject)
    elif decision in (Decision.HIDE, Decision.REMOVE):
        if not has_content:
            raise ValidationError("There is no post or message to hide or remove here.")
        state = ContentState.HIDDEN if decision == Decision.HIDE else ContentState.REMOVED
        before["state"] = _content_set_state(post=post, message=message, state=state, reason=reason)
        after["state"] = state
    elif decision == Decision.MUTE:
        membership = _membership_for_sanction(subject, community)
        length = _mute_length(community=community, subject=subject)  # type: ignore[arg-type]
        until = now + length
        before["muted_until"] = (
            membership.muted_until.isoformat() if membership.muted_until else None
        )
        membership.muted_until = until
        membership.save(update_fields=["muted_until"])
        after["muted_until"] = until.isoformat()
    elif decision == Decision.BAN:
        membership = _membership_for_sanction(subject, community)
        before["state"] = membership.state
        membership.state = Membership.State.BANNED
        membership.save(update_fields=["state"])
        after["state"] = Membership.State.BANNED
        from chat.services import member_sockets_close

        member_sockets_close(user_id=membership.user_id, community_id=community.pk)
    elif decision == Decision.SUSPEND:
        if subject is None or subject.user_id is None:
            raise ValidationError("There is no account to suspend here.")
        account = User.objects.get(pk=subject.user_id)
        until = now + timedelta(days=30)
        before["suspended_until"] = (
            account.suspended_until.isoformat() if account.suspended_until else None
        )
        account.suspended_until = until
        account.save(update_fields=["suspended_until"])
        after["suspended_until"] = until.isoformat()
        from chat.services import member_sockets_close

        member_sockets_close(user_id=account.pk)
    elif decision == Decision.ESCALATE:
        item.state = QueueItem.State.ESCALATED
        resolve = False
    action = audit_record(
        actor=actor,
        kind=kind,
        community=community,
        subject=subject,
        target=target,
        queue_item=item,
        reason=reason,
        before=before,
        after=after,
        until=until,
    )
    if subject is not None:
        _tell_author(
            decision=decision,
            subject=subject,
            community=community,
            reason=reason,
            until=until,
            action=action,
            item=item,
        )
    if resolve:
        item.state = QueueItem.State.RESOLVED
        item.resolution = decision
        item.resolved_by = actor
        item.resolved_at = now
    item.claimed_by = None
    item.claimed_until = None
    if item.first_action_at is None:
        item.first_action_at = now
    item.updated = now
    item.save()
    _counts_changed_after_commit(community.pk)
    return action


def _membership_for_sanction(subject: Alias | None, community: Community) -> Membership:
    membership = _membership_of(subject, community) if subject is not None else None
    if membership is None:
        raise ValidationError("That member is no longer in this community.")
    return membership


def _appeal_grant(*, community: Community, subject: Alias) -> tuple[dict[str, Any], dict[str, Any]]:
    """Granting an appeal lifts the member's mute or ban in this community."""
    membership = _membership_for_sanction(subject, community)
    before = {"state": membership.state, "muted_until": str(membership.muted_until or "")}
    membership.muted_until = None
    if membership.state == Membership.State.BANNED:
        membership.state = Membership.State.ACTIVE
    membership.save(update_fields=["muted_until", "state"])
    return before, {"state": membership.state, "muted_until": ""}


APPEAL_HOW = "If you think this was a mistake, you can appeal from your notices page."


def _tell_author(
    *,
    decision: str,
    subject: Alias,
    community: Community,
    reason: str,
    until: Any,
    action: ModerationAction,
    item: QueueItem,
) -> None:
    """Tell a sanctioned member what happened, why, until when, and how to appeal."""
    when = f" until {timezone.localtime(until):%d %b %Y %H:%M} UTC" if until else ""
    texts = {
        Decision.REMOVE: (
            MemberNotice.Kind.REMOVAL,
            f"A moderator removed your {'post' if item.post_id else 'message'} "
            f"in {community.name}. Reason: {reason}",
        ),
        Decision.WARN: (
            MemberNotice.Kind.WARNING,
            f"A moderator of {community.name} sent you a warning: {reason}",
        ),
        Decision.MUTE: (
            MemberNotice.Kind.MUTE,
            f"You are muted in {community.name}{when}: you can read but not "
            f"post or chat. Reason: {reason}",
        ),
        Decision.BAN: (
            MemberNotice.Kind.BAN,
            f"You are banned from {community.name}. Reason: {reason}",
        ),
        Decision.SUSPEND: (
            MemberNotice.Kind.SUSPENSION,
            f"Your Kindred account is suspended{when}. Reason: {reason}",
        ),
    }
    if item.source == QueueItem.Source.APPEAL and decision == Decision.APPROVE:
        texts[Decision.APPROVE] = (
            MemberNotice.Kind.APPEAL_ANSWER,
            f"Your appeal in {community.name} was accepted; the sanction is lifted.",
        )
    if decision not in texts:
        return
    kind, text = texts[decision]
    appealable = decision in {Decision.REMOVE, Decision.MUTE, Decision.BAN, Decision.SUSPEND}
    _notice(
        alias=subject,
        community=community,
        kind=kind,
        text=f"{text} {APPEAL_HOW}" if appealable else text,
        action=action,
        until=until,
        can_appeal=appealable,
    )


@transaction.atomic
def appeal_submit(*, user: User, notice: MemberNotice, text: str) -> QueueItem:
    """A sanctioned member appeals; it reaches the community's queue."""
    notice = (
        MemberNotice.objects.select_for_update(of=("self",))
        .select_related("community")
        .get(pk=notice.pk)
    )
    if notice.user_id != user.pk:
        raise PermissionDenied("You can only appeal decisions about you.")
    if not notice.can_appeal or notice.appealed:
        raise ValidationError("This decision can't be appealed (again).")
    text = " ".join(text.split())[:REASON_MAX]
    if not text:
        raise ValidationError({"text": "Please say why you think the decision should change."})
    community = notice.community
    if community is None:
        raise ValidationError("Site-wide suspensions are appealed by email to the staff.")
    subject = notice.action.subject if notice.action else None
    notice.appealed = True
    notice.save(update_fields=["appealed"])
    return queue_item_open(
        community=community,
        source=QueueItem.Source.APPEAL,
        priority=Priority.NORMAL,
        reason=f"Appeal: {text}",
        subject=subject,
        group_key=f"appeal:{notice.pk}",
    )


@transaction.atomic
def check_in_send(*, actor: User, item: QueueItem, text: str = "") -> MemberNotice:
    """One click: a private, supportive message to the writer, with the helplines."""
    item = QueueItem.objects.select_related("community", "subject").get(pk=item.pk)
    _require_item_access(actor, item)
    if item.subject is None or item.subject.user_id is None:
        raise ValidationError("There is no member to check in with here.")
    body = text.strip()[:REASON_MAX] or (
        f"Hi {item.subject.name}, one of the moderators of {item.community.name} here. "
        "We noticed things seem really hard at the moment and wanted to check in. "
        "You're not alone. If you'd like to talk to someone now, the crisis lines on the "
        "help page are free and confidential."
    )
    action = audit_record(
        actor=actor,
        kind=ModerationAction.Kind.CHECK_IN,
        community=item.community,
        subject=item.subject,
        queue_item=item,
        reason="Check-in sent",
    )
    if item.first_action_at is None:
        item.first_action_at = timezone.now()
        item.save(update_fields=["first_action_at"])
    notice = _notice(
        alias=item.subject,
        community=item.community,
        kind=MemberNotice.Kind.CHECK_IN,
        text=body,
        action=action,
    )
    assert notice is not None  # noqa: S101 - subject has a user, checked above
    return notice


@transaction.atomic
def notices_mark_read(*, user: User) -> int:
    return MemberNotice.objects.filter(user=user, read=False).update(read=True)


@transaction.atomic
def check_in_request(*, user: User, community: Community) -> QueueItem:
    """A member asks the community's moderators to check in with them (from the card)."""
    membership = (
        Membership.objects.select_related("alias").filter(user=user, community=community).first()
    )
    if membership is None or not membership.is_active:
        raise PermissionDenied("Only members can ask this community's moderators to check in.")
    return queue_item_open(
        community=community,
        source=QueueItem.Source.CRISIS,
        priority=Priority.HIGH,
        reason="A member asked the moderators to check in with them",
        subject=membership.alias,
        group_key=f"check-in-request:{membership.alias_id}",
    )


def _detector_version(details: dict[str, Any]) -> str:
    """The lexicon version, and the model's when the model raised the item."""
    version = str(details.get("lexicon_version", ""))
    model = details.get("model")
    if isinstance(model, dict):
        version = f"{version} model {model.get('version', '')}"
    return version[:40]


@transaction.atomic
def crisis_feedback_record(
    *, actor: User, item: QueueItem, verdict: str, expected_severity: str = ""
) -> CrisisFeedback:
    """A moderator marks the detector's call on an item: false alarm, missed, or right.

    The words are kept with the verdict so `manage.py crisis_feedback_export` can add them
    to the development set after review.
    """
    item = QueueItem.objects.select_related("community", "post", "message", "subject").get(
        pk=item.pk
    )
    _require_item_access(actor, item)
    if verdict not in CrisisFeedback.Verdict.values:
        raise ValidationError("Unknown verdict.")
    if expected_severity and expected_severity not in {"none", "concern", "high", "imminent"}:
        raise ValidationError("Unknown severity.")
    text = item.post.source if item.post else item.message.body if item.message else ""
    if not text:
        raise ValidationError("There are no words to give feedback on here.")
    feedback = CrisisFeedback.objects.create(
        queue_item=item,
        verdict=verdict,
        text=text,
        detected_severity=item.severity or "none",
        expected_severity=expected_severity,
        lexicon_version=_detector_version(item.crisis_details),
    )
    audit_record(
        actor=actor,
        kind=ModerationAction.Kind.CRISIS_FEEDBACK,
        community=item.community,
        subject=item.subject,
        queue_item=item,
        reason=f"{CrisisFeedback.Verdict(verdict).label}"
        + (f" (should be {expected_severity})" if expected_severity else ""),
    )
    return feedback
