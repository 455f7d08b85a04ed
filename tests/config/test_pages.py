"""The layout every page shares, and the pages that need no login."""

import pytest

from forum.models import Community
from tests.conftest import make_community, make_member, make_user

pytestmark = pytest.mark.django_db


def test_help_works_without_login_and_is_linked_from_every_page(client) -> None:
    response = client.get("/help/")
    assert response.status_code == 200
    assert b"findahelpline.com" in response.content
    for path in ["/", "/help/", "/privacy/", "/accounts/login/", "/accounts/signup/"]:
        page = client.get(path)
        assert page.status_code == 200, path
        assert b'href="/help/"' in page.content, path
        assert b'class="skip-link"' in page.content, path
        assert b"<main" in page.content, path


def test_home_lists_public_and_members_only_communities_but_not_private_ones(client) -> None:
    make_community("open-one", name="Open one")
    make_community("members-one", name="Members one", visibility=Community.Visibility.MEMBERS)
    hidden = make_community(
        "hidden-one", name="Hidden one", visibility=Community.Visibility.PRIVATE
    )
    body = client.get("/").content.decode()
    assert "Open one" in body and "Members one" in body
    assert "Hidden one" not in body
    insider = make_user()
    make_member(insider, hidden)
    client.force_login(insider)
    assert "Hidden one" in client.get("/").content.decode()


def test_joining_from_the_home_page_shows_the_alias_not_the_username(client) -> None:
    community = make_community("joinable")
    user = make_user("secretname")
    client.force_login(user)
    response = client.post("/c/joinable/join/", follow=True)
    alias = user.memberships.get(community=community).alias.name
    assert alias in response.content.decode()
    assert "secretname" not in response.content.decode()


def test_joining_an_approval_community_leaves_the_member_pending(client) -> None:
    make_community("careful", join_policy=Community.JoinPolicy.APPROVAL)
    user = make_user()
    client.force_login(user)
    response = client.post("/c/careful/join/", follow=True)
    assert "waiting for a moderator" in response.content.decode()
    assert user.memberships.get().state == "pending"
