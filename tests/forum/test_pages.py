"""Forum pages: what each visitor sees, bad input, visibility and fixed query counts."""

from datetime import timedelta

import pytest
from django.test import Client

from forum import services
from forum.models import Community, Membership, Notification, Post, Topic
from tests.conftest import make_community, make_member, make_user

pytestmark = pytest.mark.django_db


def member_client(community: Community, **kwargs: object) -> tuple[Client, Membership]:
    user = make_user(**kwargs)  # type: ignore[arg-type]
    membership = make_member(user, community)
    client = Client()
    client.force_login(user)
    return client, membership


def test_community_page_lists_pinned_first_then_by_activity_and_filters_by_type() -> None:
    community = make_community("calm")
    client, membership = member_client(community)
    old = services.topic_create(user=membership.user, community=community, title="old", body="b")
    newer = services.topic_create(
        user=membership.user,
        community=community,
        title="newer",
        body="b",
        support_type=Topic.SupportType.QUESTION,
    )
    pinned = services.topic_create(
        user=membership.user, community=community, title="rules", body="b"
    )
    # Explicit times, so that the order never depends on the clock.
    Topic.objects.filter(pk=old.pk).update(last_activity=newer.last_activity - timedelta(hours=1))
    Topic.objects.filter(pk=pinned.pk).update(
        pinned=True, last_activity=newer.last_activity - timedelta(hours=2)
    )
    body = client.get("/c/calm/").content.decode().split('id="topics-heading"')[1]
    # Titles as link text: a bare "old" would also match a generated alias ("BoldOtter").
    assert body.index(">rules<") < body.index(">newer<") < body.index(">old<")
    filtered = client.get("/c/calm/?type=question").content.decode().split('id="topics-heading"')[1]
    assert "newer" in filtered and ">old<" not in filtered
    assert old.pk


def test_unknown_community_and_topic_are_404() -> None:
    client = Client()
    assert client.get("/c/nowhere/").status_code == 404
    make_community("here")
    assert client.get("/c/here/t/999/").status_code == 404


def test_members_only_content_never_reaches_outsiders_in_pages_or_search() -> None:
    community = make_community("inner", visibility=Community.Visibility.MEMBERS)
    client, membership = member_client(community)
    topic = services.topic_create(
        user=membership.user, community=community, title="private sorrow", body="hidden words"
    )
    outsider = Client()
    outsider.force_login(make_user())
    for viewer in (Client(), outsider):
        page = viewer.get("/c/inner/")
        assert page.status_code == 403
        assert "private sorrow" not in page.content.decode()
        assert viewer.get(f"/c/inner/t/{topic.pk}/").status_code == 403
        assert "hidden words" not in viewer.get("/search/?q=hidden").content.decode()
        assert viewer.get("/c/inner/search/?q=hidden").status_code == 403
    assert "private sorrow" in client.get("/search/?q=hidden").content.decode()


def test_private_community_is_404_to_outsiders() -> None:
    make_community("secret", visibility=Community.Visibility.PRIVATE)
    assert Client().get("/c/secret/").status_code == 404


