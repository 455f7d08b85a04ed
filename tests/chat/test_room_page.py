"""The room page: who may open it, what others see, and a fixed number of queries."""

import pytest
from django.test import Client

from chat.models import Room
from forum.models import Community, Membership
from tests.conftest import make_community, make_member, make_user

pytestmark = pytest.mark.django_db

# Every signed-in page: session, user, and the header's notification, notice and queue counts.
PAGE_BASE_QUERIES = 5


@pytest.fixture
def room() -> Room:
    community = make_community("calm")
    return Room.objects.create(community=community, name="Lounge", slug="lounge")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_member_gets_the_live_room(room: Room, django_assert_max_num_queries) -> None:
    member = make_user()
    membership = make_member(member, room.community)
    client = signed_in(member)
    # +3: the room and membership, and whether crisis language came up lately (issue 10).
    with django_assert_max_num_queries(PAGE_BASE_QUERIES + 3):
        response = client.get("/c/calm/chat/lounge/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-ws-path="/ws/chat/calm/lounge/"' in page
    assert membership.alias.name in page
    assert "js/chat.js" in page and "css/chat.css" in page
    assert 'aria-live="polite"' in page
    assert member.username not in page


def test_visitor_is_sent_to_log_in(room: Room) -> None:
    response = Client().get("/c/calm/chat/lounge/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_non_member_is_offered_to_join(room: Room) -> None:
    response = signed_in(make_user()).get("/c/calm/chat/lounge/")
    assert response.status_code == 403
    page = response.content.decode()
    assert 'action="/c/calm/join/"' in page
    assert "data-ws-path" not in page


def test_banned_member_is_told_and_not_offered_to_join(room: Room) -> None:
    user = make_user()
    make_member(user, room.community)
    Membership.objects.filter(user=user).update(state=Membership.State.BANNED)
    response = signed_in(user).get("/c/calm/chat/lounge/")
    assert response.status_code == 403
    assert "banned" in response.content.decode()
    assert "/join/" not in response.content.decode()


def test_unknown_room_is_404(room: Room) -> None:
    member = make_user()
    make_member(member, room.community)
    assert signed_in(member).get("/c/calm/chat/nowhere/").status_code == 404
    assert signed_in(member).get("/c/nowhere/chat/lounge/").status_code == 404


def test_private_community_room_is_404_for_outsiders() -> None:
    community = make_community("secret", visibility=Community.Visibility.PRIVATE)
    Room.objects.create(community=community, name="Den", slug="den")
    assert signed_in(make_user()).get("/c/secret/chat/den/").status_code == 404


def test_room_list_shows_open_rooms(room: Room, django_assert_max_num_queries) -> None:
    Room.objects.create(community=room.community, name="Old", slug="old", archived=True)
    Room.objects.create(community=room.community, name="Garden", slug="garden")
    member = make_user()
    make_member(member, room.community)
    client = signed_in(member)
    with django_assert_max_num_queries(PAGE_BASE_QUERIES + 3):
        response = client.get("/c/calm/chat/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "/c/calm/chat/lounge/" in page and "/c/calm/chat/garden/" in page
    assert "/c/calm/chat/old/" not in page


def test_room_list_of_members_only_community_is_hidden_from_outsiders() -> None:
    make_community("inner", visibility=Community.Visibility.MEMBERS)
    assert signed_in(make_user()).get("/c/inner/chat/").status_code == 404
