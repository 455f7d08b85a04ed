"""Crisis language in chat: a `support` frame to the writer alone, a live alert to the
community's moderators, and nothing about the writer's account anywhere."""

import json
import time

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from accounts.models import SiteSettings
from config.asgi import application
from forum.models import Community
from moderation.models import QueueItem
from tests.chat.conftest import ChatSite, frames_until_quiet, joined, next_frame, send
from tests.conftest import helplines_present

pytestmark = pytest.mark.django_db(transaction=True)


async def mod_feed(site: ChatSite) -> WebsocketCommunicator:
    def headers() -> list[tuple[bytes, bytes]]:
        SiteSettings.objects.update_or_create(pk=1, defaults={"require_moderator_mfa": False})
        client = Client()
        client.force_login(site.mod)
        return [
            (b"origin", b"http://127.0.0.1"),
            (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
        ]

    communicator = WebsocketCommunicator(
        application, "/ws/mod/", headers=await database_sync_to_async(headers)()
    )
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=2))["type"] == "counts"
    return communicator


async def test_writer_gets_a_support_frame_and_moderators_an_alert_within_a_second(
    site: ChatSite,
) -> None:
    await database_sync_to_async(helplines_present)()
    await database_sync_to_async(
        lambda: Community.objects.filter(pk=site.community.pk).update(helpline_region="US")
    )()
    writer = await joined(site.path, site.alice)
    peer = await joined(site.path, site.bob)
    feed = await mod_feed(site)
    sent_at = time.monotonic()
    await send(writer, type="send", client_id="c1", body="I want to kill myself tonight")
    ack = await next_frame(writer, "ack")
    support = await next_frame(writer, "support")
    assert ack["client_id"] == "c1"
    assert support["severity"] in {"high", "imminent"}
    names = [resource["name"] for resource in support["resources"]]
    assert any("988" in json.dumps(resource) for resource in support["resources"]), names
    alert = await feed.receive_json_from(timeout=1)
    assert time.monotonic() - sent_at < 1.5
    assert alert["type"] == "queue_item" and alert["priority"] in {"high", "imminent"}
    assert alert["alias"] == await database_sync_to_async(site.alias)(site.alice)
    # The peer sees the message, never the support frame, and nothing names the account.
    peer_frames = await frames_until_quiet(peer)
    assert [frame["type"] for frame in peer_frames if frame["type"] != "presence"] == ["message"]
    username = site.alice.username
    assert username not in json.dumps(peer_frames) and username not in json.dumps(alert)
    item = await database_sync_to_async(QueueItem.objects.get)()
    assert item.source == "crisis" and item.message_id == ack["id"]
    for communicator in (writer, peer, feed):
        await communicator.disconnect()


async def test_support_frame_is_not_repeated_for_the_same_severity(site: ChatSite) -> None:
    writer = await joined(site.path, site.alice)
    await send(writer, type="send", client_id="a", body="I want to die")
    await next_frame(writer, "ack")
    assert (await next_frame(writer, "support"))["severity"] == "concern"
    await send(writer, type="send", client_id="b", body="I really want to die")
    await next_frame(writer, "ack")
    later = [frame["type"] for frame in await frames_until_quiet(writer)]
    assert "support" not in later
    await writer.disconnect()


async def test_idioms_in_chat_stay_quiet(site: ChatSite) -> None:
    writer = await joined(site.path, site.alice)
    await send(writer, type="send", client_id="i", body="this traffic is killing me lol")
    await next_frame(writer, "ack")
    assert "support" not in [frame["type"] for frame in await frames_until_quiet(writer)]
    assert not await database_sync_to_async(QueueItem.objects.exists)()
    await writer.disconnect()
