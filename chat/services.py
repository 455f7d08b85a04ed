"""Every chat write and rule: sending, removing, rooms, and closing a member's sockets.

Messages are committed before anyone hears of them: group sends run in
`transaction.on_commit`, and a client that missed one catches up from the database.
"""

import asyncio
import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import User
from chat import events, selectors
from chat.models import MESSAGE_MAX_LENGTH, Message, Room
from chat.ratelimit import Bucket, bucket_take, slow_mode_wait
from forum.markup import render
from forum.models import Community, Membership
from moderation.ratelimit import private_key
from moderation.screening import (
    room_scope,
    screening_record,
    support_card_due,
    text_screen,
)
from moderation.support import support_frame

logger = logging.getLogger(__name__)

CLIENT_ID_MAX_LENGTH = 64
CLOSE_NOT_SIGNED_IN = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404


class ChatError(Exception):
    """A refusal the writer is told about in an `error` frame; the socket stays open."""

    def __init__(self, code: str, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after

    def frame(self, client_id: str | None = None) -> events.Frame:
        extra = {} if self.retry_after is None else {"retry_after": round(self.retry_after, 1)}
        return events.error_frame(
            code=self.code, message=self.message, client_id=client_id, **extra
        )


class RoomRefusedError(Exception):
    """Opening a room's socket is refused; the consumer closes with `close_code`."""

    def __init__(self, close_code: int) -> None:
        super().__init__(close_code)
        self.close_code = close_code


@dataclass(frozen=True)
class RoomSession:
    """What a consumer keeps about the room and member it serves (no user id sent on)."""

    room_id: int
    community_id: int
    alias: str
    show_online_aliases: bool


@dataclass(frozen=True)
class SendResult:
    """A stored message (new or found again by client_id) and what its writer is told.

    `frame` is None when a re-sent message has since been removed by a moderator.
    """

    message_id: int
    client_id: str | None
    created: bool
    frame: events.Frame | None
    extra_frames: list[events.Frame] = field(default_factory=list)

    def writer_frames(self) -> list[events.Frame]:
        """Frames for the writer's own socket, after the message is stored."""
        return [
            events.ack_frame(client_id=self.client_id, message_id=self.message_id),
            *self.extra_frames,
        ]


def _broadcast(group: str, event: events.Event) -> None:
    """Send an event to a group; a failure is logged (without the event) and not raised.

    The message is already stored, so anyone who misses the event gets it through `after`.
    Called from a consumer's database thread, the send is handed to the event loop rather
    than awaited there, so the next message's transaction need not wait for Redis.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is not None and loop.is_running():
        loop.call_soon_threadsafe(_group_send_task, layer, group, event)
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:
        logger.exception("chat: group send of %s to %s failed", event.get("type"), group)


def _group_send_task(layer: Any, group: str, event: events.Event) -> None:
    task = asyncio.get_running_loop().create_task(layer.group_send(group, event))
    _sending.add(task)
    task.add_done_callback(_group_send_done)


def _group_send_done(task: "asyncio.Task[None]") -> None:
    _sending.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.error("chat: group send failed: %r", type(task.exception()).__name__)


_sending: set["asyncio.Task[None]"] = set()


def _broadcast_after_commit(group: str, event: events.Event) -> None:
    transaction.on_commit(lambda: _broadcast(group, event))


def _rate_limit_take(*, user_id: int, room: Room, is_moderator: bool) -> None:
    """Refuse a message over the member's burst, or too soon in a slow-mode room."""
    now = time.time()
    slow_key = f"chat:slow:{private_key('slow', user_id, room.pk)}"
    if room.slow_mode_seconds and not is_moderator:
        wait = slow_mode_wait(
            cache.get(slow_key), now=now, slow_mode_seconds=room.slow_mode_seconds
        )
        if wait > 0:
            raise ChatError(
                "slow_mode",
                f"This room is in slow mode: one message every {room.slow_mode_seconds} seconds.",
                retry_after=wait,
            )
    burst = int(getattr(settings, "KINDRED_CHAT_RATE_BURST", 5))
    refill = float(getattr(settings, "KINDRED_CHAT_RATE_REFILL_SECONDS", 2.0))
    bucket_key = f"chat:rate:{private_key('rate', user_id)}"
    stored = cache.get(bucket_key)
    decision = bucket_take(
        Bucket(*stored) if stored else None, now=now, burst=burst, refill_seconds=refill
    )
    cache.set(bucket_key, (decision.bucket.tokens, decision.bucket.updated), timeout=3600)
    if not decision.allowed:
        raise ChatError(
            "rate_limited",
            "You are sending messages very fast; please wait a moment.",
            retry_after=decision.retry_after,
        )
    if room.slow_mode_seconds and not is_moderator:
        cache.set(slow_key, now, timeout=room.slow_mode_seconds + 1)


def _is_storable_text(text: str) -> bool:
    # JSON may carry lone surrogates ("\\ud800"), which no database can store as UTF-8.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _client_id_clean(client_id: object) -> str:
    if client_id is None or client_id == "":
        return ""
    if (
        not isinstance(client_id, str)
        or len(client_id) > CLIENT_ID_MAX_LENGTH
        or not _is_storable_text(client_id)
    ):
        raise ChatError("invalid", "client_id must be a string of at most 64 characters.")
    return client_id


def _body_clean(body: object) -> str:
    if not isinstance(body, str):
        raise ChatError("invalid", "body must be a string.")
    if not _is_storable_text(body):
        raise ChatError("invalid", "body must be valid Unicode text.")
    text = body.strip()
    if not text:
        raise ChatError("empty", "A message can't be empty.")
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ChatError("too_long", f"A message can be at most {MESSAGE_MAX_LENGTH} characters.")
    return text


def _result(message: Message, *, client_id: str, created: bool) -> SendResult:
    visible = message.state == Message.State.VISIBLE
    return SendResult(
        message_id=message.pk,
        client_id=client_id or None,
        created=created,
        frame=events.message_frame(message) if visible else None,
    )


def message_send(*, actor: User, room_id: int, body: object, client_id: object) -> SendResult:
    """Store a member's message, then broadcast it; a re-send with the same client_id
    returns the stored message again and stores nothing. Refusals raise ChatError.
    """
    (result,) = messages_send(actor=actor, room_id=room_id, items=[(body, client_id)])
    if isinstance(result, ChatError):
        raise result
    return result


def _membership_refusal(membership: Membership | None, room: Room) -> ChatError | None:
    if membership is None or not membership.is_active:
        return ChatError("forbidden", "Only members of this community can write here.")
    if room.archived:
        return ChatError("archived", "This room is archived; it can be read but not written in.")
    if membership.is_muted():
        return ChatError("muted", "A moderator has muted you for now; you can still read.")
    if membership.welcome_pending:
        return ChatError(
            "welcome",
            "Please read this community's welcome and rules and confirm them first, at "
            f"/c/{membership.community.slug}/welcome/.",
        )
    return None


def messages_send(
    *, actor: User, room_id: int, items: list[tuple[object, object]]
) -> list[SendResult | ChatError]:
    """Store several messages of one member in one transaction, in order.

    A socket that sends faster than one round of database work per message has its queued
    messages stored together: one room lock, one membership read and one commit for all of
    them. Each item still gets its own checks, rate limit, crisis screening and answer.
    """
    cleaned: list[tuple[str, str] | ChatError] = []
    for body, client_id in items:
        try:
            cleaned.append((_client_id_clean(client_id), _body_clean(body)))
        except ChatError as error:
            cleaned.append(error)
    with transaction.atomic():
        # Locking the room row makes ids and commits follow the same order within a room,
        # so a catch-up `after` the last id seen never skips a later-committed earlier id.
        room = Room.objects.select_for_update().filter(pk=room_id).first()
        if room is None:
            return [ChatError("not_found", "This room no longer exists.") for _ in items]
        membership = (
            Membership.objects.select_related("alias", "community")
            .filter(user=actor, community_id=room.community_id)
            .first()
        )
        client_keys = [item[0] for item in cleaned if not isinstance(item, ChatError) and item[0]]
        stored: dict[str, Message] = {}
        if membership is not None and client_keys:
            stored = {
                message.client_id: message
                for message in Message.objects.select_related("alias").filter(
                    alias=membership.alias, client_id__in=client_keys
                )
            }
        refusal = _membership_refusal(membership, room)
        results: list[SendResult | ChatError] = []
        sent_now: dict[str, SendResult] = {}
        for item in cleaned:
            if isinstance(item, ChatError):
                results.append(item)
                continue
            client_key, text = item
            if client_key in sent_now:
                results.append(replace(sent_now[client_key], created=False, extra_frames=[]))
                continue
            if client_key in stored:
                # A re-send after a reconnect: answer again, store nothing.
                results.append(_result(stored[client_key], client_id=client_key, created=False))
                continue
            if refusal is not None:
                results.append(refusal)
                continue
            assert membership is not None  # noqa: S101 - no refusal means a membership
            try:
                results.append(
                    _message_store(
                        actor=actor,
                        room=room,
                        membership=membership,
                        client_key=client_key,
                        text=text,
                    )
                )
            except ChatError as error:
                results.append(error)
            result = results[-1]
            if client_key and isinstance(result, SendResult):
                # The same client_id twice in one batch is answered from the first.
                sent_now[client_key] = result
    return results


def _message_store(
    *, actor: User, room: Room, membership: Membership, client_key: str, text: str
) -> SendResult:
    """Store one message (inside the caller's transaction) and plan its broadcast."""
    _rate_limit_take(user_id=actor.pk, room=room, is_moderator=membership.is_moderator)
    # Crisis language and watched words are read before storing; chat is never held.
    screening = text_screen(
        community=membership.community, membership=membership, text=text, can_hold=False
    )
    # No savepoint around the insert: the room lock and the client_id lookup above already
    # rule out a duplicate in this room, and a savepoint costs two round trips a message.
    # A duplicate sent at the same moment to another room (the same client_id is unique
    # per alias) fails the batch, which the client re-sends and is then answered from
    # the stored copy.
    message = Message.objects.create(
        room=room,
        alias=membership.alias,
        body=text,
        body_html=render(text),
        client_id=client_key,
    )
    frame = events.message_frame(message)
    _broadcast_after_commit(events.room_group(room.pk), events.message_event(frame))
    extra_frames = []
    scope = room_scope(room.pk)
    if screening.assessment.shows_support or screening.watched:
        screening_record(
            screening=screening,
            community=membership.community,
            membership=membership,
            text=text,
            message=message,
            scope=scope,
        )
    severity = screening.assessment.severity
    if screening.assessment.shows_support and support_card_due(
        user_id=actor.pk, scope=scope, severity=severity
    ):
        # To the writer only: the frame rides on the writer's own socket after the ack.
        extra_frames.append(
            support_frame(user=actor, community=membership.community, severity=severity)
        )
    return SendResult(
        message_id=message.pk,
        client_id=client_key or None,
        created=True,
        frame=frame,
        extra_frames=extra_frames,
    )


def _moderates(actor: User, community_id: int) -> bool:
    if actor.is_staff:
        return True
    return Membership.objects.moderating().filter(user=actor, community_id=community_id).exists()


@transaction.atomic
def message_remove(*, actor: User, message: Message) -> Message:
    """A moderator hides a message; every open socket of the room drops it."""
    if not _moderates(actor, message.room.community_id):
        raise PermissionDenied("Only moderators of this community can remove messages.")
    if message.state != Message.State.REMOVED:
        message.state = Message.State.REMOVED
        message.save(update_fields=["state"])
        _broadcast_after_commit(
            events.room_group(message.room_id), events.removed_event(message.pk)
        )
    return message


@transaction.atomic
def room_create(
    *,
    actor: User,
    community: Community,
    name: str,
    slug: str,
    description: str = "",
    slow_mode_seconds: int = 0,
) -> Room:
    """A community moderator opens a new room."""
    if not _moderates(actor, community.pk):
        raise PermissionDenied("Only moderators of this community can create rooms.")
    return Room.objects.create(
        community=community,
        name=name,
        slug=slug,
        description=description,
        slow_mode_seconds=slow_mode_seconds,
    )


@transaction.atomic
def room_archive(*, actor: User, room: Room) -> Room:
    """A community moderator archives a room: it stays readable, nobody can write in it."""
    if not _moderates(actor, room.community_id):
        raise PermissionDenied("Only moderators of this community can archive rooms.")
    room.archived = True
    room.save(update_fields=["archived"])
    return room


def member_sockets_close(*, user_id: int, community_id: int | None = None) -> None:
    """Close a member's chat sockets, after the current transaction commits.

    With a community (ban, leave, removal) only that community's rooms close, with 4403;
    without one (logout) every socket closes with 4401.
    """
    code = CLOSE_NOT_SIGNED_IN if community_id is None else CLOSE_FORBIDDEN
    _broadcast_after_commit(
        events.member_group(user_id),
        events.member_close_event(code=code, community_id=community_id),
    )


def room_connect(*, user: Any, community_slug: str, room_slug: str) -> RoomSession:
    """Check that the socket's user may open this room, or refuse with a close code."""
    if user is None or not user.is_authenticated:
        raise RoomRefusedError(CLOSE_NOT_SIGNED_IN)
    entry = selectors.room_entry_get(user=user, community_slug=community_slug, room_slug=room_slug)
    if entry.verdict == selectors.RoomAccess.NOT_FOUND:
        raise RoomRefusedError(CLOSE_NOT_FOUND)
    private = entry.community is not None and (
        entry.community.visibility == Community.Visibility.PRIVATE
    )
    if private and not entry.allowed:
        # As the room page: a private community's rooms don't exist for outsiders.
        raise RoomRefusedError(CLOSE_NOT_FOUND)
    if not entry.allowed or entry.room is None or entry.membership is None:
        raise RoomRefusedError(CLOSE_FORBIDDEN)
    return RoomSession(
        room_id=entry.room.pk,
        community_id=entry.room.community_id,
        alias=entry.membership.alias.name,
        show_online_aliases=entry.room.community.show_online_aliases,
    )


def room_catch_up(*, room_id: int, after_id: int | None) -> list[events.Frame]:
    """The `message` frames a (re)connecting socket gets before live traffic."""
    return [
        events.message_frame(message)
        for message in selectors.messages_after(room_id=room_id, after_id=after_id)
    ]


def room_history(*, room_id: int, before_id: object, limit: object) -> events.Frame:
    """One page of earlier messages, as a `history` frame."""
    if isinstance(before_id, bool) or not isinstance(before_id, int) or before_id < 1:
        raise ChatError("invalid", "history needs `before`, a message id.")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
        raise ChatError("invalid", "history needs `limit`, from 1 to 100.")
    page, has_more = selectors.messages_before(room_id=room_id, before_id=before_id, limit=limit)
    return events.history_frame(
        messages=[events.message_frame(message) for message in page], has_more=has_more
    )
