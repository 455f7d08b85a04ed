"""Community administration: settings, moderators, joining (approval, invitations, welcome),
rooms and watched words. Every change is written to the audit log with before and after.

Owners (and site staff) change settings; moderators also decide on applications. Both
need two-factor authentication when the site requires it.
"""

import secrets
from collections.abc import Callable
from datetime import datetime, time
from typing import Any
from zoneinfo import available_timezones

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import alias_create
from chat import services as chat_services
from chat.models import Room
from forum.markup import render
from forum.models import Community, Invitation, Membership
from moderation.audit import audit_record
from moderation.models import ModerationAction, Priority, QueueItem, WatchedWord
from moderation.permissions import can_moderate, is_staff, mfa_satisfied
from moderation.screening import watched_words_changed

# Settings an owner may change from the settings area, in the order the form shows them.
SETTING_FIELDS = (
    "name",
    "description",
    "rules",
    "welcome_message",
    "visibility",
    "join_policy",
    "join_question",
    "flag_threshold",
    "approve_first_posts",
    "crisis_hold",
    "helpline_region",
    "new_member_days",
    "new_member_max_topics",
    "new_member_max_replies",
    "show_online_aliases",
    "allow_search_engines",
    "chat_retention_days",
    "staffed_days",
    "staffed_from",
    "staffed_until",
    "staffed_timezone",
)
RENDERED_FIELDS = {"rules": "rules_html", "welcome_message": "welcome_html"}
INVITATION_CODE_BYTES = 24
SLOW_MODE_MAX_SECONDS = 3600


class TwoFactorRequiredError(PermissionDenied):
    """The user may act here, but must set up two-factor authentication first."""


# --- Who may act ------------------------------------------------------------------------


def is_owner(user: User, community: Community) -> bool:
    """Whether `user` owns `community` (site staff count as owners everywhere)."""
    if not user.is_authenticated:
        return False
    if is_staff(user):
        return True
    return (
        Membership.objects.active()
        .filter(user=user, community=community, role=Membership.Role.OWNER)
        .exists()
    )


def _two_factor_check(user: User) -> None:
    if not mfa_satisfied(user):
        raise TwoFactorRequiredError(
            "Set up two-factor authentication before you manage a community."
        )


def owner_check(*, user: User, community: Community) -> None:
    """Refuse unless `user` owns `community` and meets the two-factor rule."""
    if not is_owner(user, community):
        raise PermissionDenied("Only this community's owners can change its settings.")
    _two_factor_check(user)


def moderator_check(*, user: User, community: Community) -> None:
    """Refuse unless `user` moderates `community` and meets the two-factor rule."""
    if not can_moderate(user, community):
        raise PermissionDenied("Only this community's moderators can do that.")
    _two_factor_check(user)


def staff_check(*, user: User, superuser: bool = False) -> None:
    """Refuse unless `user` is staff (or a superuser) and meets the two-factor rule."""
    allowed = user.is_authenticated and (user.is_superuser if superuser else is_staff(user))
    if not allowed:
        raise PermissionDenied("Only Kindred's administrators can do that.")
    _two_factor_check(user)


# --- Settings ---------------------------------------------------------------------------


def _audit_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | time) else value


def _staffed_hours_check(community: Community) -> None:
    """Staffed hours need days, a start, an end and a known time zone (or nothing)."""
    days = community.staffed_days
    if any(day not in "1234567" for day in days) or len(set(days)) != len(days):
        raise ValidationError("Staffed days are weekday numbers from 1 (Monday) to 7 (Sunday).")
    if community.staffed_timezone not in available_timezones():
        raise ValidationError("Please choose a time zone from the list.")
    parts = (bool(days), community.staffed_from is not None, community.staffed_until is not None)
    if any(parts) and not all(parts):
        raise ValidationError(
            "For staffed hours, choose the days, the time moderators start and the time they stop."
        )


