"""Moderation pages: who may open what, and what each decision does to what peers see."""

import pytest
from django.test import Client

from forum import services as forum_services
from forum.models import Membership
from moderation import services
from moderation.models import MemberNotice, QueueItem
from tests.conftest import make_community, make_member, make_user

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "moderator", "other_moderator", "owner", "staff", "admin"]


@pytest.fixture
def world():
    community, other = make_community("home"), make_community("away")
    users = {
        "member": make_user("membername"),
        "moderator": make_user("modname"),
        "other_moderator": make_user("othermodname"),
        "owner": make_user("ownername"),
        "staff": make_user("staffname", is_staff=True),
        "admin": make_user("adminname", is_staff=True, is_superuser=True),
    }
    make_member(users["member"], community)
    make_member(users["moderator"], community, role=Membership.Role.MODERATOR)
    make_member(users["other_moderator"], other, role=Membership.Role.MODERATOR)
    make_member(users["owner"], community, role=Membership.Role.OWNER)
    topic = forum_services.topic_create(
        user=users["member"], community=community, title="t", body="b"
    )
    services.flag_submit(reporter=users["owner"], post=topic.posts.get(), reason="spam")
    item = QueueItem.objects.get()
    alias = users["member"].memberships.get().alias
    return {"users": users, "item": item, "alias": alias, "topic": topic}


def client_for(world, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


EXPECTED = {
    # url name: answers by role, in ROLES order
    "community_queue": [302, 403, 200, 403, 200, 200, 200],
    "all_queue": [302, 403, 200, 200, 200, 200, 200],
    "item": [302, 404, 200, 404, 200, 200, 200],
    "audit_log": [302, 403, 403, 403, 200, 200, 200],
    "audit_csv": [302, 403, 403, 403, 200, 200, 200],
    "member_history": [302, 403, 200, 403, 200, 200, 200],
    "notices": [302, 200, 200, 200, 200, 200, 200],
}


def url_of(world, name: str) -> str:
    return {
        "community_queue": "/c/home/mod/",
        "all_queue": "/mod/",
        "item": f"/mod/item/{world['item'].pk}/",
        "audit_log": "/c/home/mod/log/",
        "audit_csv": "/c/home/mod/log.csv",
        "member_history": f"/c/home/mod/member/{world['alias'].pk}/",
        "notices": "/me/notices/",
    }[name]


@pytest.mark.parametrize("name", list(EXPECTED))
def test_permission_matrix_of_moderation_pages(world, name: str) -> None:
    answers = [client_for(world, role).get(url_of(world, name)).status_code for role in ROLES]
    assert dict(zip(ROLES, answers, strict=True)) == dict(zip(ROLES, EXPECTED[name], strict=True))


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_of_decisions(world, role: str) -> None:
    client = client_for(world, role)
    response = client.post(
        f"/mod/item/{world['item'].pk}/decide/", {"decision": "hide", "reason": "x"}
    )
    world["item"].refresh_from_db()
    allowed = role in {"moderator", "owner", "staff", "admin"}
    assert (world["item"].state == "resolved") is allowed
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif not allowed:
        assert response.status_code == 404


def test_item_page_shows_content_context_and_reporters_stay_anonymous(world) -> None:
    page = client_for(world, "moderator").get(f"/mod/item/{world['item'].pk}/").content.decode()
    assert "Spam" in page and "Claim this item" in page
    assert world["users"]["owner"].username not in page
    assert world["users"]["member"].username not in page


def test_removal_reason_reaches_the_author_in_their_notices(world) -> None:
    moderator = client_for(world, "moderator")
    moderator.post(
        f"/mod/item/{world['item'].pk}/decide/", {"decision": "remove", "reason": "Off topic"}
    )
    author = client_for(world, "member")
    home = author.get("/").content.decode()
    assert "From the moderators" in home
    notices = author.get("/me/notices/").content.decode()
    assert "Off topic" in notices and "Send appeal" in notices
    assert MemberNotice.objects.get().read is True


def test_reporting_page_confirms_receipt(world) -> None:
    post = forum_services.topic_create(
        user=world["users"]["member"], community=world["topic"].community, title="x", body="y"
    ).posts.get()
    reporter = make_user()
    make_member(reporter, world["topic"].community)
    client = Client()
    client.force_login(reporter)
    assert client.get(f"/c/home/p/{post.pk}/flag/").status_code == 200
    response = client.post(f"/c/home/p/{post.pk}/flag/", {"reason": "safety"}, follow=True)
    assert "Your report was received" in response.content.decode()
    again = client.post(f"/c/home/p/{post.pk}/flag/", {"reason": "safety", "note": "kept"})
    assert again.status_code == 400 and "already reported" in again.content.decode()
    assert "kept" in again.content.decode()


def test_audit_log_csv_has_a_row_per_action(world) -> None:
    client_for(world, "moderator").post(
        f"/mod/item/{world['item'].pk}/decide/", {"decision": "warn", "reason": "Be kind"}
    )
    response = client_for(world, "owner").get("/c/home/mod/log.csv")
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    lines = body.decode().strip().splitlines()
    assert lines[0].startswith("when,who,action")
    assert any(",warn," in line and "Be kind" in line for line in lines[1:])


def test_header_shows_the_queue_count_to_moderators_only(world) -> None:
    assert 'id="header-queue-count"' in client_for(world, "moderator").get("/").content.decode()
    assert 'id="header-queue-count"' not in client_for(world, "member").get("/").content.decode()
