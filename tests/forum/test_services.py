"""Forum rules: who may write, limits, edits, deletion, reactions, follows, notifications."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from forum import selectors, services
from forum.models import ContentState, Membership, Notification, Post, Reaction, Topic
from tests.conftest import make_community, make_member, make_user

pytestmark = pytest.mark.django_db


def new_topic(user, community, **fields):
    fields.setdefault("title", "A topic")
    fields.setdefault("body", "Some words.")
    return services.topic_create(user=user, community=community, **fields)


def test_topic_create_stores_rendered_html_and_follows() -> None:
    community = make_community()
    user = make_user()
    make_member(user, community)
    topic = new_topic(user, community, body="Hello <script>x</script> **you**")
    post = topic.posts.get()
    assert post.html == "<p>Hello &lt;script&gt;x&lt;/script&gt; <strong>you</strong></p>"
    assert topic.post_count == 1 and topic.reply_count == 0
    assert topic.read_states.get(user=user).following is True


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ("", "body", "title"),
        ("   ", "body", "title"),
        ("x" * 201, "body", "title"),
        ("Title", "", "body"),
        ("Title", "x" * 20_001, "body"),
    ],
)
def test_empty_or_oversized_titles_and_bodies_are_refused_with_a_reason(
    title: str, body: str, field: str
) -> None:
    community = make_community()
    user = make_user()
    make_member(user, community)
    with pytest.raises(ValidationError) as error:
        new_topic(user, community, title=title, body=body)
    assert field in error.value.message_dict
    assert Topic.objects.count() == 0


def test_non_members_pending_muted_and_banned_members_cannot_write() -> None:
    community = make_community()
    outsider = make_user()
    with pytest.raises(PermissionDenied, match="Join"):
        new_topic(outsider, community)
    muted = make_user()
    membership = make_member(muted, community)
    membership.muted_until = timezone.now() + timedelta(hours=2)
    membership.save()
    with pytest.raises(PermissionDenied, match="muted"):
        new_topic(muted, community)
    banned = make_user()
    membership = make_member(banned, community)
    membership.state = Membership.State.BANNED
    membership.save()
    with pytest.raises(PermissionDenied, match="banned"):
        new_topic(banned, community)


def test_reply_in_locked_topic_is_refused_except_for_moderators() -> None:
    community = make_community()
    author, peer, moderator = make_user(), make_user(), make_user()
    make_member(author, community)
    make_member(peer, community)
    make_member(moderator, community, role=Membership.Role.MODERATOR)
    topic = new_topic(author, community)
    Topic.objects.filter(pk=topic.pk).update(locked=True)
    with pytest.raises(PermissionDenied, match="locked"):
        services.post_reply(user=peer, topic=topic, body="hi")
    post = services.post_reply(user=moderator, topic=topic, body="Locking this, take care all.")
    assert post.number == 2


def test_reply_updates_counts_and_notifies_followers_without_the_text() -> None:
    community = make_community()
    author, peer = make_user(), make_user()
    make_member(author, community)
    make_member(peer, community)
    topic = new_topic(author, community)
    services.post_reply(user=peer, topic=topic, body="I hear you, secret words here")
    topic.refresh_from_db()
    assert (topic.post_count, topic.reply_count, topic.last_post_number) == (2, 1, 2)
    note = Notification.objects.get(user=author)
    assert note.kind == Notification.Kind.REPLY
    assert not Notification.objects.filter(user=peer).exists()
    assert "secret" not in str(note.__dict__)


def test_mentions_notify_the_mentioned_alias_in_the_same_community_only() -> None:
    community, elsewhere = make_community(), make_community()
    author, mentioned, stranger = make_user(), make_user(), make_user()
    make_member(author, community)
    alias = make_member(mentioned, community).alias.name
    make_member(stranger, elsewhere)
    topic = new_topic(author, community, body=f"Thanks @{alias.lower()} for earlier")
    assert Notification.objects.get(user=mentioned).kind == Notification.Kind.MENTION
    assert not Notification.objects.filter(user=stranger).exists()
    assert topic.pk


def test_edit_within_a_day_keeps_history_and_marks_edits_after_replies() -> None:
    community = make_community()
    author, peer = make_user(), make_user()
    make_member(author, community)
    make_member(peer, community)
    topic = new_topic(author, community, body="first version")
    post = topic.posts.get()
    services.post_edit(user=author, post=post, body="second version")
    post.refresh_from_db()
    assert post.edited is not None and post.edited_after_reply is False
    services.post_reply(user=peer, topic=topic, body="reply")
    services.post_edit(user=author, post=post, body="third version")
    post.refresh_from_db()
    assert post.edited_after_reply is True
    assert list(post.revisions.values_list("source", flat=True)) == [
        "second version",
        "first version",
    ]
    with pytest.raises(PermissionDenied):
        services.post_edit(user=peer, post=post, body="not mine")
    Post.objects.filter(pk=post.pk).update(created=timezone.now() - timedelta(hours=25))
    with pytest.raises(PermissionDenied, match="24 hours"):
        services.post_edit(user=author, post=post, body="too late")


def test_delete_own_post_shows_removed_by_the_author() -> None:
    community = make_community()
    author = make_user()
    make_member(author, community)
    post = new_topic(author, community).posts.get()
    services.post_delete_own(user=author, post=post)
    post.refresh_from_db()
    assert post.state == ContentState.REMOVED and post.removed_by_author
    with pytest.raises(PermissionDenied):
        services.post_edit(user=author, post=post, body="back")


def test_reactions_toggle_once_per_alias_and_kind() -> None:
    community = make_community()
    author, peer = make_user(), make_user()
    make_member(author, community)
    make_member(peer, community)
    post = new_topic(author, community).posts.get()
    assert services.reaction_toggle(user=peer, post=post, kind="support") is True
    assert services.reaction_toggle(user=author, post=post, kind="support") is True
    assert Reaction.objects.filter(post=post, kind="support").count() == 2
    assert services.reaction_toggle(user=peer, post=post, kind="support") is False
    assert Reaction.objects.filter(post=post, kind="support").count() == 1
    with pytest.raises(ValidationError):
        services.reaction_toggle(user=peer, post=post, kind="downvote")


def test_waiting_lists_unanswered_topics_oldest_first_and_counts_them_for_members() -> None:
    community = make_community()
    author, peer = make_user(), make_user()
    make_member(author, community)
    make_member(peer, community)
    first = new_topic(author, community, title="first")
    second = new_topic(author, community, title="second")
    answered = new_topic(author, community, title="answered")
    Topic.objects.filter(pk=first.pk).update(created=timezone.now() - timedelta(days=2))
    services.post_reply(user=peer, topic=answered, body="here for you")
    assert [topic.title for topic in selectors.waiting_topics(community=community)] == [
        "first",
        "second",
    ]
    assert selectors.waiting_counts_for(peer) == {community.pk: 2}
    assert second.pk