@transaction.atomic
def community_settings_update(
    *, actor: User, community: Community, changes: dict[str, Any]
) -> Community:
    """Change a community's settings; the changed fields are audited with before and after."""
    owner_check(user=actor, community=community)
    unknown = set(changes) - set(SETTING_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown settings: {', '.join(sorted(unknown))}.")
    given, community = community, Community.objects.select_for_update().get(pk=community.pk)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for field, value in changes.items():
        old = getattr(community, field)
        if old == value:
            continue
        before[field], after[field] = _audit_value(old), _audit_value(value)
        setattr(community, field, value)
    if not after:
        return community
    _staffed_hours_check(community)
    community.full_clean(exclude=["slug"])
    update_fields = list(after)
    for field, rendered in RENDERED_FIELDS.items():
        if field in after:
            setattr(community, rendered, render(getattr(community, field)))
            update_fields.append(rendered)
    community.save(update_fields=update_fields)
    for field in update_fields:  # The caller's instance sees the change too.
        setattr(given, field, getattr(community, field))
    audit_record(
        actor=actor,
        kind=ModerationAction.Kind.SETTING,
        community=community,
        target="settings",
        before=before,
        after=after,
    )
    return community


@transaction.atomic
def community_create_by_staff(
    *, actor: User, name: str, slug: str, description: str = "", **settings: Any
) -> Community:
    """Site staff open a new community and become its first owner."""
    from forum.services import community_create

    staff_check(user=actor)
    if Community.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": "A community already has that address."})
    community = Community(name=name, slug=slug, description=description)
    community.full_clean(exclude=["rules_html", "welcome_html"])
    community = community_create(name=name, slug=slug, description=description, owner=actor)
    if settings:
        community = community_settings_update(actor=actor, community=community, changes=settings)
    audit_record(
        actor=actor,
        kind=ModerationAction.Kind.SETTING,
        community=community,
        target="community",
        after={"created": slug},
    )
    return community


def _membership_by_alias(community: Community, alias_name: str) -> Membership:
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("alias")
        .filter(community=community, alias__name__iexact=alias_name.strip())
        .first()
    )
    if membership is None:
        raise ValidationError(f"Nobody in {community.name} goes by {alias_name.strip()!r}.")
    return membership


@transaction.atomic
def moderator_add(*, actor: User, community: Community, alias_name: str) -> Membership:
    """Make an active member (found by alias) a moderator."""
    owner_check(user=actor, community=community)
    membership = _membership_by_alias(community, alias_name)
    if not membership.is_active:
        raise ValidationError("Only active members can become moderators.")
    if membership.role != Membership.Role.MEMBER:
        return membership
    membership.role = Membership.Role.MODERATOR
    membership.save(update_fields=["role"])
    audit_record(
        actor=actor,
        kind=ModerationAction.Kind.SETTING,
        community=community,
        subject=membership.alias,
        target="moderators",
        before={"role": Membership.Role.MEMBER},
        after={"role": Membership.Role.MODERATOR},
    )
    return membership


@transaction.atomic
def moderator_remove(*, actor: User, community: Community, alias_name: str) -> Membership:
    """Return a moderator (found by alias) to an ordinary member; owners stay owners."""
    owner_check(user=actor, community=community)
    membership = _membership_by_alias(community, alias_name)
    if membership.role == Membership.Role.OWNER:
        raise ValidationError("Owners can't be removed here.")
    if membership.role != Membership.Role.MODERATOR:
        return membership
    membership.role = Membership.Role.MEMBER
    membership.save(update_fields=["role"])
    audit_record(
        actor=actor,
        kind=ModerationAction.Kind.SETTING,
        community=community,
        subject=membership.alias,
        target="moderators",
        before={"role": Membership.Role.MODERATOR},
        after={"role": Membership.Role.MEMBER},
    )
    return membership


# --- Rooms and watched words --------------------------------------------------------------


