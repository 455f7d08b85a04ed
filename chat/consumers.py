"""The chat WebSocket: translates frames to chat services and layer events to frames.

It never touches the ORM itself; every read and write is a service run through
`database_sync_to_async`. The protocol is written out in chat/PROTOCOL.md.
"""

import asyncio
import json
import logging
from collections import deque
from typing import Any
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from chat import events, presence, services

logger = logging.getLogger(__name__)
MAX_FRAME_BYTES = 16 * 1024
TYPING_INTERVAL_SECONDS = 2.0
PRESENCE_WINDOW_SECONDS = 1
# Enough to drop the live copy of anything sent in a catch-up or echoed to its writer.
REMEMBERED_IDS = 1000
# At most this many queued sends of one socket are stored in one transaction.
SEND_BATCH = 20

_background: set[asyncio.Task[None]] = set()


def _spawn(coroutine: Any) -> None:
    task = asyncio.get_running_loop().create_task(coroutine)
    _background.add(task)
    task.add_done_callback(_background.discard)


async def _presence_broadcast_soon(layer: Any, room_id: int) -> None:
    """One presence frame per window per room, whoever joined or left during it."""
    claimed = await sync_to_async(presence.presence_claim_broadcast, thread_sensitive=False)(
        room_id, PRESENCE_WINDOW_SECONDS
    )
    if not claimed:
        return
    await asyncio.sleep(PRESENCE_WINDOW_SECONDS + 0.1)
    aliases = await sync_to_async(presence.presence_update, thread_sensitive=False)(room_id=room_id)
    await layer.group_send(
        events.room_group(room_id), events.presence_event(online=len(aliases), aliases=aliases)
    )


def _after_id(query_string: bytes) -> int | None:
    values = parse_qs(query_string.decode("latin-1")).get("after", [])
    if values and values[0].isdigit():
        return int(values[0])
    return None


