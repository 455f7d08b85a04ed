"""The owners' settings area: every change takes effect and is written to the audit log."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from chat.models import Message, Room
from chat.services import ChatError, message_send
from forum import admin_services
from forum.models import Community, Membership
from forum.services import community_join, topic_create
from moderation.models import ModerationAction, QueueItem, WatchedWord
from tests.admin.conftest import owned_community, two_factor_on
from tests.conftest import make_community, make_member, make_user

pytestmark = pytest.mark.django_db


def settings_rows(community: Community) -> list[ModerationAction]:
    return list(
        ModerationAction.objects.filter(community=community, kind=ModerationAction.Kind.SETTING)
    )


def test_owner_changes_settings_and_the_log_keeps_before_and_after() -> None:
    owner, community = owned_community(name="Grief")
    admin_services.community_settings_update(
        actor=owner,
        community=community,
        changes={"name": "Grief and loss", "flag_threshold": 5, "rules": "Be **kind**."},
    )
    community.refresh_from_db()
    assert community.name == "Grief and loss"
    assert "<strong>kind</strong>" in community.rules_html
    (row,) = settings_rows(community)
    assert row.before == {"name": "Grief", "flag_threshold": 3, "rules": ""}
    assert row.after == {"name": "Grief and loss", "flag_threshold": 5, "rules": "Be **kind**."}
    assert row.actor == owner


def test_unchanged_settings_write_nothing_to_the_log() -> None:
    owner, community = owned_community()
    admin_services.community_settings_update(
        actor=owner, community=community, changes={"name": community.name}
    )
    assert settings_rows(community) == []


def test_invalid_setting_is_refused() -> None:
    owner, community = owned_community()
    with pytest.raises(ValidationError):
        admin_services.community_settings_update(
            actor=owner, community=community, changes={"visibility": "everyone"}
        )
    with pytest.raises(ValidationError):
        admin_services.community_settings_update(
            actor=owner, community=community, changes={"slug": "elsewhere"}
        )


def test_members_and_moderators_cannot_change_settings() -> None:
    _owner, community = owned_community()
    for role in (Membership.Role.MEMBER, Membership.Role.MODERATOR):
        user = make_user()
        make_member(user, community, role)
        two_factor_on(user)
        with pytest.raises(PermissionDenied):
            admin_services.community_settings_update(
                actor=user, community=community, changes={"name": "Mine now"}
            )


def test_owner_without_two_factor_is_sent_to_set_it_up(client) -> None:
    owner = make_user()
    community = make_community()
    make_member(owner, community, Membership.Role.OWNER)
    client.force_login(owner)
    response = client.get(f"/c/{community.slug}/settings/")
    assert response.status_code == 403
    assert b"Set up two-factor authentication" in response.content
    assert b"/accounts/2fa/totp/activate/" in response.content
    with pytest.raises(admin_services.TwoFactorRequiredError):
        admin_services.community_settings_update(
            actor=owner, community=community, changes={"name": "x"}
        )


def test_settings_page_saves_through_the_form(client) -> None:
    owner, community = owned_community()
    client.force_login(owner)
    page = client.get(f"/c/{community.slug}/settings/")
    assert page.status_code == 200
    form = dict(page.context["form"].initial)
    form.update(
        {
            "name": "Renamed",
            "join_policy": "approval",
            "join_question": "What brings you here?",
            "chat_retention_days": "30",
        }
    )
    data = {key: value for key, value in form.items() if value is not None and value is not False}
    response = client.post(f"/c/{community.slug}/settings/", data)
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.name == "Renamed"
    assert community.join_policy == "approval"
    assert community.chat_retention_days == 30
    assert settings_rows(community)[0].after["join_question"] == "What brings you here?"


def test_visibility_members_only_hides_topics_from_outsiders(client) -> None:
    owner, community = owned_community()
    topic_create(user=owner, community=community, title="Inside", body="Only for us")
    assert b"Inside" in client.get(f"/c/{community.slug}/").content
    admin_services.community_settings_update(
        actor=owner, community=community, changes={"visibility": "members"}
    )
    response = client.get(f"/c/{community.slug}/")
    assert response.status_code == 403
    assert b"Inside" not in response.content


def test_join_policy_decides_how_people_join() -> None:
    owner, community = owned_community()
    admin_services.community_settings_update(
        actor=owner, community=community, changes={"join_policy": "approval"}
    )
    assert community_join(user=make_user(), community=community).state == "pending"
    admin_services.community_settings_update(
        actor=owner, community=community, changes={"join_policy": "invitation"}
    )
    with pytest.raises(ValidationError):
        community_join(user=make_user(), community=community)
    admin_services.community_settings_update(
        actor=owner, community=community, changes={"join_policy": "open"}
    )
    assert community_join(user=make_user(), community=community).state == "active"


def test_moderators_are_added_and_removed_by_alias_and_audited() -> None:
    owner, community = owned_community()
    member = make_user()
    membership = make_member(member, community)
    admin_services.moderator_add(
        actor=owner, community=community, alias_name=membership.alias.name.lower()
    )
    membership.refresh_from_db()
    assert membership.role == Membership.Role.MODERATOR
    admin_services.moderator_remove(
        actor=owner, community=community, alias_name=membership.alias.name
    )
    membership.refresh_from_db()
    assert membership.role == Membership.Role.MEMBER
    rows = settings_rows(community)
    assert [row.after["role"] for row in rows] == ["member", "moderator"]
    assert all(row.subject == membership.alias for row in rows)
    with pytest.raises(ValidationError):
        admin_services.moderator_add(actor=owner, community=community, alias_name="NoSuchPerson")


def test_new_moderator_must_set_up_two_factor_before_acting(client) -> None:
    owner, community = owned_community(join_policy="approval")
    moderator = make_user()
    membership = make_member(moderator, community)
    admin_services.moderator_add(actor=owner, community=community, alias_name=membership.alias.name)
    applicant = community_join(user=make_user(), community=community)
    with pytest.raises(admin_services.TwoFactorRequiredError):
        admin_services.member_approve(
            actor=moderator, community=community, membership_id=applicant.pk
        )
    client.force_login(moderator)
    response = client.get(f"/c/{community.slug}/settings/members/")
    assert response.status_code == 403
    assert b"two-factor" in response.content
    from moderation.permissions import require_moderator

    with pytest.raises(PermissionDenied):
        require_moderator(moderator, community)
    two_factor_on(moderator)
    require_moderator(moderator, community)
    assert client.get(f"/c/{community.slug}/settings/members/").status_code == 200
    admin_services.member_approve(actor=moderator, community=community, membership_id=applicant.pk)
    # Moderators decide on applications but do not change settings.
    assert client.get(f"/c/{community.slug}/settings/").status_code == 403


def test_two_factor_rule_off_lets_moderators_act_without_it() -> None:
    from accounts.selectors import site_settings

    row = site_settings()
    row.require_moderator_mfa = False
    row.save()
    _owner, community = owned_community()
    moderator = make_user()
    make_member(moderator, community, Membership.Role.MODERATOR)
    admin_services.moderator_check(user=moderator, community=community)


def test_rooms_are_created_slowed_and_archived_with_audit() -> None:
    owner, community = owned_community()
    member = make_user()
    make_member(member, community)
    room = admin_services.community_room_create(
        actor=owner, community=community, name="Evening", slug="evening"
    )
    room = admin_services.room_slow_mode_set(actor=owner, room=room, seconds=60)
    assert Room.objects.get(pk=room.pk).slow_mode_seconds == 60
    message_send(actor=member, room_id=room.pk, body="first", client_id="a1")
    with pytest.raises(ChatError):
        message_send(actor=member, room_id=room.pk, body="too soon", client_id="a2")
    admin_services.community_room_archive(actor=owner, room=room)
    with pytest.raises(ChatError):
        message_send(actor=owner, room_id=room.pk, body="anyone?", client_id="a3")
    kinds = list(
        ModerationAction.objects.filter(community=community)
        .order_by("pk")
        .values_list("kind", "target")
    )
    assert kinds == [
        ("room_create", "room:evening"),
        ("setting", "room:evening"),
        ("room_archive", "room:evening"),
    ]
    with pytest.raises(ValidationError):
        admin_services.community_room_create(
            actor=owner, community=community, name="Again", slug="evening"
        )


def test_watched_words_are_added_and_removed_with_audit() -> None:
    owner, community = owned_community()
    word = admin_services.watched_word_add(
        actor=owner, community=community, phrase="  Buy NOW ", action="hold"
    )
    assert word.phrase == "buy now"
    with pytest.raises(ValidationError):
        admin_services.watched_word_add(actor=owner, community=community, phrase="buy now")
    admin_services.watched_word_remove(actor=owner, word=word)
    assert not WatchedWord.objects.filter(community=community).exists()
    rows = settings_rows(community)
    assert {row.target for row in rows} == {"watched_words"}
    assert len(rows) == 2


def test_settings_pages_render_for_the_owner(client, django_assert_max_num_queries) -> None:
    owner, community = owned_community()
    admin_services.community_room_create(
        actor=owner, community=community, name="Lounge", slug="lounge"
    )
    admin_services.invitation_create(actor=owner, community=community, max_uses=3)
    client.force_login(owner)
    for page in ("", "moderators/", "members/", "invitations/", "rooms/", "words/", "log/"):
        with django_assert_max_num_queries(25):
            response = client.get(f"/c/{community.slug}/settings/{page}")
        assert response.status_code == 200, page


def test_settings_pages_post_through_forms(client) -> None:
    owner, community = owned_community()
    member = make_user()
    membership = make_member(member, community)
    client.force_login(owner)
    base = f"/c/{community.slug}/settings"
    client.post(f"{base}/moderators/", {"alias": membership.alias.name, "action": "add"})
    client.post(
        f"{base}/rooms/",
        {"action": "create", "name": "Lounge", "slug": "lounge", "slow_mode_seconds": "5"},
    )
    room = Room.objects.get(community=community, slug="lounge")
    client.post(
        f"{base}/rooms/", {"action": "slow_mode", "room": room.pk, "slow_mode_seconds": "9"}
    )
    client.post(f"{base}/words/", {"do": "add", "phrase": "spam", "action": "hold"})
    client.post(f"{base}/rooms/", {"action": "archive", "room": room.pk})
    membership.refresh_from_db()
    room.refresh_from_db()
    assert membership.role == "moderator"
    assert room.slow_mode_seconds == 9
    assert room.archived
    assert WatchedWord.objects.get(community=community).action == "hold"


def test_chat_retention_command_deletes_only_old_messages_where_set() -> None:
    owner, community = owned_community(chat_retention_days=7)
    _other_owner, forever = owned_community()
    rooms = [
        admin_services.community_room_create(actor=owner, community=community, name="R", slug="r"),
        Room.objects.create(community=forever, name="F", slug="f"),
    ]
    member = make_user()
    make_member(member, community)
    alias = Membership.objects.get(user=member, community=community).alias
    old = timezone.now() - timedelta(days=8)
    kept_alias = Membership.objects.get(user=_other_owner, community=forever).alias
    stale = Message.objects.create(
        room=rooms[0], alias=alias, body="old", body_html="old", created=old
    )
    in_queue = Message.objects.create(
        room=rooms[0], alias=alias, body="q", body_html="q", created=old
    )
    fresh = Message.objects.create(room=rooms[0], alias=alias, body="new", body_html="new")
    ancient = Message.objects.create(
        room=rooms[1], alias=kept_alias, body="kept", body_html="kept", created=old
    )
    QueueItem.objects.create(community=community, source="flag", reason="r", message=in_queue)
    from io import StringIO

    out = StringIO()
    call_command("chat_retention", "--dry-run", stdout=out)
    assert "would delete 1 message" in out.getvalue()
    assert Message.objects.filter(pk=stale.pk).exists()
    call_command("chat_retention", stdout=out)
    remaining = set(Message.objects.values_list("pk", flat=True))
    assert stale.pk not in remaining
    assert {in_queue.pk, fresh.pk, ancient.pk} <= remaining
    assert "chat_retention: 1 message(s) deleted" in out.getvalue()


def test_staff_create_a_community_and_own_it(client) -> None:
    staff = make_user(is_staff=True)
    two_factor_on(staff)
    client.force_login(staff)
    response = client.post(
        "/communities/new/",
        {
            "name": "Carers",
            "slug": "carers-2",
            "description": "",
            "visibility": "members",
            "join_policy": "approval",
        },
    )
    assert response.status_code == 302
    community = Community.objects.get(slug="carers-2")
    assert community.visibility == "members"
    assert Membership.objects.get(user=staff, community=community).role == "owner"
    member = make_user()
    client.force_login(member)
    assert client.get("/communities/new/").status_code == 403
