"""/ws/mod/: the moderators' live feed of new queue items, crisis alerts and counts."""

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from moderation.selectors import feed_groups, queue_counts_frame

CLOSE_FORBIDDEN = 4403


class ModFeedConsumer(AsyncJsonWebsocketConsumer):
    """Moderators of a community and staff; everyone else is refused with 4403."""

    groups_joined: list[str]
    community_ids: list[int]

    async def connect(self) -> None:
        self.groups_joined = []
        user = self.scope.get("user")
        groups, community_ids = await database_sync_to_async(feed_groups)(user)
        await self.accept()
        if not groups:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.community_ids = community_ids
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = groups
        await self._send_counts()

    async def disconnect(self, code: int) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The feed is one-way; decisions go through the queue pages.
        return None

    async def _send_counts(self) -> None:
        frame = await database_sync_to_async(queue_counts_frame)(self.community_ids)
        await self.send_json(frame)

    async def mod_queue_item(self, event: dict[str, Any]) -> None:
        frame = event["frame"]
        # Staff hear every community; others only their own (groups already ensure it).
        await self.send_json(frame)

    async def mod_counts_changed(self, event: dict[str, Any]) -> None:
        await self._send_counts()