def test_new_topic_page_keeps_the_text_and_explains_a_refusal() -> None:
    community = make_community("keep")
    client, _ = member_client(community)
    response = client.post(
        "/c/keep/new/", {"title": "", "body": "my long careful words", "support_type": "emotional"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Please give your topic a title." in body
    assert "my long careful words" in body
    assert Topic.objects.count() == 0


def test_non_member_reply_is_refused_with_text_kept() -> None:
    community = make_community("open")
    _, membership = member_client(community)
    topic = services.topic_create(user=membership.user, community=community, title="t", body="b")
    stranger = Client()
    stranger.force_login(make_user())
    response = stranger.post(f"/c/open/t/{topic.pk}/reply/", {"body": "words I typed"})
    assert response.status_code == 403
    assert "words I typed" in response.content.decode()
    assert "Join this community" in response.content.decode()


def test_reply_redirects_to_the_new_post_and_clears_the_draft_key() -> None:
    community = make_community("talk")
    client, membership = member_client(community)
    topic = services.topic_create(user=membership.user, community=community, title="t", body="b")
    response = client.post(f"/c/talk/t/{topic.pk}/reply/", {"body": "thank you"}, follow=True)
    assert response.redirect_chain[-1][0].endswith("#post-2")
    assert f'data-draft-clear="draft-clear:reply-{topic.pk}"' in response.content.decode()


def test_html_in_titles_and_bodies_is_shown_as_text() -> None:
    community = make_community("safe")
    client, _ = member_client(community)
    client.post(
        "/c/safe/new/",
        {
            "title": "<script>alert(1)</script>",
            "body": "<img src=x onerror=alert(1)>",
            "support_type": "question",
        },
    )
    topic = Topic.objects.get()
    page = client.get(f"/c/safe/t/{topic.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page


def test_content_warning_collapses_the_first_post_in_details() -> None:
    community = make_community("cw")
    client, membership = member_client(community)
    topic = services.topic_create(
        user=membership.user, community=community, title="t", body="heavy", content_warning="loss"
    )
    page = client.get(f"/c/cw/t/{topic.pk}/").content.decode()
    assert "<details" in page and "Content note: loss" in page


def test_removed_by_author_is_shown_as_such() -> None:
    community = make_community("gone")
    client, membership = member_client(community)
    topic = services.topic_create(user=membership.user, community=community, title="t", body="b")
    post = services.post_reply(user=membership.user, topic=topic, body="oops")
    client.post(f"/c/gone/p/{post.pk}/delete/")
    page = Client().get(f"/c/gone/t/{topic.pk}/").content.decode()
    assert "Removed by the author." in page and "oops" not in page


def test_reaction_toggles_by_form_and_by_json() -> None:
    community = make_community("kind")
    client, membership = member_client(community)
    post = services.topic_create(
        user=membership.user, community=community, title="t", body="b"
    ).posts.get()
    response = client.post(f"/c/kind/p/{post.pk}/react/", {"kind": "metoo"})
    assert response.status_code == 302
    response = client.post(
        f"/c/kind/p/{post.pk}/react/", {"kind": "metoo"}, headers={"Accept": "application/json"}
    )
    assert response.json() == {"kind": "metoo", "added": False, "count": 0}


def test_unread_marker_first_unread_link_and_notification_count() -> None:
    community = make_community("follow")
    author_client, author = member_client(community)
    _, peer = member_client(community)
    topic = services.topic_create(user=author.user, community=community, title="mine", body="b")
    author_client.get(f"/c/follow/t/{topic.pk}/")
    services.post_reply(user=peer.user, topic=topic, body="a reply")
    listing = author_client.get("/c/follow/").content.decode()
    assert "New posts" in listing and "#post-2" in listing
    home = author_client.get("/").content.decode()
    assert '<span class="badge">1' in home
    notes = author_client.get("/notifications/").content.decode()
    assert "New reply from" in notes and peer.alias.name in notes
    assert "a reply" not in notes
    author_client.get(f"/c/follow/t/{topic.pk}/")
    assert Notification.objects.get(user=author.user).read is True
    assert "New posts" not in author_client.get("/c/follow/").content.decode()


def test_pages_carry_noindex_unless_a_public_community_opts_in() -> None:
    make_community("quiet")
    make_community("loud", allow_search_engines=True)
    assert 'content="noindex, nofollow"' in Client().get("/c/quiet/").content.decode()
    assert 'content="index, follow"' in Client().get("/c/loud/").content.decode()


def _fill(community: Community, topics: int, replies: int) -> Topic:
    _, membership = member_client(community)
    topic = None
    for index in range(topics):
        topic = services.topic_create(
            user=membership.user, community=community, title=f"topic {index}", body="b"
        )
    assert topic is not None
    for index in range(replies):
        post = services.post_reply(user=membership.user, topic=topic, body=f"reply {index}")
        services.reaction_toggle(user=membership.user, post=post, kind="support")
    return topic


@pytest.mark.parametrize("topics", [1, 25])
def test_community_page_query_count_does_not_grow(
    topics: int, django_assert_max_num_queries
) -> None:
    community = make_community("count")
    _fill(community, topics, 0)
    client, _ = member_client(community)
    with django_assert_max_num_queries(12):
        assert client.get("/c/count/").status_code == 200


@pytest.mark.parametrize("replies", [1, 29])
def test_topic_page_query_count_does_not_grow(replies: int, django_assert_max_num_queries) -> None:
    community = make_community("count")
    topic = _fill(community, 1, replies)
    client, _ = member_client(community)
    # 17: one of them reads the member's reader filters (issue 10).
    with django_assert_max_num_queries(17):
        assert client.get(f"/c/count/t/{topic.pk}/").status_code == 200
    assert Post.objects.filter(topic=topic).count() == replies + 1