class ChatConsumer(AsyncWebsocketConsumer):
    session: services.RoomSession | None = None
    drainer: "asyncio.Task[None] | None" = None

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' dispatch first hops to the one thread-sensitive sync thread to close
        # stale database connections, for every event: thousands of deliveries a second
        # then queue behind (and delay) the database work of sends on that same thread.
        # This consumer never touches the ORM itself; each service call goes through
        # database_sync_to_async, which closes stale connections around it.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        user = self.scope.get("user")
        route = self.scope["url_route"]["kwargs"]
        try:
            self.session = await database_sync_to_async(services.room_connect)(
                user=user, community_slug=route["community"], room_slug=route["room"]
            )
        except services.RoomRefusedError as refusal:
            # Accept first so that the browser can read the close code.
            await self.accept()
            await self.close(code=refusal.close_code)
            return
        self.user = user
        self.delivered_order: deque[int] = deque()
        self.delivered: set[int] = set()
        self.last_typing = 0.0
        self.outbox: deque[dict[str, Any]] = deque()
        room_id = self.session.room_id
        # Join the groups before reading the catch-up: a message committed in between is
        # then both read and heard, and the duplicate is dropped by id.
        await self.channel_layer.group_add(events.member_group(user.pk), self.channel_name)
        await self.channel_layer.group_add(events.room_group(room_id), self.channel_name)
        await self.accept()
        backlog = await database_sync_to_async(services.room_catch_up)(
            room_id=room_id, after_id=_after_id(self.scope.get("query_string", b""))
        )
        for frame in backlog:
            await self._deliver(frame)
        aliases = await self._presence(online=True)
        await self._send_frame(
            events.presence_frame(
                online=len(aliases),
                aliases=aliases,
                show_aliases=self.session.show_online_aliases,
            )
        )
        self.heartbeat = asyncio.get_running_loop().create_task(self._heartbeat())

    async def disconnect(self, code: int) -> None:
        if self.session is None:
            return
        self.heartbeat.cancel()
        await self.channel_layer.group_discard(
            events.room_group(self.session.room_id), self.channel_name
        )
        await self.channel_layer.group_discard(events.member_group(self.user.pk), self.channel_name)
        await self._presence(online=False)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.session is None:
            return
        if text_data is None:
            await self._error("bad_frame", "Frames must be JSON text.")
            return
        if len(text_data) > MAX_FRAME_BYTES or len(text_data.encode()) > MAX_FRAME_BYTES:
            await self._error("too_large", "Frames can be at most 16 KiB.")
            return
        try:
            data = json.loads(text_data)
        except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
            data = None
        if not isinstance(data, dict):
            await self._error("bad_json", "Frames must be JSON objects.")
            return
        kind = data.get("type")
        if kind == "send":
            await self._send_message(data)
        elif kind == "typing":
            await self._typing()
        elif kind == "history":
            await self._history(data)
        else:
            await self._error("unknown_type", "Unknown frame type.")

    async def _send_message(self, data: dict[str, Any]) -> None:
        # Queue the frame and return, so that frames arriving while earlier ones are being
        # stored are stored together in one transaction (in order) instead of one by one.
        self.outbox.append(data)
        if self.drainer is None or self.drainer.done():
            self.drainer = asyncio.get_running_loop().create_task(self._drain_outbox())

    async def _drain_outbox(self) -> None:
        assert self.session is not None  # noqa: S101 - only called once connected
        while self.outbox:
            batch = [self.outbox.popleft() for _ in range(min(len(self.outbox), SEND_BATCH))]
            try:
                results = await database_sync_to_async(services.messages_send)(
                    actor=self.user,
                    room_id=self.session.room_id,
                    items=[(data.get("body"), data.get("client_id")) for data in batch],
                )
            except Exception:
                # Nothing was stored (the transaction rolled back): the client keeps the
                # messages as unsent and sends them again. Never log the bodies.
                logger.exception("chat: storing %d message(s) failed", len(batch))
                for data in batch:
                    client_id = data.get("client_id")
                    await self._send_frame(
                        events.error_frame(
                            code="unavailable",
                            message="Your message could not be saved just now; it will be "
                            "sent again.",
                            client_id=client_id if isinstance(client_id, str) else None,
                        )
                    )
                continue
            for data, result in zip(batch, results, strict=True):
                if isinstance(result, services.ChatError):
                    client_id = data.get("client_id")
                    await self._send_frame(
                        result.frame(client_id if isinstance(client_id, str) else None)
                    )
                    continue
                # The writer sees its message at once; the copy from the group is dropped.
                if result.frame is not None:
                    await self._deliver(result.frame)
                for frame in result.writer_frames():
                    await self._send_frame(frame)

    async def _typing(self) -> None:
        assert self.session is not None  # noqa: S101
        now = asyncio.get_running_loop().time()
        if now - self.last_typing < TYPING_INTERVAL_SECONDS:
            return
        self.last_typing = now
        await self.channel_layer.group_send(
            events.room_group(self.session.room_id),
            events.typing_event(alias=self.session.alias, sender=self.channel_name),
        )

    async def _history(self, data: dict[str, Any]) -> None:
        assert self.session is not None  # noqa: S101
        try:
            frame = await database_sync_to_async(services.room_history)(
                room_id=self.session.room_id, before_id=data.get("before"), limit=data.get("limit")
            )
        except services.ChatError as error:
            await self._send_frame(error.frame())
            return
        await self._send_frame(frame)

    # Events from the channel layer.

    async def chat_message(self, event: dict[str, Any]) -> None:
        await self._deliver_text(event["id"], event["text"])

    async def chat_removed(self, event: dict[str, Any]) -> None:
        await self._send_frame(event["frame"])

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if event["sender"] != self.channel_name:
            await self._send_frame(event["frame"])

    async def chat_presence(self, event: dict[str, Any]) -> None:
        if self.session is not None:
            await self._send_frame(
                events.presence_frame(
                    online=event["online"],
                    aliases=event["aliases"],
                    show_aliases=self.session.show_online_aliases,
                )
            )

    async def chat_member_close(self, event: dict[str, Any]) -> None:
        community_id = event["community_id"]
        if self.session is not None and community_id in {None, self.session.community_id}:
            await self.close(code=event["code"])

    # Helpers.

    async def _deliver(self, frame: events.Frame) -> None:
        await self._deliver_text(frame["id"], events.frame_text(frame))

    async def _deliver_text(self, message_id: int, text: str) -> None:
        """Send a message frame unless this socket already had it."""
        if message_id in self.delivered:
            return
        self.delivered.add(message_id)
        self.delivered_order.append(message_id)
        if len(self.delivered_order) > REMEMBERED_IDS:
            self.delivered.discard(self.delivered_order.popleft())
        await self.send(text_data=text)

    async def _send_frame(self, frame: events.Frame) -> None:
        await self.send(text_data=events.frame_text(frame))

    async def _error(self, code: str, message: str) -> None:
        await self._send_frame(events.error_frame(code=code, message=message))

    async def _presence(self, *, online: bool) -> list[str]:
        assert self.session is not None  # noqa: S101
        aliases = await sync_to_async(presence.presence_update, thread_sensitive=False)(
            room_id=self.session.room_id,
            channel_name=self.channel_name,
            alias=self.session.alias,
            online=online,
        )
        _spawn(_presence_broadcast_soon(self.channel_layer, self.session.room_id))
        return aliases

    async def _heartbeat(self) -> None:
        assert self.session is not None  # noqa: S101
        while True:
            await asyncio.sleep(presence.PRESENCE_REFRESH_SECONDS)
            await sync_to_async(presence.presence_update, thread_sensitive=False)(
                room_id=self.session.room_id,
                channel_name=self.channel_name,
                alias=self.session.alias,
            )
