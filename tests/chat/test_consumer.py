"""Every rule of the chat protocol (chat/PROTOCOL.md), through the real ASGI application."""

import asyncio
import json
import uuid
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.db import transaction
from django.test import Client
from django.utils import timezone

from chat import services
from chat.models import Message, Room
from forum.models import Membership
from forum.services import community_leave, membership_grant
from tests.chat.conftest import (
    ChatSite,
    build_site,
    close_code,
    frames_until_quiet,
    joined,
    next_frame,
    open_socket,
    send,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGE_KEYS = {"type", "id", "client_id", "alias", "body_html", "created"}


def stored(site: ChatSite, user, body: str, client_id: str = "") -> Message:
    membership = Membership.objects.get(user=user, community=site.community)
    return Message.objects.create(
        room=site.room,
        alias=membership.alias,
        body=body,
        body_html=f"<p>{body}</p>",
        client_id=client_id,
    )


# Refusals: accepted, then closed with a code, nothing sent before.


async def test_anonymous_visitor_is_closed_with_4401() -> None:
    site = await database_sync_to_async(build_site)()
    communicator = await open_socket(site.path)
    output = await communicator.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": 4401}


async def test_non_member_is_closed_with_4403(site: ChatSite) -> None:
    stranger = await database_sync_to_async(make_user)()
    communicator = await open_socket(site.path, stranger)
    output = await communicator.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": 4403}


async def test_banned_member_is_closed_with_4403(site: ChatSite) -> None:
    await database_sync_to_async(Membership.objects.filter(user=site.bob).update)(
        state=Membership.State.BANNED
    )
    communicator = await open_socket(site.path, site.bob)
    assert await communicator.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}


async def test_pending_member_is_closed_with_4403(site: ChatSite) -> None:
    await database_sync_to_async(Membership.objects.filter(user=site.bob).update)(
        state=Membership.State.PENDING
    )
    communicator = await open_socket(site.path, site.bob)
    assert await communicator.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}


async def test_unknown_room_is_closed_with_4404(site: ChatSite) -> None:
    communicator = await open_socket(f"/ws/chat/{site.community.slug}/nowhere/", site.alice)
    assert await communicator.receive_output(timeout=3) == {"type": "websocket.close", "code": 4404}


async def test_room_of_another_community_is_not_found(site: ChatSite) -> None:
    communicator = await open_socket("/ws/chat/no-such-community/lounge/", site.alice)
    assert await communicator.receive_output(timeout=3) == {"type": "websocket.close", "code": 4404}


# Sending, storing, acknowledging.


async def test_message_is_stored_before_the_ack_and_reaches_everyone(site: ChatSite) -> None:
    alice = await joined(site.path, site.alice)
    bob = await joined(site.path, site.bob)
    client_id = str(uuid.uuid4())
    await send(alice, type="send", client_id=client_id, body="Hello **there**")
    own = await next_frame(alice, "message")
    ack = await next_frame(alice, "ack")
    assert ack == {"type": "ack", "client_id": client_id, "id": own["id"]}
    row = await database_sync_to_async(Message.objects.get)(pk=ack["id"])
    assert row.body == "Hello **there**"
    heard = await next_frame(bob, "message")
    assert heard == own
    assert set(heard) == MESSAGE_KEYS
    assert heard["body_html"] == "<p>Hello <strong>there</strong></p>"
    assert heard["alias"] == await database_sync_to_async(site.alias)(site.alice)
    assert heard["client_id"] == client_id
    # The writer hears its own message once, not again from the group.
    assert [f for f in await frames_until_quiet(alice) if f["type"] == "message"] == []
    for communicator in (alice, bob):
        await communicator.disconnect()


async def test_resending_a_client_id_stores_once_and_acks_again(site: ChatSite) -> None:
    alice = await joined(site.path, site.alice)
    client_id = str(uuid.uuid4())
    await send(alice, type="send", client_id=client_id, body="only once")
    await next_frame(alice, "message")
    first = await next_frame(alice, "ack")
    await alice.disconnect()
    # After a reconnect, the same client_id again: the same id, nothing new stored.
    again = await joined(site.path, site.alice, after=first["id"])
    await send(again, type="send", client_id=client_id, body="only once")
    message = await next_frame(again, "message")
    second = await next_frame(again, "ack")
    assert second == first
    assert message["id"] == first["id"]
    count = await database_sync_to_async(Message.objects.filter(client_id=client_id).count)()
    assert count == 1
    await again.disconnect()


