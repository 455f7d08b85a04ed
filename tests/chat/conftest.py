"""Chat test helpers: real sessions, real channel layer, the real ASGI application."""

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from accounts.models import User
from chat import presence
from chat.models import Room
from config.asgi import application
from forum.models import Community, Membership
from tests.conftest import make_community, make_member, make_user

ORIGIN = (b"origin", b"http://127.0.0.1")
QUIET_TYPES = {"presence", "typing", "message"}


def forget_chat_state() -> None:
    # Only chat's keys: on a shared Redis, cache.clear() would flush everyone's database.
    client = presence._redis_client()
    if client is None:
        cache.clear()
    else:
        for key in client.scan_iter("*:chat:*"):  # type: ignore[attr-defined]
            client.delete(key)  # type: ignore[attr-defined]
    presence._local.clear()


@pytest.fixture(autouse=True)
def fresh_limits() -> Iterator[None]:
    """Rate-limit buckets and presence live in the cache; ids are reused between tests."""
    forget_chat_state()
    yield
    forget_chat_state()


@dataclass
class ChatSite:
    community: Community
    room: Room
    alice: User
    bob: User
    mod: User

    @property
    def path(self) -> str:
        return f"/ws/chat/{self.community.slug}/{self.room.slug}/"

    def alias(self, user: User) -> str:
        return Membership.objects.get(user=user, community=self.community).alias.name


def build_site(**community_fields: Any) -> ChatSite:
    community = make_community(**community_fields)
    room = Room.objects.create(community=community, name="Lounge", slug="lounge")
    alice = make_user()
    bob = make_user()
    mod = make_user()
    make_member(alice, community)
    make_member(bob, community)
    make_member(mod, community, role=Membership.Role.MODERATOR)
    return ChatSite(community=community, room=room, alice=alice, bob=bob, mod=mod)


@pytest.fixture
async def site() -> ChatSite:
    return await database_sync_to_async(build_site)()


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def open_socket(
    path: str, user: User | None = None, *, after: int | None = None
) -> WebsocketCommunicator:
    """Connect like a browser of `user` would (origin and session cookie)."""
    headers = [ORIGIN]
    if user is not None:
        cookie = await database_sync_to_async(session_cookie)(user)
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    if after is not None:
        path = f"{path}?after={after}"
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    return communicator


async def joined(path: str, user: User, *, after: int | None = None) -> WebsocketCommunicator:
    """An open socket whose catch-up and first presence frame have been read."""
    communicator = await open_socket(path, user, after=after)
    await next_frame(communicator, "presence")
    return communicator


async def next_frame(
    communicator: WebsocketCommunicator, *types: str, timeout: float = 3
) -> dict[str, Any]:
    """The next frame of one of `types`, skipping presence, typing and message frames unless asked for."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise AssertionError(f"no {types} frame within {timeout}s")
        frame = json.loads(await communicator.receive_from(timeout=remaining))
        if not types or frame["type"] in types:
            return frame
        if frame["type"] not in QUIET_TYPES:
            raise AssertionError(f"expected {types}, got {frame}")


async def frames_until_quiet(
    communicator: WebsocketCommunicator, quiet: float = 0.3
) -> list[dict[str, Any]]:
    """Every frame that arrives until nothing comes for `quiet` seconds."""
    frames = []
    while not await communicator.receive_nothing(timeout=quiet):
        frames.append(json.loads(await communicator.receive_from()))
    return frames


async def send(communicator: WebsocketCommunicator, **frame: Any) -> None:
    await communicator.send_to(text_data=json.dumps(frame))


async def close_code(communicator: WebsocketCommunicator, timeout: float = 3) -> int:
    """The code the server closed with (skipping frames sent before the close)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        output = await communicator.receive_output(timeout=max(0.01, deadline - loop.time()))
        if output["type"] == "websocket.close":
            return int(output["code"])
