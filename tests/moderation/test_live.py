"""The moderators' live feed and open topic pages, over real WebSockets."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from forum import services as forum_services
from forum.models import Membership
from moderation import services
from tests.conftest import make_community, make_member, make_user

ORIGIN = [(b"origin", b"http://127.0.0.1")]


def session_headers(user) -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    return [*ORIGIN, (b"cookie", cookie)]


@sync_to_async
def setup_world():
    community, other = make_community("live"), make_community("elsewhere")
    author, reporter = make_user(), make_user()
    moderator, other_moderator, peer = make_user(), make_user(), make_user()
    make_member(author, community)
    make_member(reporter, community)
    make_member(peer, community)
    make_member(moderator, community, role=Membership.Role.MODERATOR)
    make_member(other_moderator, other, role=Membership.Role.MODERATOR)
    topic = forum_services.topic_create(user=author, community=community, title="t", body="b")
    return {
        "author": author,
        "reporter": reporter,
        "moderator": moderator,
        "peer": peer,
        "other_moderator": other_moderator,
        "topic": topic,
        "post": topic.posts.get(),
        "author_alias": author.memberships.get().alias.name,
        "moderator_headers": session_headers(moderator),
        "other_headers": session_headers(other_moderator),
        "peer_headers": session_headers(peer),
    }


async def connect(path: str, headers):
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


@pytest.mark.django_db(transaction=True)
async def test_moderator_gets_counts_then_new_items_and_counts_again() -> None:
    world = await setup_world()
    feed = await connect("/ws/mod/", world["moderator_headers"])
    first = await feed.receive_json_from(timeout=2)
    assert first == {"type": "counts", "communities": {"live": {"open": 0, "urgent": 0}}}
    other_feed = await connect("/ws/mod/", world["other_headers"])
    await other_feed.receive_json_from(timeout=2)

    await sync_to_async(services.flag_submit)(
        reporter=world["reporter"], post=world["post"], reason="safety"
    )
    frame = await feed.receive_json_from(timeout=1)
    assert frame["type"] == "queue_item"
    assert frame["community"] == "live" and frame["priority"] == "safety"
    assert frame["alias"] == world["author_alias"]
    assert frame["url"].startswith("/mod/item/")
    assert world["author"].username not in str(frame)
    counts = await feed.receive_json_from(timeout=1)
    assert counts["communities"]["live"] == {"open": 1, "urgent": 0}
    # A moderator of another community hears nothing of this one.
    assert await other_feed.receive_nothing(timeout=0.3)
    await feed.disconnect()
    await other_feed.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_members_and_visitors_are_refused_with_4403() -> None:
    world = await setup_world()
    for headers in (world["peer_headers"], ORIGIN):
        communicator = WebsocketCommunicator(application, "/ws/mod/", headers=headers)
        connected, _ = await communicator.connect()
        assert connected
        closed = await communicator.receive_output(timeout=2)
        assert closed == {"type": "websocket.close", "code": 4403}


@pytest.mark.django_db(transaction=True)
async def test_an_open_topic_page_hears_that_a_post_was_removed() -> None:
    world = await setup_world()
    page = await connect(f"/ws/topic/live/{world['topic'].pk}/", world["peer_headers"])
    item = await sync_to_async(
        lambda: (
            services.flag_submit(reporter=world["reporter"], post=world["post"], reason="spam").post
        )
    )()
    from moderation.models import QueueItem

    queue_item = await sync_to_async(QueueItem.objects.get)()
    await sync_to_async(services.queue_item_decide)(
        actor=world["moderator"], item=queue_item, decision="remove", reason="spam"
    )
    frame = await asyncio.wait_for(page.receive_json_from(), timeout=1)
    assert frame == {"type": "post_state", "number": 1, "state": "removed"}
    assert item is not None
    await page.disconnect()