async def test_catch_up_sends_every_message_after_the_id_oldest_first(site: ChatSite) -> None:
    rows = [await database_sync_to_async(stored)(site, site.bob, f"message {n}") for n in range(5)]
    alice = await open_socket(site.path, site.alice, after=rows[1].pk)
    frames = [await next_frame(alice, "message") for _ in range(3)]
    assert [f["id"] for f in frames] == [row.pk for row in rows[2:]]
    assert (await next_frame(alice))["type"] == "presence"
    await alice.disconnect()


async def test_catch_up_skips_removed_messages(site: ChatSite) -> None:
    first = await database_sync_to_async(stored)(site, site.bob, "kept")
    gone = await database_sync_to_async(stored)(site, site.bob, "removed")
    await database_sync_to_async(Message.objects.filter(pk=gone.pk).update)(
        state=Message.State.REMOVED
    )
    alice = await open_socket(site.path, site.alice, after=0)
    assert (await next_frame(alice, "message"))["id"] == first.pk
    assert (await next_frame(alice))["type"] == "presence"
    await alice.disconnect()


async def test_history_pages_back_with_has_more(site: ChatSite) -> None:
    rows = [await database_sync_to_async(stored)(site, site.bob, f"m{n}") for n in range(7)]
    alice = await joined(site.path, site.alice, after=rows[-1].pk)
    await send(alice, type="history", before=rows[-1].pk, limit=4)
    page = await next_frame(alice, "history")
    assert [m["id"] for m in page["messages"]] == [row.pk for row in rows[2:6]]
    assert page["has_more"] is True
    await send(alice, type="history", before=rows[2].pk, limit=4)
    page = await next_frame(alice, "history")
    assert [m["id"] for m in page["messages"]] == [rows[0].pk, rows[1].pk]
    assert page["has_more"] is False
    assert set(page["messages"][0]) == MESSAGE_KEYS
    await alice.disconnect()


@pytest.mark.parametrize("limit", [0, 101, "5", None])
async def test_history_with_a_bad_limit_is_an_error(site: ChatSite, limit: object) -> None:
    alice = await joined(site.path, site.alice)
    await send(alice, type="history", before=10, limit=limit)
    error = await next_frame(alice, "error")
    assert error["code"] == "invalid"
    await alice.disconnect()


# Typing, presence, removal.


async def test_typing_reaches_others_but_not_the_writer(site: ChatSite) -> None:
    alice = await joined(site.path, site.alice)
    bob = await joined(site.path, site.bob)
    await send(alice, type="typing")
    frame = await next_frame(bob, "typing")
    assert frame == {
        "type": "typing",
        "alias": await database_sync_to_async(site.alias)(site.alice),
    }
    assert [f for f in await frames_until_quiet(alice) if f["type"] == "typing"] == []
    for communicator in (alice, bob):
        await communicator.disconnect()


async def test_presence_is_a_count_without_aliases(site: ChatSite) -> None:
    bob = await joined(site.path, site.bob)
    alice = await open_socket(site.path, site.alice)
    assert await next_frame(alice, "presence") == {"type": "presence", "online": 2}
    assert await next_frame(bob, "presence") == {"type": "presence", "online": 2}
    await alice.disconnect()
    assert await next_frame(bob, "presence") == {"type": "presence", "online": 1}
    await bob.disconnect()


async def test_presence_lists_aliases_when_the_community_allows_it() -> None:
    site = await database_sync_to_async(build_site)(show_online_aliases=True)
    bob = await joined(site.path, site.bob)
    alice = await open_socket(site.path, site.alice)
    frame = await next_frame(alice, "presence")
    names = sorted([await database_sync_to_async(site.alias)(u) for u in (site.alice, site.bob)])
    assert frame == {"type": "presence", "online": 2, "aliases": names}
    for communicator in (alice, bob):
        await communicator.disconnect()


