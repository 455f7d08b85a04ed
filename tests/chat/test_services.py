"""Chat services: permissions, idempotency, and private rate-limit keys."""

import re

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from chat import presence, services
from chat.models import Message, Room
from forum.models import Membership
from tests.chat.conftest import ChatSite, build_site

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def chat() -> ChatSite:
    return build_site()


def test_send_twice_with_one_client_id_stores_once(chat: ChatSite) -> None:
    first = services.message_send(actor=chat.alice, room_id=chat.room.pk, body="hi", client_id="x")
    again = services.message_send(actor=chat.alice, room_id=chat.room.pk, body="hi", client_id="x")
    assert first.created and not again.created
    assert again.message_id == first.message_id
    assert again.writer_frames() == [{"type": "ack", "client_id": "x", "id": first.message_id}]
    assert Message.objects.count() == 1


def test_a_resent_message_removed_since_is_acked_without_its_frame(chat: ChatSite) -> None:
    first = services.message_send(actor=chat.alice, room_id=chat.room.pk, body="hi", client_id="x")
    services.message_remove(actor=chat.mod, message=Message.objects.get(pk=first.message_id))
    again = services.message_send(actor=chat.alice, room_id=chat.room.pk, body="hi", client_id="x")
    assert again.frame is None
    assert again.writer_frames()[0]["id"] == first.message_id


def test_former_member_cannot_send(chat: ChatSite) -> None:
    Membership.objects.filter(user=chat.alice).update(state=Membership.State.LEFT)
    with pytest.raises(services.ChatError) as refused:
        services.message_send(actor=chat.alice, room_id=chat.room.pk, body="hi", client_id="y")
    assert refused.value.code == "forbidden"


def test_rate_limit_keys_hold_no_user_id_in_clear(chat: ChatSite) -> None:
    chat.room.slow_mode_seconds = 10
    chat.room.save()
    services.message_send(actor=chat.alice, room_id=chat.room.pk, body="hi", client_id="z")
    client = presence._redis_client()
    if client is None:
        keys = [key for key in cache._cache if ":chat:" in key]  # type: ignore[attr-defined]
    else:
        keys = [key.decode() for key in client.scan_iter("*:chat:*")]  # type: ignore[attr-defined]
    keys = [key for key in keys if "presence" not in key]
    assert len(keys) == 2
    for key in keys:
        assert re.search(r":chat:(rate|slow):[0-9a-f]{32}$", key), key


def test_only_moderators_remove_messages(chat: ChatSite) -> None:
    sent = services.message_send(actor=chat.alice, room_id=chat.room.pk, body="hi", client_id="r")
    message = Message.objects.get(pk=sent.message_id)
    with pytest.raises(PermissionDenied):
        services.message_remove(actor=chat.bob, message=message)
    services.message_remove(actor=chat.mod, message=message)
    assert Message.objects.get(pk=message.pk).state == Message.State.REMOVED


def test_only_moderators_create_and_archive_rooms(chat: ChatSite) -> None:
    with pytest.raises(PermissionDenied):
        services.room_create(actor=chat.alice, community=chat.community, name="X", slug="x")
    room = services.room_create(
        actor=chat.mod, community=chat.community, name="Evening", slug="evening"
    )
    with pytest.raises(PermissionDenied):
        services.room_archive(actor=chat.bob, room=room)
    services.room_archive(actor=chat.mod, room=room)
    assert Room.objects.get(pk=room.pk).archived
