"""Joining: approval with the applicant's answer, invitation links, and the welcome."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import SiteSettings, User
from accounts.selectors import site_settings
from forum import admin_services
from forum.models import Invitation, Membership
from forum.services import community_join, post_reply, topic_create
from moderation.models import ModerationAction, QueueItem
from tests.admin.conftest import owned_community
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_applicant_waits_then_is_approved_welcomed_and_audited(client) -> None:
    owner, community = owned_community(
        join_policy="approval", join_question="What brings you here?", rules="Be kind."
    )
    applicant = make_user()
    membership = community_join(user=applicant, community=community, answer="My mum is ill.")
    assert membership.state == Membership.State.PENDING
    item = QueueItem.objects.get(community=community, source=QueueItem.Source.JOIN_REQUEST)
    assert item.subject == membership.alias
    with pytest.raises(PermissionDenied):
        topic_create(user=applicant, community=community, title="Hi", body="Hello")

    client.force_login(applicant)
    waiting = client.get(f"/c/{community.slug}/welcome/")
    assert b"waiting for a moderator" in waiting.content
    assert b"My mum is ill." in waiting.content

    client.force_login(owner)
    page = client.get(f"/c/{community.slug}/settings/members/")
    assert b"My mum is ill." in page.content
    assert membership.alias.name.encode() in page.content
    assert applicant.username.encode() not in page.content
    client.post(
        f"/c/{community.slug}/settings/members/",
        {"membership": membership.pk, "action": "approve"},
    )
    membership.refresh_from_db()
    assert membership.state == Membership.State.ACTIVE
    assert membership.welcome_pending
    item.refresh_from_db()
    assert item.state == QueueItem.State.RESOLVED
    assert item.first_action_at is not None
    action = ModerationAction.objects.get(kind=ModerationAction.Kind.MEMBER_APPROVE)
    assert action.subject == membership.alias


def test_declined_applicant_is_told_nothing_more_and_the_log_keeps_the_reason() -> None:
    owner, community = owned_community(join_policy="approval")
    membership = community_join(user=make_user(), community=community)
    admin_services.member_decline(
        actor=owner, community=community, membership_id=membership.pk, reason="Spam account"
    )
    membership.refresh_from_db()
    assert membership.state == Membership.State.LEFT
    action = ModerationAction.objects.get(kind=ModerationAction.Kind.MEMBER_REJECT)
    assert action.reason == "Spam account"
    with pytest.raises(ValidationError):
        admin_services.member_approve(actor=owner, community=community, membership_id=membership.pk)


def test_new_member_must_acknowledge_the_welcome_before_writing(client) -> None:
    owner, community = owned_community(rules="No advice about medication.")
    admin_services.community_settings_update(
        actor=owner, community=community, changes={"welcome_message": "We are glad you came."}
    )
    member = make_user()
    community_join(user=member, community=community)
    with pytest.raises(PermissionDenied, match="welcome"):
        topic_create(user=member, community=community, title="Hello", body="First post")
    client.force_login(member)
    page = client.get(f"/c/{community.slug}/welcome/")
    assert b"We are glad you came." in page.content
    assert b"No advice about medication." in page.content
    client.post(f"/c/{community.slug}/welcome/")
    membership = Membership.objects.get(user=member, community=community)
    assert not membership.welcome_pending
    assert membership.rules_acknowledged is not None
    topic = topic_create(user=member, community=community, title="Hello", body="First post")
    post_reply(user=owner, topic=topic, body="Welcome!")


def test_community_without_rules_or_welcome_needs_no_acknowledgement() -> None:
    _owner, community = owned_community()
    member = make_user()
    community_join(user=member, community=community)
    topic_create(user=member, community=community, title="Hello", body="First post")


def invitation(owner: User, community, **fields) -> Invitation:
    return admin_services.invitation_create(actor=owner, community=community, **fields)


def test_invitation_lets_people_in_past_approval_and_counts_uses(client) -> None:
    owner, community = owned_community(join_policy="invitation", visibility="private", rules="R")
    link = invitation(owner, community, max_uses=2)
    guest = make_user()
    client.force_login(guest)
    assert community.name.encode() in client.get(f"/invite/{link.code}/").content
    response = client.post(f"/invite/{link.code}/")
    assert response.status_code == 302
    assert response["Location"] == f"/c/{community.slug}/welcome/"
    membership = Membership.objects.get(user=guest, community=community)
    assert membership.is_active and membership.welcome_pending
    link.refresh_from_db()
    assert link.uses == 1
    client.post(f"/invite/{link.code}/")  # visiting again does not use it up
    link.refresh_from_db()
    assert link.uses == 1
    audit = ModerationAction.objects.get(target=f"invitation:{link.pk}")
    assert audit.after["max_uses"] == 2


def test_used_up_invitation_is_refused() -> None:
    owner, community = owned_community(join_policy="invitation")
    link = invitation(owner, community, max_uses=1)
    admin_services.invitation_accept(user=make_user(), code=link.code)
    with pytest.raises(ValidationError, match="used up"):
        admin_services.invitation_accept(user=make_user(), code=link.code)


def test_expired_invitation_is_refused(client) -> None:
    owner, community = owned_community(join_policy="invitation")
    link = invitation(owner, community, expires=timezone.now() + timedelta(days=1))
    Invitation.objects.filter(pk=link.pk).update(expires=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="expired"):
        admin_services.invitation_accept(user=make_user(), code=link.code)
    response = client.get(f"/invite/{link.code}/")
    assert response.status_code == 410
    assert b"expired" in response.content
    with pytest.raises(ValidationError):
        invitation(owner, community, expires=timezone.now() - timedelta(days=1))


def test_revoked_invitation_stops_working_at_once(client) -> None:
    owner, community = owned_community(join_policy="invitation")
    link = invitation(owner, community)
    client.force_login(owner)
    client.post(
        f"/c/{community.slug}/settings/invitations/", {"action": "revoke", "invitation": link.pk}
    )
    link.refresh_from_db()
    assert link.revoked is not None
    with pytest.raises(ValidationError, match="withdrawn"):
        admin_services.invitation_accept(user=make_user(), code=link.code)
    assert ModerationAction.objects.filter(
        target=f"invitation:{link.pk}", after={"revoked": True}
    ).exists()


def test_invitation_page_creates_links(client) -> None:
    owner, community = owned_community()
    client.force_login(owner)
    client.post(
        f"/c/{community.slug}/settings/invitations/",
        {"action": "create", "expires_in_days": "3", "max_uses": "5", "note": "March group"},
    )
    link = Invitation.objects.get(community=community)
    assert link.max_uses == 5
    assert link.expires is not None
    page = client.get(f"/c/{community.slug}/settings/invitations/")
    assert f"/invite/{link.code}/".encode() in page.content


def test_banned_member_cannot_come_back_through_an_invitation() -> None:
    owner, community = owned_community()
    member = make_user()
    membership = community_join(user=member, community=community)
    Membership.objects.filter(pk=membership.pk).update(state=Membership.State.BANNED)
    link = invitation(owner, community)
    with pytest.raises(PermissionDenied):
        admin_services.invitation_accept(user=member, code=link.code)


def set_registration(mode: str) -> None:
    row = site_settings()
    row.registration = mode
    row.save()


SIGN_UP = {
    "username": "newcomer",
    "password1": "a-calm-long-pass-9",
    "password2": "a-calm-long-pass-9",
}


def test_closed_registration_refuses_sign_up_with_a_clear_page(client) -> None:
    set_registration(SiteSettings.Registration.CLOSED)
    page = client.get("/accounts/signup/")
    assert b"not taking new sign-ups" in page.content
    client.post("/accounts/signup/", SIGN_UP)
    assert not User.objects.filter(username="newcomer").exists()


def test_invitation_only_registration_needs_a_working_invitation(client) -> None:
    set_registration(SiteSettings.Registration.INVITATION)
    client.post("/accounts/signup/", SIGN_UP)
    assert not User.objects.filter(username="newcomer").exists()
    staff = make_user(is_staff=True)
    from tests.admin.conftest import two_factor_on

    two_factor_on(staff)
    link = admin_services.invitation_create(actor=staff, community=None, max_uses=1)
    assert client.get(f"/invite/{link.code}/").status_code == 200
    response = client.post("/accounts/signup/", SIGN_UP)
    assert response.status_code == 302
    assert User.objects.filter(username="newcomer").exists()
    link.refresh_from_db()
    assert link.uses == 1
    client.logout()
    client.get(f"/invite/{link.code}/")
    client.post("/accounts/signup/", {**SIGN_UP, "username": "second"})
    assert not User.objects.filter(username="second").exists()


def test_community_invitation_opens_sign_up_and_leads_back_to_the_community(client) -> None:
    set_registration(SiteSettings.Registration.INVITATION)
    owner, community = owned_community(join_policy="invitation")
    link = invitation(owner, community, max_uses=1)
    client.get(f"/invite/{link.code}/")
    response = client.post("/accounts/signup/", SIGN_UP)
    assert response["Location"] == f"/invite/{link.code}/"
    client.post(f"/invite/{link.code}/")
    assert Membership.objects.get(user__username="newcomer", community=community).is_active