async def test_a_removed_message_is_withdrawn_from_every_socket(site: ChatSite) -> None:
    alice = await joined(site.path, site.alice)
    bob = await joined(site.path, site.bob)
    await send(alice, type="send", client_id="c1", body="to be removed")
    ack = await next_frame(alice, "ack")
    await next_frame(bob, "message")

    def remove() -> None:
        services.message_remove(actor=site.mod, message=Message.objects.get(pk=ack["id"]))

    await database_sync_to_async(remove)()
    assert await next_frame(bob, "removed") == {"type": "removed", "id": ack["id"]}
    assert await next_frame(alice, "removed") == {"type": "removed", "id": ack["id"]}
    for communicator in (alice, bob):
        await communicator.disconnect()


# Refusals of a send: an error frame, and the socket stays open.


async def test_muted_member_cannot_send(site: ChatSite) -> None:
    await database_sync_to_async(Membership.objects.filter(user=site.alice).update)(
        muted_until=timezone.now() + timedelta(hours=1)
    )
    alice = await joined(site.path, site.alice)
    await send(alice, type="send", client_id="m1", body="hello")
    error = await next_frame(alice, "error")
    assert error["code"] == "muted"
    assert error["client_id"] == "m1"
    assert await database_sync_to_async(Message.objects.count)() == 0
    await alice.disconnect()


async def test_sixth_quick_message_is_rate_limited(site: ChatSite) -> None:
    alice = await joined(site.path, site.alice)
    for n in range(5):
        await send(alice, type="send", client_id=f"r{n}", body=f"quick {n}")
        assert (await next_frame(alice, "ack"))["client_id"] == f"r{n}"
    await send(alice, type="send", client_id="r5", body="one too many")
    error = await next_frame(alice, "error")
    assert error["code"] == "rate_limited"
    assert error["client_id"] == "r5"
    assert 0 < error["retry_after"] <= 2
    # A re-send of an already stored message is not limited: it is only acknowledged.
    await send(alice, type="send", client_id="r0", body="quick 0")
    assert (await next_frame(alice, "ack"))["client_id"] == "r0"
    await alice.disconnect()


async def test_slow_mode_holds_members_but_not_moderators(site: ChatSite) -> None:
    await database_sync_to_async(Room.objects.filter(pk=site.room.pk).update)(slow_mode_seconds=30)
    alice = await joined(site.path, site.alice)
    await send(alice, type="send", client_id="s1", body="first")
    await next_frame(alice, "ack")
    await send(alice, type="send", client_id="s2", body="second")
    error = await next_frame(alice, "error")
    assert error["code"] == "slow_mode"
    assert 25 < error["retry_after"] <= 30
    mod = await joined(site.path, site.mod)
    for n in range(2):
        await send(mod, type="send", client_id=f"mod{n}", body="moderator")
        await next_frame(mod, "ack")
    for communicator in (alice, mod):
        await communicator.disconnect()


async def test_archived_room_can_be_read_but_not_written(site: ChatSite) -> None:
    await database_sync_to_async(Room.objects.filter(pk=site.room.pk).update)(archived=True)
    alice = await joined(site.path, site.alice)
    await send(alice, type="send", client_id="a1", body="hello?")
    assert (await next_frame(alice, "error"))["code"] == "archived"
    await alice.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_json"),
        (json.dumps({"type": "dance"}), "unknown_type"),
        (json.dumps({"body": "no type"}), "unknown_type"),
        (json.dumps({"type": "send", "client_id": "e", "body": "   \n "}), "empty"),
        (json.dumps({"type": "send", "client_id": "e", "body": "x" * 4001}), "too_long"),
        (json.dumps({"type": "send", "client_id": "e", "body": 42}), "invalid"),
        (json.dumps({"type": "send", "client_id": "e" * 65, "body": "hi"}), "invalid"),
        (json.dumps({"type": "send", "client_id": "e", "body": "x" * 17000}), "too_large"),
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_stays_open(
    site: ChatSite, frame: str, code: str
) -> None:
    alice = await joined(site.path, site.alice)
    await alice.send_to(text_data=frame)
    error = await next_frame(alice, "error")
    assert error["code"] == code
    assert error["message"]
    await send(alice, type="send", client_id="after-error", body="still here")
    assert (await next_frame(alice, "ack"))["client_id"] == "after-error"
    await alice.disconnect()


