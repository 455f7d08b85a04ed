"""Writes and rules about accounts and aliases."""

from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.aliases import alias_candidate, alias_name_problem
from accounts.filters import MUTED_WORD_MAX_LENGTH, MUTED_WORDS_MAX, filter_phrase_normalise
from accounts.models import Alias, ReaderFilter, SafetyPlan, SiteSettings, User
from accounts.safety_plan import SAFETY_PLAN_FIELD_MAX_LENGTH, SAFETY_PLAN_FIELDS
from accounts.selectors import (
    safety_plan_professionals_prefill,
    site_settings,
    supported_countries,
)
from moderation.audit import audit_record
from moderation.models import ModerationAction

if TYPE_CHECKING:
    from forum.models import Community, Topic

ALIAS_CHANGES_PER_30_DAYS = 2
ALIAS_GENERATION_ATTEMPTS = 50


def alias_create(*, user: User, community: "Community", name: str | None = None) -> Alias:
    """Give `user` a new alias in `community`: the chosen `name`, or a generated one.

    The name is unique in the community for all time, so a retired alias is never reissued.
    """
    if name is not None:
        problem = alias_name_problem(name)
        if problem:
            raise ValidationError(problem)
        if Alias.objects.filter(community=community, name__iexact=name).exists():
            raise ValidationError("That alias is taken in this community; try another.")
        return Alias.objects.create(user=user, community=community, name=name)
    for _attempt in range(ALIAS_GENERATION_ATTEMPTS):
        candidate = alias_candidate()
        if Alias.objects.filter(community=community, name__iexact=candidate).exists():
            continue
        try:
            with transaction.atomic():
                return Alias.objects.create(user=user, community=community, name=candidate)
        except IntegrityError:
            continue  # Someone took it between the check and the insert.
    raise RuntimeError("Could not find a free alias; the word lists need to grow.")


def alias_changes_left(*, user: User, community: "Community") -> int:
    """How many more alias changes the member may make in this community this month."""
    since = timezone.now() - timedelta(days=30)
    recent = Alias.objects.filter(
        user=user, community=community, retired__isnull=False, retired__gte=since
    ).count()
    return max(0, ALIAS_CHANGES_PER_30_DAYS - recent)


@transaction.atomic
def alias_change(*, user: User, community: "Community", name: str | None = None) -> Alias:
    """Replace the member's alias in a community (limited per 30 days); the old one retires."""
    from forum.models import Membership

    membership = Membership.objects.select_for_update().get(user=user, community=community)
    if alias_changes_left(user=user, community=community) <= 0:
        raise ValidationError(
            f"You can change your alias {ALIAS_CHANGES_PER_30_DAYS} times in 30 days; "
            "please try again later."
        )
    old = membership.alias
    new = alias_create(user=user, community=community, name=name)
    old.retired = timezone.now()
    old.save(update_fields=["retired"])
    membership.alias = new
    membership.save(update_fields=["alias"])
    # Peers see only the new name; the old one stays in the audit log for moderators.
    audit_record(
        actor=user,
        kind=ModerationAction.Kind.ALIAS_CHANGE,
        community=community,
        subject=new,
        target=f"alias:{new.pk}",
        before={"alias": old.name},
        after={"alias": new.name},
    )
    return new


@transaction.atomic
def member_settings_update(
    *,
    user: User,
    country: str,
    notify_replies: bool,
    notify_mentions: bool,
    quick_exit: bool | None = None,
    hide_crisis_posts: bool | None = None,
) -> User:
    """Change a member's own settings: helpline country, notifications, quick exit and
    whether posts about suicide or self-harm stay hidden until opened."""
    country = country.strip().upper()
    if country and country not in supported_countries():
        raise ValidationError("Please choose a country from the list.")
    user.country = country
    user.notify_replies = notify_replies
    user.notify_mentions = notify_mentions
    fields = ["country", "notify_replies", "notify_mentions"]
    if quick_exit is not None:
        user.quick_exit = quick_exit
        fields.append("quick_exit")
    if hide_crisis_posts is not None:
        user.hide_crisis_posts = hide_crisis_posts
        fields.append("hide_crisis_posts")
    user.save(update_fields=fields)
    return user


# --- The safety plan: the member's alone, never audited (an audit row would be readable
# by moderators and staff) ----------------------------------------------------------------