@transaction.atomic
def community_room_create(
    *, actor: User, community: Community, name: str, slug: str, slow_mode_seconds: int = 0
) -> Room:
    """Open a chat room (through chat's service), audited."""
    owner_check(user=actor, community=community)
    if not 0 <= slow_mode_seconds <= SLOW_MODE_MAX_SECONDS:
        raise ValidationError(f"Slow mode is 0 to {SLOW_MODE_MAX_SECONDS} seconds.")
    if Room.objects.filter(community=community, slug=slug).exists():
        raise ValidationError({"slug": "This community already has a room at that address."})
    room = Room(community=community, name=name, slug=slug, slow_mode_seconds=slow_mode_seconds)
    room.full_clean(exclude=["community"])
    room = chat_services.room_create(
        actor=actor, community=community, name=name, slug=slug, slow_mode_seconds=slow_mode_seconds
    )
    audit_record(
        actor=actor,
        kind=ModerationAction.Kind.ROOM_CREATE,
        community=community,
        target=f"room:{room.slug}",
        after={"name": name, "slow_mode_seconds": slow_mode_seconds},
    )
    return room


@transaction.atomic
def room_slow_mode_set(*, actor: User, room: Room, seconds: int) -> Room:
    """Set a room's slow mode (seconds between one member's messages; 0 is off)."""
    owner_check(user=actor, community=room.community)
    if not 0 <= seconds <= SLOW_MODE_MAX_SECONDS:
        raise ValidationError(f"Slow mode is 0 to {SLOW_MODE_MAX_SECONDS} seconds.")
    # chat/services.py has no slow-mode writer, so this small update lives here.
    room = Room.objects.select_for_update(of=("self",)).select_related("community").get(pk=room.pk)
    if room.slow_mode_seconds == seconds:
        return room
    before = room.slow_mode_seconds
    room.slow_mode_seconds = seconds
    room.save(update_fields=["slow_mode_seconds"])
    audit_record(
        actor=actor,
        kind=ModerationAction.Kind.SETTING,
        community=room.community,
        target=f"room:{room.slug}",
        before={"slow_mode_seconds": before},
        after={"slow_mode_seconds": seconds},
    )
    return room


@transaction.atomic
def community_room_archive(*, actor: User, room: Room) -> Room:
    """Archive a room (through chat's service), audited."""
    owner_check(user=actor, community=room.community)
    if room.archived:
        return room
    room = chat_services.room_archive(actor=actor, room=room)
    audit_record(
        actor=actor,
        kind=ModerationAction.Kind.ROOM_ARCHIVE,
        community=room.community,
        target=f"room:{room.slug}",
        before={"archived": False},
        after={"archived": True},
    )
    return room


@transaction.atomic
def watched_word_add(
    *, actor: User, community: Community, phrase: str, action: str = WatchedWord.Action.FLAG
) -> WatchedWord:
    """Watch a word or phrase in a community (flag it, or hold posts that use it)."""
    owner_check(user=actor, community=community)
    phrase = " ".join(phrase.split()).lower()
    if not phrase:
        raise ValidationError("Please give a word or phrase to watch.")
    if action not in WatchedWord.Action.values:
        raise ValidationError("Unknown action for a watched word.")
    if WatchedWord.objects.filter(community=community, phrase=phrase).exists():
        raise ValidationError(f"{phrase!r} is already watched.")
    word = WatchedWord(community=community, phrase=phrase, action=action)
    word.full_clean()
    word.save()
    audit_record(
        actor=actor,
        kind=ModerationAction.Kind.SETTING,
        community=community,
        target="watched_words",
        after={"phrase": phrase, "action": action},
    )
    transaction.on_commit(lambda: watched_words_changed(community.pk))
    return word


@transaction.atomic
def watched_word_remove(*, actor: User, word: WatchedWord) -> None:
    """Stop watching a word or phrase."""
    owner_check(user=actor, community=word.community)
    audit_record(
        actor=actor,
        kind=ModerationAction.Kind.SETTING,
        community=word.community,
        target="watched_words",
        before={"phrase": word.phrase, "action": word.action},
    )
    community_id = word.community_id
    word.delete()
    transaction.on_commit(lambda: watched_words_changed(community_id))


# --- Joining: welcome, approval, invitations ----------------------------------------------


