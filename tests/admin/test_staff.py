"""Statistics without people, the audited reveal, site settings and the Django admin."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import SiteSettings
from accounts.selectors import site_settings
from accounts.services import alias_reveal, site_settings_update
from forum.admin_selectors import statistics_for
from forum.services import topic_create
from moderation.models import ModerationAction, QueueItem
from tests.admin.conftest import owned_community, two_factor_on
from tests.conftest import make_community, make_member, make_user

pytestmark = pytest.mark.django_db


def staff_member(**fields):
    user = make_user(is_staff=True, **fields)
    two_factor_on(user)
    return user


def test_statistics_count_without_naming_anyone(client) -> None:
    owner, community = owned_community()
    member = make_user("hiddenname")
    membership = make_member(member, community)
    topic_create(user=member, community=community, title="Counted", body="Private words")
    now = timezone.now()
    QueueItem.objects.create(
        community=community,
        source=QueueItem.Source.CRISIS,
        reason="x",
        created=now - timedelta(hours=3),
        first_action_at=now - timedelta(hours=1),
    )
    QueueItem.objects.create(
        community=community,
        source=QueueItem.Source.FLAG,
        reason="y",
        created=now - timedelta(hours=6),
        first_action_at=now - timedelta(hours=2),
    )
    stats = statistics_for(community)
    charts = {chart.key: chart for chart in stats.charts}
    assert stats.members == 2
    assert stats.active_members == 1
    assert charts["posts"].bars[-1].value == 1
    assert charts["crisis"].bars[-1].value == 1
    assert charts["queue"].bars[-1].value == 2
    assert charts["first-action"].bars[-1].value == 3.0  # median of 2 h and 4 h
    client.force_login(owner)
    page = client.get(f"/c/{community.slug}/settings/statistics/")
    content = page.content
    assert b"<svg" in content and b"<title" in content and b"<desc" in content
    assert b"<table" in content
    for secret in (b"hiddenname", membership.alias.name.encode(), b"Private words"):
        assert secret not in content


def test_site_statistics_count_a_person_in_two_communities_once() -> None:
    _owner, first = owned_community()
    second = make_community()
    person = make_user()
    for community in (first, second):
        make_member(person, community)
        topic_create(user=person, community=community, title="Both", body="Writing twice")
    stats = statistics_for(None)
    # The owner and the person: two people, one of them active, whatever their memberships.
    assert stats.members == 2
    assert stats.active_members == 1


def test_site_statistics_are_for_staff_only(client) -> None:
    client.force_login(make_user())
    assert client.get("/staff/statistics/").status_code == 403
    client.force_login(staff_member())
    assert client.get("/staff/statistics/").status_code == 200


def test_reveal_needs_a_reason_is_logged_and_shown_to_other_staff(client) -> None:
    _owner, community = owned_community()
    member = make_user("behindthealias")
    alias = make_member(member, community).alias
    staff, other = staff_member(), staff_member()
    with pytest.raises(ValidationError):
        alias_reveal(actor=staff, alias=alias, reason="curious")
    with pytest.raises(PermissionDenied):
        alias_reveal(actor=make_user(), alias=alias, reason="I would like to know who this is")
    client.force_login(staff)
    response = client.post(
        "/staff/reveal/",
        {
            "community": community.slug,
            "alias": alias.name,
            "reason": "Police request about an imminent risk, ref 123",
        },
    )
    assert b"behindthealias" in response.content
    row = ModerationAction.objects.get(kind=ModerationAction.Kind.REVEAL)
    assert row.subject == alias and row.actor == staff
    client.force_login(other)
    listing = client.get("/staff/reveal/").content
    assert b"Police request about an imminent risk" in listing
    assert alias.name.encode() in listing
    assert b"behindthealias" not in listing


def test_site_settings_page_changes_registration_and_two_factor_rule(client) -> None:
    client.force_login(staff_member())
    assert b'href="/staff/site-settings/"' not in client.get("/").content
    admin = staff_member(is_superuser=True)
    client.force_login(admin)
    # Admins reach the page from the header of every page.
    assert b'href="/staff/site-settings/"' in client.get("/").content
    response = client.post(
        "/staff/site-settings/",
        {
            "registration": "closed",
            "chat_burst": 7,
            "chat_seconds_per_message": 2,
            "posts_per_hour": 30,
            "flags_per_hour": 20,
        },
    )
    assert response.status_code == 302
    row = site_settings()
    assert row.registration == SiteSettings.Registration.CLOSED
    assert not row.require_moderator_mfa
    assert row.chat_burst == 7
    audit = ModerationAction.objects.get(target="site")
    assert audit.after["registration"] == "closed"
    client.force_login(staff_member())
    assert client.get("/staff/site-settings/").status_code == 403
    with pytest.raises(ValidationError):
        site_settings_update(actor=admin, changes={"secret": 1})


def test_django_admin_is_arranged_for_use_and_the_audit_log_is_read_only(client) -> None:
    admin = make_user(is_staff=True, is_superuser=True)
    owner, community = owned_community()
    topic_create(user=owner, community=community, title="T", body="B")
    site_settings()
    ModerationAction.objects.create(actor_label="x", kind="warn", community=community)
    client.force_login(admin)
    for path in (
        "accounts/user",
        "accounts/alias",
        "accounts/sitesettings",
        "forum/community",
        "forum/membership",
        "forum/invitation",
        "forum/topic",
        "forum/post",
        "moderation/moderationaction",
        "moderation/helpline",
        "moderation/lexiconentry",
        "moderation/queueitem",
        "moderation/watchedword",
        "chat/room",
        "chat/message",
    ):
        response = client.get(f"/admin/{path}/?q=a")
        assert response.status_code == 200, path
    assert client.get("/admin/moderation/moderationaction/add/").status_code == 403
    action = ModerationAction.objects.get()
    change = client.get(f"/admin/moderation/moderationaction/{action.pk}/change/")
    assert b'name="_save"' not in change.content
    assert client.post(f"/admin/moderation/moderationaction/{action.pk}/delete/").status_code == 403
    assert client.get("/admin/moderation/helpline/add/").status_code == 200
    assert client.get("/admin/moderation/lexiconentry/add/").status_code == 200
    alias_page = client.get("/admin/accounts/alias/")
    assert owner.username.encode() not in alias_page.content