@sensitive_variables()
@transaction.atomic
def safety_plan_save(
    *, user: User, changes: dict[str, str], accept_language: str = ""
) -> SafetyPlan:
    """Save some or all steps of the member's own safety plan (created on first save, with
    the crisis lines of their region in step 5; `accept_language` helps find the region)."""
    unknown = set(changes) - set(SAFETY_PLAN_FIELDS)
    if unknown:
        raise ValidationError("Unknown part of the safety plan.")
    cleaned: dict[str, str] = {}
    for name, value in changes.items():
        if not isinstance(value, str):
            raise ValidationError("A safety plan step is text.")
        if len(value) > SAFETY_PLAN_FIELD_MAX_LENGTH:
            raise ValidationError(
                f"Each step can hold {SAFETY_PLAN_FIELD_MAX_LENGTH:,} characters; "
                f"this one has {len(value):,}."
            )
        cleaned[name] = value.replace("\r\n", "\n")
    plan = SafetyPlan.objects.select_for_update().filter(user=user).first()
    if plan is None:
        # A new plan starts with the crisis lines of the member's region in step 5.
        plan = SafetyPlan.objects.create(
            user=user,
            professionals=safety_plan_professionals_prefill(user, accept_language=accept_language),
        )
    for name, value in cleaned.items():
        setattr(plan, name, value)
    plan.updated = timezone.now()
    plan.save(update_fields=[*cleaned, "updated"])
    return plan


@transaction.atomic
def safety_plan_delete(*, user: User) -> None:
    """Delete the member's own safety plan."""
    SafetyPlan.objects.filter(user=user).delete()


# --- Reader filters ----------------------------------------------------------------------

BREAK_MAX_DAYS = 90


def reader_word_mute(*, user: User, phrase: str) -> ReaderFilter:
    """Mute a word or phrase: posts and topics with it are folded away for the member."""
    phrase = " ".join(phrase.split())
    if not phrase:
        raise ValidationError("Please write the word or phrase to mute.")
    if len(phrase) > MUTED_WORD_MAX_LENGTH:
        raise ValidationError(f"A muted phrase can be at most {MUTED_WORD_MAX_LENGTH} characters.")
    normalised = filter_phrase_normalise(phrase)
    if not normalised:
        raise ValidationError("Please use letters or digits in the word to mute.")
    with transaction.atomic():
        words = ReaderFilter.objects.select_for_update().filter(
            user=user, kind=ReaderFilter.Kind.WORD
        )
        existing = words.filter(normalised=normalised).first()
        if existing is not None:
            return existing
        if words.count() >= MUTED_WORDS_MAX:
            raise ValidationError(f"You can mute up to {MUTED_WORDS_MAX} words.")
        return ReaderFilter.objects.create(
            user=user, kind=ReaderFilter.Kind.WORD, phrase=phrase, normalised=normalised
        )


@transaction.atomic
def reader_topic_mute(*, user: User, topic: "Topic", muted: bool = True) -> None:
    """Mute (or unmute) a topic: it folds away in lists and its notifications stop."""
    existing = ReaderFilter.objects.filter(user=user, kind=ReaderFilter.Kind.TOPIC, topic=topic)
    if not muted:
        existing.delete()
    elif not existing.exists():
        ReaderFilter.objects.create(user=user, kind=ReaderFilter.Kind.TOPIC, topic=topic)


@transaction.atomic
def reader_break_start(*, user: User, community: "Community", days: int) -> ReaderFilter:
    """Take a break from a community for some days: hidden from the member's lists and
    notifications until then (they can still open it)."""
    if not 1 <= days <= BREAK_MAX_DAYS:
        raise ValidationError(f"A break lasts from 1 to {BREAK_MAX_DAYS} days.")
    until = timezone.now() + timedelta(days=days)
    ReaderFilter.objects.filter(
        user=user, kind=ReaderFilter.Kind.BREAK, community=community
    ).delete()
    return ReaderFilter.objects.create(
        user=user, kind=ReaderFilter.Kind.BREAK, community=community, until=until
    )


@transaction.atomic
def reader_break_end(*, user: User, community: "Community") -> None:
    """End a break from a community early."""
    ReaderFilter.objects.filter(
        user=user, kind=ReaderFilter.Kind.BREAK, community=community
    ).delete()


@transaction.atomic
def notifications_pause(*, user: User, days: int) -> User:
    """Pause all notifications for some days (0 resumes them now)."""
    if not 0 <= days <= BREAK_MAX_DAYS:
        raise ValidationError(f"A pause lasts from 1 to {BREAK_MAX_DAYS} days.")
    user.notifications_paused_until = timezone.now() + timedelta(days=days) if days else None
    user.save(update_fields=["notifications_paused_until"])
    return user


@transaction.atomic
def reader_filter_remove(*, user: User, filter_id: int) -> None:
    """Remove one of the member's own filters (a word, a topic or a break)."""
    ReaderFilter.objects.filter(user=user, pk=filter_id).delete()


REVEAL_REASON_MIN_LENGTH = 20


@transaction.atomic
def alias_reveal(*, actor: User, alias: Alias, reason: str) -> User | None:
    """Tell a staff member which account is behind an alias, for a written reason.

    The reveal is audited (and listed for all staff); nothing else links the two.
    """
    from forum.admin_services import staff_check

    staff_check(user=actor)
    reason = " ".join(reason.split())
    if len(reason) < REVEAL_REASON_MIN_LENGTH:
        raise ValidationError(
            f"Please write why you need to know (at least {REVEAL_REASON_MIN_LENGTH} characters)."
        )
    audit_record(
        actor=actor,
        kind=ModerationAction.Kind.REVEAL,
        community=alias.community,
        subject=alias,
        target=f"alias:{alias.pk}",
        reason=reason,
    )
    return alias.user


