"""Flags, the queue, claims, decisions, sanctions, appeals and the audit log."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from accounts.models import SiteSettings
from forum import services as forum_services
from forum.models import ContentState, Membership, Post, Topic
from moderation import services
from moderation.models import (
    Flag,
    MemberNotice,
    ModerationAction,
    Priority,
    QueueItem,
)
from moderation.selectors import queue_list
from tests.conftest import make_community, make_member, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    """A community with an author, three peers, a moderator, and one post by the author."""
    community = make_community("garden", flag_threshold=3)
    author, moderator = make_user("author"), make_user("moderator")
    peers = [make_user(f"peer{n}") for n in range(3)]
    make_member(author, community)
    for peer in peers:
        make_member(peer, community)
    make_member(moderator, community, role=Membership.Role.MODERATOR)
    topic = forum_services.topic_create(
        user=author, community=community, title="A day", body="An ordinary post"
    )
    return {
        "community": community,
        "author": author,
        "moderator": moderator,
        "peers": peers,
        "topic": topic,
        "post": topic.posts.get(),
    }


def test_a_flag_opens_one_queue_item_and_the_reporter_may_flag_once(place) -> None:
    services.flag_submit(reporter=place["peers"][0], post=place["post"], reason="spam")
    with pytest.raises(ValidationError, match="already reported"):
        services.flag_submit(reporter=place["peers"][0], post=place["post"], reason="spam")
    services.flag_submit(reporter=place["peers"][1], post=place["post"], reason="spam")
    assert QueueItem.objects.filter(source="flag").count() == 1
    assert Flag.objects.count() == 2


def test_reaching_the_threshold_hides_the_post_pending_review(place) -> None:
    for peer in place["peers"][:2]:
        services.flag_submit(reporter=peer, post=place["post"], reason="harassment")
    place["post"].refresh_from_db()
    assert place["post"].state == ContentState.VISIBLE
    services.flag_submit(reporter=place["peers"][2], post=place["post"], reason="harassment")
    place["post"].refresh_from_db()
    assert place["post"].state == ContentState.HIDDEN
    assert ModerationAction.objects.filter(kind="auto_hide").count() == 1
    # Flags alone never sanction anyone.
    membership = place["author"].memberships.get()
    assert membership.muted_until is None and membership.state == "active"


def test_a_moderators_flag_hides_at_once(place) -> None:
    services.flag_submit(reporter=place["moderator"], post=place["post"], reason="spam")
    place["post"].refresh_from_db()
    assert place["post"].state == ContentState.HIDDEN


def test_worried_about_safety_goes_first_and_tells_the_person_nothing(place) -> None:
    services.flag_submit(reporter=place["peers"][0], post=place["post"], reason="spam")
    other = forum_services.post_reply(user=place["author"], topic=place["topic"], body="later")
    services.flag_submit(reporter=place["peers"][1], post=other, reason="safety")
    items = queue_list(user=place["moderator"])
    assert items[0].priority == Priority.SAFETY and items[0].post == other
    assert not MemberNotice.objects.filter(user=place["author"]).exists()


def test_flags_from_outsiders_need_a_reason_note_and_are_limited(place) -> None:
    with pytest.raises(PermissionDenied):
        services.flag_submit(reporter=make_user(), post=place["post"], reason="spam")
    with pytest.raises(ValidationError, match="few words"):
        services.flag_submit(reporter=place["peers"][0], post=place["post"], reason="other")
    SiteSettings.objects.filter(pk=1).update(flags_per_hour=2)
    flooder = place["peers"][1]
    posts = [
        forum_services.post_reply(user=place["author"], topic=place["topic"], body=f"r{n}")
        for n in range(3)
    ]
    services.flag_submit(reporter=flooder, post=posts[0], reason="spam")
    services.flag_submit(reporter=flooder, post=posts[1], reason="spam")
    with pytest.raises(PermissionDenied, match="many reports"):
        services.flag_submit(reporter=flooder, post=posts[2], reason="spam")


def test_queue_order_is_priority_then_age() -> None:
    community = make_community()
    moderator = make_user()
    make_member(moderator, community, role=Membership.Role.MODERATOR)
    normal = services.queue_item_open(
        community=community, source="flag", priority=Priority.NORMAL, reason="old normal"
    )
    QueueItem.objects.filter(pk=normal.pk).update(created=timezone.now() - timedelta(hours=5))
    services.queue_item_open(
        community=community,
        source="crisis",
        priority=Priority.HIGH,
        reason="high",
        group_key="a",
    )
    services.queue_item_open(
        community=community,
        source="crisis",
        priority=Priority.IMMINENT,
        reason="imminent",
        group_key="b",
    )
    services.queue_item_open(
        community=community,
        source="flag",
        priority=Priority.SAFETY,
        reason="safety",
        group_key="c",
    )
    reasons = [item.reason for item in queue_list(user=moderator)]
    assert reasons == ["imminent", "high", "safety", "old normal"]


def test_a_claim_keeps_others_out_until_it_expires(place) -> None:
    other = make_user()
    make_member(other, place["community"], role=Membership.Role.MODERATOR)
    services.flag_submit(reporter=place["peers"][0], post=place["post"], reason="spam")
    item = QueueItem.objects.get()
    services.queue_item_claim(actor=place["moderator"], item=item)
    with pytest.raises(ValidationError, match="is handling this item"):
        services.queue_item_claim(actor=other, item=item)
    with pytest.raises(ValidationError, match="claimed this item"):
        services.queue_item_decide(actor=other, item=item, decision="approve")
    QueueItem.objects.filter(pk=item.pk).update(claimed_until=timezone.now() - timedelta(minutes=1))
    services.queue_item_claim(actor=other, item=item)
    item.refresh_from_db()
    assert item.claimed_by == other


def test_approve_restores_and_dismisses_flags(place) -> None:
    services.flag_submit(reporter=place["moderator"], post=place["post"], reason="spam")
    item = QueueItem.objects.get()
    services.queue_item_decide(actor=place["moderator"], item=item, decision="approve")
    place["post"].refresh_from_db()
    assert place["post"].state == ContentState.VISIBLE
    assert not Flag.objects.filter(dismissed=False).exists()
    with pytest.raises(ValidationError, match="already resolved"):
        services.queue_item_decide(actor=place["moderator"], item=item, decision="hide")


def test_remove_tells_the_author_the_reason_and_how_to_appeal(place) -> None:
    services.flag_submit(reporter=place["peers"][0], post=place["post"], reason="spam")
    item = QueueItem.objects.get()
    with pytest.raises(ValidationError, match="reason"):
        services.queue_item_decide(actor=place["moderator"], item=item, decision="remove")
    services.queue_item_decide(
        actor=place["moderator"], item=item, decision="remove", reason="Advertising"
    )
    post = Post.objects.get(pk=place["post"].pk)
    assert post.state == ContentState.REMOVED and post.removal_reason == "Advertising"
    assert Topic.objects.get(pk=place["topic"].pk).state == ContentState.REMOVED
    notice = MemberNotice.objects.get(user=place["author"])
    assert "Advertising" in notice.text and "appeal" in notice.text and notice.can_appeal
    # The author cannot edit it back.
    with pytest.raises(PermissionDenied):
        forum_services.post_edit(user=place["author"], post=post, body="sneaky")
    page = Client().get(f"/c/garden/t/{place['topic'].pk}/")
    assert page.status_code == 404


def test_mutes_escalate_and_a_muted_member_cannot_post(place) -> None:
    lengths = []
    for round_number in range(3):
        item = services.queue_item_open(
            community=place["community"],
            source="flag",
            priority=Priority.NORMAL,
            reason="conduct",
            subject=place["post"].author,
            group_key=f"conduct-{round_number}",
        )
        action = services.queue_item_decide(
            actor=place["moderator"], item=item, decision="mute", reason="Unkind replies"
        )
        assert action.until is not None
        lengths.append(round((action.until - action.created).total_seconds() / 3600))
    assert lengths == [24, 72, 168]
    with pytest.raises(PermissionDenied, match="muted"):
        forum_services.post_reply(user=place["author"], topic=place["topic"], body="hi")
    notice = MemberNotice.objects.filter(user=place["author"], kind="mute").first()
    assert notice is not None and notice.until is not None and "until" in notice.text


def test_ban_warn_and_escalate(place) -> None:
    def item_about_author(key: str) -> QueueItem:
        return services.queue_item_open(
            community=place["community"],
            source="flag",
            priority=Priority.NORMAL,
            reason="conduct",
            subject=place["post"].author,
            group_key=key,
        )

    services.queue_item_decide(
        actor=place["moderator"], item=item_about_author("w"), decision="warn", reason="Be kind"
    )
    assert MemberNotice.objects.get(user=place["author"], kind="warning").can_appeal is False
    escalated = item_about_author("e")
    services.queue_item_decide(
        actor=place["moderator"], item=escalated, decision="escalate", reason="Threats"
    )
    assert escalated not in queue_list(user=place["moderator"])
    staff = make_user(is_staff=True)
    assert queue_list(user=staff)[0].pk == escalated.pk
    with pytest.raises(PermissionDenied):
        services.queue_item_decide(
            actor=place["moderator"],
            item=item_about_author("s"),
            decision="suspend",
            reason="x",
        )
    services.queue_item_decide(
        actor=place["moderator"], item=item_about_author("b"), decision="ban", reason="Threats"
    )
    assert place["author"].memberships.get().state == Membership.State.BANNED
    with pytest.raises(PermissionDenied, match="banned"):
        forum_services.topic_create(
            user=place["author"], community=place["community"], title="t", body="b"
        )


def test_appeal_reaches_the_queue_and_granting_it_lifts_the_mute(place) -> None:
    item = services.queue_item_open(
        community=place["community"],
        source="flag",
        priority=Priority.NORMAL,
        reason="conduct",
        subject=place["post"].author,
        group_key="m",
    )
    services.queue_item_decide(actor=place["moderator"], item=item, decision="mute", reason="x")
    notice = MemberNotice.objects.get(user=place["author"], kind="mute")
    appeal = services.appeal_submit(user=place["author"], notice=notice, text="I was upset")
    assert appeal.source == QueueItem.Source.APPEAL
    with pytest.raises(ValidationError):
        services.appeal_submit(user=place["author"], notice=notice, text="again")
    services.queue_item_decide(actor=place["moderator"], item=appeal, decision="approve")
    assert place["author"].memberships.get().muted_until is None


def test_every_decision_leaves_an_audit_row(place) -> None:
    decisions = ["approve", "hide", "remove", "warn", "mute", "ban", "escalate"]
    for decision in decisions:
        item = services.queue_item_open(
            community=place["community"],
            source="flag",
            priority=Priority.NORMAL,
            reason="x",
            post=place["post"],
            subject=place["post"].author,
            group_key=decision,
        )
        services.queue_item_decide(
            actor=place["moderator"], item=item, decision=decision, reason="because"
        )
    kinds = list(ModerationAction.objects.values_list("kind", flat=True))
    for decision in decisions:
        assert decision in kinds
    row = ModerationAction.objects.get(kind="ban")
    assert row.before == {"state": "active"} and row.after == {"state": "banned"}
    assert row.actor_label == place["moderator"].memberships.get().alias.name


def test_a_moderator_acts_only_in_their_communities(place) -> None:
    elsewhere = make_community()
    outsider_mod = make_user()
    make_member(outsider_mod, elsewhere, role=Membership.Role.MODERATOR)
    services.flag_submit(reporter=place["peers"][0], post=place["post"], reason="spam")
    item = QueueItem.objects.get()
    with pytest.raises(PermissionDenied):
        services.queue_item_claim(actor=outsider_mod, item=item)
    with pytest.raises(PermissionDenied):
        services.queue_item_decide(actor=outsider_mod, item=item, decision="approve")
    assert queue_list(user=outsider_mod) == []


def test_moderators_need_two_factor_authentication_when_the_site_asks(place) -> None:
    SiteSettings.objects.filter(pk=1).update(require_moderator_mfa=True)
    services.flag_submit(reporter=place["peers"][0], post=place["post"], reason="spam")
    item = QueueItem.objects.get()
    with pytest.raises(PermissionDenied, match="two-factor"):
        services.queue_item_claim(actor=place["moderator"], item=item)
    client = Client()
    client.force_login(place["moderator"])
    assert client.get("/c/garden/mod/").status_code == 403
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(
        user=place["moderator"], type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    services.queue_item_claim(actor=place["moderator"], item=item)
    assert client.get("/c/garden/mod/").status_code == 200