def welcome_required(community: Community) -> bool:
    """Whether new members must acknowledge a welcome message or rules before writing."""
    return bool(community.welcome_message.strip() or community.rules.strip())


def welcome_acknowledgement_check(membership: Membership) -> None:
    """Refuse writing until the member has acknowledged the welcome and rules."""
    if membership.welcome_pending:
        raise PermissionDenied(
            "Please read the welcome and the rules of this community and confirm them "
            f"first, at /c/{membership.community.slug}/welcome/."
        )


@transaction.atomic
def welcome_acknowledge(*, user: User, community: Community) -> Membership:
    """Record that a member read the welcome and the rules; they can then write."""
    membership = Membership.objects.select_for_update().get(user=user, community=community)
    if not membership.is_active:
        raise PermissionDenied("Only members can acknowledge the rules.")
    membership.welcome_pending = False
    membership.rules_acknowledged = timezone.now()
    membership.save(update_fields=["welcome_pending", "rules_acknowledged"])
    return membership


def join_request_open(membership: Membership) -> None:
    """Tell the moderators (in their queue) that someone asks to join."""
    from moderation.services import queue_item_open

    queue_item_open(
        community=membership.community,
        source=QueueItem.Source.JOIN_REQUEST,
        priority=Priority.NORMAL,
        reason="Request to join",
        subject=membership.alias,
        group_key=f"join:{membership.pk}",
    )


def _join_request_close(*, actor: User, membership: Membership, resolution: str) -> None:
    now = timezone.now()
    items = QueueItem.objects.open().filter(
        community=membership.community,
        source=QueueItem.Source.JOIN_REQUEST,
        group_key=f"join:{membership.pk}",
    )
    for item in items:
        item.state = QueueItem.State.RESOLVED
        item.resolution = resolution
        item.resolved_by = actor
        item.resolved_at = now
        item.first_action_at = item.first_action_at or now
        item.updated = now
        item.save()


def _pending_membership(community: Community, membership_id: int) -> Membership:
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("alias", "community")
        .filter(pk=membership_id, community=community, state=Membership.State.PENDING)
        .first()
    )
    if membership is None:
        raise ValidationError("This request was already decided.")
    return membership


@transaction.atomic
def member_approve(*, actor: User, community: Community, membership_id: int) -> Membership:
    """Let an applicant in; they are welcomed and asked to acknowledge the rules."""
    moderator_check(user=actor, community=community)
    membership = _pending_membership(community, membership_id)
    membership.state = Membership.State.ACTIVE
    membership.joined = timezone.now()
    membership.welcome_pending = welcome_required(community)
    membership.save(update_fields=["state", "joined", "welcome_pending"])
    audit_record(
        actor=actor,
        kind=ModerationAction.Kind.MEMBER_APPROVE,
        community=community,
        subject=membership.alias,
        before={"state": Membership.State.PENDING},
        after={"state": Membership.State.ACTIVE},
    )
    _join_request_close(actor=actor, membership=membership, resolution="approved")
    return membership