class DeletionMode(StrEnum):
    REMOVE = "remove"
    KEEP = "keep"


DELETED_ALIAS_NAME = "[deleted]"
REMOVED_TITLE = "[removed by its author]"


def _deleted_alias(community_id: int) -> Alias:
    """The one alias per community that deleted members' kept content goes under.

    Its name can't be chosen by anyone (aliases are letters, digits and underscores).
    """
    alias = Alias.objects.filter(community_id=community_id, name=DELETED_ALIAS_NAME).first()
    if alias is None:
        alias = Alias.objects.create(
            community_id=community_id, name=DELETED_ALIAS_NAME, retired=timezone.now()
        )
    return alias


def _removed_messages_announce(room_message_ids: list[tuple[int, int]]) -> None:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from chat import events

    layer = get_channel_layer()
    if layer is None:
        return
    for room_id, message_id in room_message_ids:
        async_to_sync(layer.group_send)(
            events.room_group(room_id), events.removed_event(message_id)
        )


def _sessions_end(user_id: int) -> int:
    """Delete every stored session of the account (database sessions)."""
    from django.contrib.sessions.models import Session

    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def account_delete(*, user: User, mode: str) -> None:
    """Delete an account at once. Content is removed, or kept under "[deleted]".

    Aliases stay (with no account) so that nobody, not even a new sign-up, can take the
    names; audit rows keep their alias and lose the account (their foreign keys are
    SET_NULL). Sessions end and chat sockets close after commit.
    """
    from chat.models import Message
    from chat.services import member_sockets_close
    from forum.models import ContentState, Post, PostRevision, Reaction, Topic

    if mode not in DeletionMode.__members__.values():
        raise ValidationError("Please choose what happens to what you wrote.")
    user = User.objects.select_for_update().get(pk=user.pk)
    aliases = list(Alias.objects.filter(user=user))
    alias_ids = [alias.pk for alias in aliases]
    now = timezone.now()
    Reaction.objects.filter(alias_id__in=alias_ids).delete()
    removed: list[tuple[int, int]] = []
    if mode == DeletionMode.REMOVE:
        posts = Post.objects.filter(author_id__in=alias_ids)
        PostRevision.objects.filter(post__in=posts).delete()
        posts.update(source="", html="", state=ContentState.REMOVED, removed_by_author=True)
        Topic.objects.filter(author_id__in=alias_ids).update(title=REMOVED_TITLE)
        Topic.objects.filter(author_id__in=alias_ids, reply_count=0).update(
            state=ContentState.REMOVED
        )
        messages = Message.objects.filter(alias_id__in=alias_ids)
        removed = list(messages.filter(state=Message.State.VISIBLE).values_list("room_id", "pk"))
        messages.update(body="", body_html="", state=Message.State.REMOVED)
    for community_id in {alias.community_id for alias in aliases}:
        own = [alias.pk for alias in aliases if alias.community_id == community_id]
        placeholder = _deleted_alias(community_id)
        Topic.objects.filter(author_id__in=own).update(author=placeholder)
        Post.objects.filter(author_id__in=own).update(author=placeholder)
        # Client ids only de-duplicate re-sends; two members' ids must not meet here.
        Message.objects.filter(alias_id__in=own).update(alias=placeholder, client_id="")
    Alias.objects.filter(pk__in=alias_ids, retired__isnull=True).update(retired=now)
    Alias.objects.filter(pk__in=alias_ids).update(user=None)
    member_sockets_close(user_id=user.pk)
    if removed:
        transaction.on_commit(lambda: _removed_messages_announce(removed))
    _sessions_end(user.pk)
    user.delete()


SITE_SETTING_FIELDS = (
    "registration",
    "require_moderator_mfa",
    "chat_burst",
    "chat_seconds_per_message",
    "posts_per_hour",
    "flags_per_hour",
)


@transaction.atomic
def site_settings_update(*, actor: User, changes: dict[str, object]) -> SiteSettings:
    """Superusers change the site settings; changes are audited with before and after."""
    from forum.admin_services import staff_check

    staff_check(user=actor, superuser=True)
    unknown = set(changes) - set(SITE_SETTING_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown settings: {', '.join(sorted(unknown))}.")
    row = site_settings()
    row = SiteSettings.objects.select_for_update().get(pk=row.pk)
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    for field, value in changes.items():
        if getattr(row, field) != value:
            before[field], after[field] = getattr(row, field), value
            setattr(row, field, value)
    if after:
        row.full_clean()
        row.save(update_fields=list(after))
        audit_record(
            actor=actor,
            kind=ModerationAction.Kind.SETTING,
            target="site",
            before=before,
            after=after,
        )
    return row
