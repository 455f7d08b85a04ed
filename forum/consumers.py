"""Live updates for an open topic page: posts hidden or removed by moderators disappear."""

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from forum.events import topic_group
from forum.selectors import topic_live_allowed


class TopicConsumer(AsyncJsonWebsocketConsumer):
    """Read-only: the page listens; it never sends anything that is acted on."""

    group: str | None = None

    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        allowed = await database_sync_to_async(topic_live_allowed)(
            user=self.scope.get("user"),
            community_slug=kwargs["community"],
            topic_id=int(kwargs["topic_id"]),
        )
        await self.accept()
        if not allowed:
            await self.close(code=4403)
            return
        self.group = topic_group(int(kwargs["topic_id"]))
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        return None

    async def forum_post_state(self, event: dict[str, Any]) -> None:
        await self.send_json(event["frame"])