async def test_binary_frames_get_an_error(site: ChatSite) -> None:
    alice = await joined(site.path, site.alice)
    await alice.send_to(bytes_data=b"\x00\x01")
    assert (await next_frame(alice, "error"))["code"] == "bad_frame"
    await alice.disconnect()


# Disconnection of a member who is banned, leaves, or logs out anywhere.


async def test_banned_member_is_disconnected_within_a_second(site: ChatSite) -> None:
    alice = await joined(site.path, site.alice)
    bob = await joined(site.path, site.bob)

    @transaction.atomic
    def ban() -> None:
        Membership.objects.filter(user=site.alice).update(state=Membership.State.BANNED)
        services.member_sockets_close(user_id=site.alice.pk, community_id=site.community.pk)

    await database_sync_to_async(ban)()
    assert await close_code(alice, timeout=1) == 4403
    # Others stay connected.
    await send(bob, type="send", client_id="b1", body="still here")
    assert (await next_frame(bob, "ack"))["client_id"] == "b1"
    await bob.disconnect()


async def test_member_who_leaves_is_disconnected_within_a_second(site: ChatSite) -> None:
    alice = await joined(site.path, site.alice)
    await database_sync_to_async(community_leave)(user=site.alice, community=site.community)
    assert await close_code(alice, timeout=1) == 4403


async def test_leaving_another_community_keeps_this_room_open(site: ChatSite) -> None:
    other = await database_sync_to_async(build_site)()
    await database_sync_to_async(membership_grant)(user=site.alice, community=other.community)
    alice = await joined(site.path, site.alice)
    await database_sync_to_async(community_leave)(user=site.alice, community=other.community)
    assert await alice.receive_nothing(timeout=0.5)
    await alice.disconnect()


async def test_logging_out_anywhere_disconnects_every_chat_socket(site: ChatSite) -> None:
    alice = await joined(site.path, site.alice)
    second_room = await database_sync_to_async(Room.objects.create)(
        community=site.community, name="Garden", slug="garden"
    )
    alice_elsewhere = await joined(
        f"/ws/chat/{site.community.slug}/{second_room.slug}/", site.alice
    )

    def log_out_in_another_browser() -> int:
        browser = Client()
        browser.force_login(site.alice)
        return browser.post("/accounts/logout/").status_code

    assert await database_sync_to_async(log_out_in_another_browser)() == 302
    assert await close_code(alice, timeout=1) == 4401
    assert await close_code(alice_elsewhere, timeout=1) == 4401


# What peers may never see.


async def test_frames_never_carry_usernames_or_user_ids(site: ChatSite) -> None:
    secret = await database_sync_to_async(make_user)("username-nobody-may-see")
    await database_sync_to_async(membership_grant)(user=secret, community=site.community)
    writer = await joined(site.path, secret)
    reader = await open_socket(site.path, site.bob)
    await send(writer, type="send", client_id="p1", body="hello")
    await send(writer, type="typing")
    await next_frame(writer, "ack")
    await send(reader, type="history", before=10**9, limit=10)
    raw = []
    while not await reader.receive_nothing(timeout=1.5):
        raw.append(await reader.receive_from())
    assert any('"typing"' in text for text in raw)
    assert any('"history"' in text for text in raw)
    for text in raw:
        assert "username-nobody-may-see" not in text
        frame = json.loads(text)
        assert not {"user", "user_id", "username", "email"} & set(frame)
        for message in [frame, *frame.get("messages", [])]:
            if message.get("type", "message") == "message":
                assert set(message) == MESSAGE_KEYS
    for communicator in (writer, reader):
        await communicator.disconnect()


async def test_logs_hold_no_message_body(site: ChatSite, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    alice = await joined(site.path, site.alice)
    await send(alice, type="send", client_id="l1", body="a very private sentence")
    await next_frame(alice, "ack")
    await send(alice, type="send", client_id="l2", body="x" * 4001)
    await next_frame(alice, "error")
    await alice.disconnect()
    await asyncio.sleep(0.1)
    assert "a very private sentence" not in caplog.text
    assert "x" * 100 not in caplog.text
