"""Gentle limits for new members, first-post approval, watched words and chat reports."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chat.models import Message, Room
from forum import services as forum_services
from forum.models import Community, ContentState, Membership
from moderation import services
from moderation.models import QueueItem, WatchedWord
from tests.conftest import make_community, make_member, make_user

pytestmark = pytest.mark.django_db


def test_new_members_may_start_three_topics_on_their_first_day() -> None:
    community = make_community()
    newcomer = make_user()
    make_member(newcomer, community, new=True)
    for index in range(3):
        forum_services.topic_create(user=newcomer, community=community, title=f"t{index}", body="b")
    with pytest.raises(PermissionDenied, match="3 topics a day"):
        forum_services.topic_create(user=newcomer, community=community, title="t4", body="b")


def test_new_members_cannot_post_links_yet_and_the_limit_is_configurable() -> None:
    community = make_community()
    newcomer, regular = make_user(), make_user()
    make_member(newcomer, community, new=True)
    make_member(regular, community)
    with pytest.raises(ValidationError, match="Links can be shared"):
        forum_services.topic_create(
            user=newcomer, community=community, title="t", body="see https://example.com"
        )
    forum_services.topic_create(
        user=regular, community=community, title="t", body="see https://example.com"
    )
    Community.objects.filter(pk=community.pk).update(new_member_days=0)
    community.refresh_from_db()
    forum_services.topic_create(
        user=newcomer, community=community, title="t", body="see https://example.com"
    )


def test_first_posts_wait_for_approval_when_the_community_asks() -> None:
    community = make_community(approve_first_posts=True)
    newcomer, moderator = make_user(), make_user()
    make_member(newcomer, community, new=True)
    make_member(moderator, community, role=Membership.Role.MODERATOR)
    topic = forum_services.topic_create(user=newcomer, community=community, title="hi", body="b")
    assert topic.state == ContentState.PENDING
    item = QueueItem.objects.get(source="first_post")
    services.queue_item_decide(actor=moderator, item=item, decision="approve")
    topic.refresh_from_db()
    assert topic.state == ContentState.VISIBLE
    second = forum_services.topic_create(user=newcomer, community=community, title="2", body="b")
    assert second.state == ContentState.VISIBLE


def test_watched_words_flag_or_hold() -> None:
    community = make_community()
    writer = make_user()
    make_member(writer, community)
    WatchedWord.objects.create(community=community, phrase="cheap pills", action="flag")
    WatchedWord.objects.create(community=community, phrase="my shop", action="hold")
    flagged = forum_services.topic_create(
        user=writer, community=community, title="t", body="Where to find Cheap Pills?"
    )
    assert flagged.state == ContentState.VISIBLE
    assert QueueItem.objects.get(source="watched_word").reason == "Watched word: cheap pills"
    held = forum_services.topic_create(
        user=writer, community=community, title="t", body="come to my shop"
    )
    assert held.state == ContentState.PENDING


def test_chat_messages_can_be_reported_and_removal_reaches_the_room() -> None:
    community = make_community()
    writer, reporter, moderator = make_user(), make_user(), make_user()
    make_member(reporter, community)
    make_member(moderator, community, role=Membership.Role.MODERATOR)
    alias = make_member(writer, community).alias
    room = Room.objects.create(community=community, name="Lounge", slug="lounge")
    message = Message.objects.create(room=room, alias=alias, body="hello", body_html="<p>hello</p>")
    services.flag_submit(reporter=reporter, message=message, reason="harassment")
    item = QueueItem.objects.get()
    assert item.message == message and item.subject == alias
    services.queue_item_decide(actor=moderator, item=item, decision="remove", reason="Unkind")
    message.refresh_from_db()
    assert message.state == Message.State.REMOVED