@transaction.atomic
def member_decline(
    *, actor: User, community: Community, membership_id: int, reason: str = ""
) -> Membership:
    """Turn an application down; the applicant may ask again later."""
    moderator_check(user=actor, community=community)
    membership = _pending_membership(community, membership_id)
    membership.state = Membership.State.LEFT
    membership.save(update_fields=["state"])
    audit_record(
        actor=actor,
        kind=ModerationAction.Kind.MEMBER_REJECT,
        community=community,
        subject=membership.alias,
        reason=reason[:500],
        before={"state": Membership.State.PENDING},
        after={"state": Membership.State.LEFT},
    )
    _join_request_close(actor=actor, membership=membership, resolution="declined")
    return membership


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    community: Community | None,
    expires: datetime | None = None,
    max_uses: int | None = None,
    note: str = "",
) -> Invitation:
    """A new invitation link: to a community (by its owners) or to sign up (by staff)."""
    if community is None:
        staff_check(user=actor)
    else:
        owner_check(user=actor, community=community)
    if expires is not None and expires <= timezone.now():
        raise ValidationError("The expiry must be in the future.")
    if max_uses is not None and max_uses < 1:
        raise ValidationError("An invitation must allow at least one use.")
    invitation = Invitation.objects.create(
        community=community,
        code=secrets.token_urlsafe(INVITATION_CODE_BYTES),
        note=note[:100],
        created_by=actor,
        expires=expires,
        max_uses=max_uses,
    )
    audit_record(
        actor=actor,
        kind=ModerationAction.Kind.SETTING,
        community=community,
        target=f"invitation:{invitation.pk}",
        after={
            "expires": _audit_value(expires),
            "max_uses": max_uses,
            "note": invitation.note,
        },
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """Withdraw an invitation: its link stops working at once."""
    if invitation.community is None:
        staff_check(user=actor)
    else:
        owner_check(user=actor, community=invitation.community)
    if invitation.revoked is not None:
        return invitation
    invitation.revoked = timezone.now()
    invitation.save(update_fields=["revoked"])
    audit_record(
        actor=actor,
        kind=ModerationAction.Kind.SETTING,
        community=invitation.community,
        target=f"invitation:{invitation.pk}",
        before={"revoked": False},
        after={"revoked": True},
    )
    return invitation


def invitation_usable(code: str) -> Invitation:
    """The invitation behind a link, or a ValidationError saying why it can't be used."""
    invitation = Invitation.objects.select_related("community").filter(code=code).first()
    if invitation is None:
        raise ValidationError("This invitation link is not valid.")
    problem = invitation.problem()
    if problem:
        raise ValidationError(problem)
    return invitation


def _invitation_take(code: str) -> Invitation:
    invitation = Invitation.objects.select_for_update().filter(code=code).first()
    if invitation is None:
        raise ValidationError("This invitation link is not valid.")
    problem = invitation.problem()
    if problem:
        raise ValidationError(problem)
    invitation.uses += 1
    invitation.save(update_fields=["uses"])
    return invitation


@transaction.atomic
def invitation_accept(*, user: User, code: str) -> Membership:
    """Join the invitation's community at once (past approval); one use is counted."""
    invitation = _invitation_take(code)
    community = invitation.community
    if community is None:
        raise ValidationError("This invitation is for signing up, not for a community.")
    membership = (
        Membership.objects.select_for_update().filter(user=user, community=community).first()
    )
    if membership is not None and membership.state == Membership.State.BANNED:
        raise PermissionDenied("You can't rejoin this community.")
    if membership is not None and membership.is_active:
        invitation.uses -= 1  # Already a member: the link is not used up by a repeat visit.
        invitation.save(update_fields=["uses"])
        return membership
    if membership is None:
        membership = Membership(
            user=user, community=community, alias=alias_create(user=user, community=community)
        )
    membership.state = Membership.State.ACTIVE
    membership.joined = timezone.now()
    membership.welcome_pending = welcome_required(community)
    membership.save()
    _join_request_close(actor=user, membership=membership, resolution="invited")
    return membership


@transaction.atomic
def invitation_sign_up_use(*, code: str) -> Invitation:
    """Count one use of the invitation that let a new account sign up."""
    return _invitation_take(code)


# --- Chat retention ------------------------------------------------------------------------


def chat_retention_apply(
    *,
    community: Community,
    cutoff: datetime,
    batch_size: int = 1000,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Delete a community's chat messages written before `cutoff`, in batches.

    Messages an open queue item points at are kept until a moderator resolves it.
    Returns how many were (or, with `dry_run`, would be) deleted.
    """
    from chat.models import Message

    in_queue = QueueItem.objects.open().filter(message__isnull=False).values("message_id")
    old = Message.objects.filter(room__community=community, created__lt=cutoff).exclude(
        pk__in=in_queue
    )
    if dry_run:
        return old.count()
    deleted = 0
    while True:
        batch = list(old.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not batch:
            return deleted
        with transaction.atomic():
            deleted += Message.objects.filter(pk__in=batch).delete()[1].get("chat.Message", 0)
        if progress is not None:
            progress(deleted)
