"""The member's safety plan: guided steps, autosave, privacy, export and deletion; the support
card shows it first; quick exit; the reply checklist; staffed hours."""

import json
from datetime import UTC, datetime, time
from typing import Any

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.test import Client
from django.urls import NoReverseMatch, reverse

from accounts.export import member_export
from accounts.models import SafetyPlan, SiteSettings, User
from accounts.services import account_delete, safety_plan_save
from chat.models import Message, Room
from chat.services import message_send
from forum.models import Community, Membership
from forum.selectors import staffed_status
from forum.services import post_reply, topic_create
from moderation.models import ModerationAction, QueueItem
from moderation.support import support_frame
from tests.conftest import helplines_present, make_community, make_member, make_user

pytestmark = pytest.mark.django_db

MARKER = "zebra-umbrella-7431"
CRISIS = "I want to kill myself tonight"


def signed_in(user: User, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def page(client: Client, url: str) -> str:
    response = client.get(url, follow=True)
    return response.content.decode(errors="replace")


def plan_with_marker(user: User) -> SafetyPlan:
    return safety_plan_save(
        user=user,
        changes={
            "warning_signs": f"Not sleeping {MARKER}",
            "coping_strategies": f"Walk the dog {MARKER}",
            "people_to_ask": f"My sister 07700 900123 {MARKER}",
            "reasons_for_living": f"My nephew {MARKER}",
        },
    )


# --- The guided plan ----------------------------------------------------------------------


def test_member_writes_a_plan_one_step_at_a_time_without_javascript() -> None:
    member = make_user()
    client = signed_in(member)
    assert "Start with step 1" in page(client, "/me/safety-plan/")
    first = client.get("/me/safety-plan/step/1/").content.decode()
    assert "Step 1 of 7" in first and "My warning signs" in first
    response = client.post(
        "/me/safety-plan/step/1/", {"warning_signs": "Pulling away", "go": "next"}
    )
    assert response.status_code == 302 and response["Location"] == "/me/safety-plan/step/2/"
    # Every step is optional: skipping one and stopping keeps what was written.
    response = client.post("/me/safety-plan/step/3/", {"people_and_places": "", "go": "done"})
    assert response["Location"] == "/me/safety-plan/"
    plan = SafetyPlan.objects.get(user=member)
    assert plan.warning_signs == "Pulling away" and plan.people_and_places == ""
    overview = page(client, "/me/safety-plan/")
    assert "Pulling away" in overview and "Save as a file" in overview


def test_plan_is_saved_as_the_member_types_through_json_with_csrf() -> None:
    member = make_user()
    client = signed_in(member, enforce_csrf_checks=True)
    step = client.get("/me/safety-plan/step/2/").content.decode()
    assert 'data-save-url="/me/safety-plan/save/"' in step and "data-plan-draft=" in step
    token = client.cookies["csrftoken"].value
    body = json.dumps({"changes": {"coping_strategies": "Music, a shower"}})
    refused = client.post("/me/safety-plan/save/", body, content_type="application/json")
    assert refused.status_code == 403
    saved = client.post(
        "/me/safety-plan/save/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert saved.status_code == 200 and saved.json()["saved"] is True
    assert SafetyPlan.objects.get(user=member).coping_strategies == "Music, a shower"
    unknown = client.post(
        "/me/safety-plan/save/",
        json.dumps({"changes": {"user_id": "1"}}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert unknown.status_code == 400


def test_autosave_when_signed_out_answers_401_not_the_login_page() -> None:
    """The script forgets its copy on the device only after {"saved": true}; a redirect to
    the login page must never look like a save."""
    response = Client().post(
        "/me/safety-plan/save/",
        json.dumps({"changes": {"warning_signs": "kept on the device"}}),
        content_type="application/json",
    )
    assert response.status_code == 401 and "saved" not in response.json()
    assert not SafetyPlan.objects.exists()


def test_autosave_script_keeps_the_draft_until_the_server_confirms() -> None:
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "static/js/safety_plan.js").read_text()
    assert 'redirect: "error"' in script and "answer.saved !== true" in script
    # Forgetting happens only in the success path, after the confirmation.
    assert script.index("answer.saved !== true") < script.index("delete now[field]")


def test_plan_pages_are_never_cached() -> None:
    member = make_user()
    client = signed_in(member)
    for url in (
        "/me/safety-plan/",
        "/me/safety-plan/step/1/",
        "/me/safety-plan/download/",
        "/me/export/",
    ):
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_plan_pages_need_the_member_signed_in() -> None:
    for url in ("/me/safety-plan/", "/me/safety-plan/step/1/", "/me/safety-plan/download/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_refused_save_keeps_the_typed_text_on_the_page() -> None:
    member = make_user()
    client = signed_in(member)
    too_long = "x" * 4001
    response = client.post("/me/safety-plan/step/2/", {"coping_strategies": too_long})
    assert response.status_code == 400
    assert too_long in response.content.decode()
    assert not SafetyPlan.objects.filter(user=member).exists()


def test_draft_key_differs_between_accounts_and_never_names_them() -> None:
    first, second = make_user("firstperson"), make_user("secondperson")
    keys = []
    for user in (first, second):
        html = signed_in(user).get("/me/safety-plan/step/1/").content.decode()
        key = html.split('data-plan-draft="', 1)[1].split('"', 1)[0]
        assert user.username not in key and str(user.pk) != key.rsplit(".", 1)[-1]
        keys.append(key)
    assert keys[0] != keys[1]


def test_professionals_step_starts_with_the_members_crisis_lines() -> None:
    helplines_present()
    member = make_user(country="GB")
    html = signed_in(member).get("/me/safety-plan/step/5/").content.decode()
    assert "Samaritans" in html
    plan = safety_plan_save(user=member, changes={"warning_signs": "Tired"})
    assert "Samaritans" in plan.professionals


def test_without_a_country_the_browsers_region_prefills_the_crisis_lines() -> None:
    helplines_present()
    member = make_user()
    client = signed_in(member, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    assert "Samaritans" in client.get("/me/safety-plan/step/5/").content.decode()
    client.post("/me/safety-plan/step/1/", {"warning_signs": "Tired", "go": "done"})
    assert "Samaritans" in SafetyPlan.objects.get(user=member).professionals


def test_plan_downloads_as_a_text_file_and_prints() -> None:
    member = make_user()
    safety_plan_save(user=member, changes={"reasons_for_living": "My cat"})
    client = signed_in(member)
    response = client.get("/me/safety-plan/download/")
    assert response["Content-Disposition"] == 'attachment; filename="my-safety-plan.txt"'
    text = response.content.decode()
    assert "My reasons for living" in text and "My cat" in text
    assert "data-print" in page(client, "/me/safety-plan/")


def test_help_page_links_a_signed_in_member_to_their_plan() -> None:
    html = page(signed_in(make_user()), "/help/")
    assert 'href="/me/safety-plan/"' in html
    assert "not an emergency service" in html


# --- Privacy ------------------------------------------------------------------------------


def _admin_urls() -> list[str]:
    urls = ["/admin/"]
    for model, _model_admin in admin.site._registry.items():
        meta = model._meta
        try:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        except NoReverseMatch:
            continue
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(
                reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            )
    return urls


def test_nobody_else_ever_sees_the_plan() -> None:
    """A plan with a unique marker, its writer's crisis post and chat message in the queue;
    moderator, staff and admin crawl every page, export and log: the marker never shows."""
    helplines_present()
    SiteSettings.objects.update_or_create(pk=1, defaults={"require_moderator_mfa": False})
    community = make_community("private-plan")
    room = Room.objects.create(community=community, name="Lounge", slug="lounge")
    writer, peer = make_user("planwriter"), make_user()
    moderator = make_user()
    staff = make_user(is_staff=True)
    superuser = make_user(is_staff=True, is_superuser=True)
    make_member(writer, community)
    make_member(peer, community)
    make_member(moderator, community, role=Membership.Role.MODERATOR)
    plan_with_marker(writer)
    topic = topic_create(user=peer, community=community, title="Hard week", body="Hello")
    post = post_reply(user=writer, topic=topic, body=CRISIS)
    message_send(actor=writer, room_id=room.pk, body=CRISIS, client_id="p-1")
    writer_alias = Membership.objects.get(user=writer, community=community).alias
    # The writer also asks for a check-in from the card and mutes a word of their own.
    writer_client = signed_in(writer)
    writer_client.post(f"/c/{community.slug}/ask-check-in/")
    writer_client.post("/me/filters/word/", {"phrase": MARKER})
    items = list(QueueItem.objects.filter(community=community))
    assert items, "the crisis detector opened queue items"

    urls = [
        "/mod/",
        f"/c/{community.slug}/mod/",
        f"/c/{community.slug}/mod/log/",
        f"/c/{community.slug}/mod/log.csv",
        *[f"/mod/item/{item.pk}/" for item in items],
        f"/c/{community.slug}/t/{topic.pk}/",
        f"/c/{community.slug}/chat/{room.slug}/",
        f"/c/{community.slug}/mod/member/{writer_alias.pk}/",
        f"/c/{community.slug}/settings/",
        f"/c/{community.slug}/settings/members/",
        f"/c/{community.slug}/settings/log/",
        f"/c/{community.slug}/settings/statistics/",
        "/staff/reveal/",
        "/staff/site-settings/",
        "/staff/statistics/",
        "/me/notices/",
        "/notifications/",
        "/me/",
        "/me/export/",
        "/me/export.json",
        "/me/safety-plan/",
        "/me/safety-plan/download/",
        "/help/",
        "/privacy/",
    ]
    # The writer's own account in the admin: its page, its history and what deleting it
    # would remove (which must not even say that a safety plan exists).
    writer_admin = [
        reverse("admin:accounts_user_change", args=[writer.pk]),
        reverse("admin:accounts_user_history", args=[writer.pk]),
        reverse("admin:accounts_user_delete", args=[writer.pk]),
    ]
    checked = deletion_summaries = 0
    for viewer in (moderator, staff, superuser, peer):
        client = signed_in(viewer)
        for url in [*urls, *(_admin_urls() + writer_admin if viewer.is_staff else [])]:
            response = client.get(url, follow=True)
            body = b"".join(response) if response.streaming else response.content
            assert MARKER.encode() not in body, f"{url} shows the plan to {viewer}"
            if url == writer_admin[-1] and response.status_code == 200:
                # The deletion summary lists related rows: not the private ones.
                assert b"Delete" in body and b"Alias" in body
                assert b"afety plan" not in body and b"eader filter" not in body, url
                deletion_summaries += 1
            checked += 1
        # The reveal page names the account behind the alias, never the plan.
        client.post(
            "/staff/reveal/",
            {
                "community": community.slug,
                "alias": writer_alias.name,
                "reason": "Checking the plan is never shown here, for a test.",
            },
        )
    assert checked > 80 and deletion_summaries == 1
    assert SafetyPlan.objects.get(user=writer).warning_signs.endswith(MARKER)
    assert MARKER not in json.dumps(list(ModerationAction.objects.values()), default=str)
    assert MARKER not in json.dumps(list(QueueItem.objects.values()), default=str)
    for user in (moderator, staff, superuser, peer):
        assert MARKER not in json.dumps(member_export(user.pk), default=str)
    # The peer's chat frames never carry another member's plan (the frame goes to its writer).
    assert MARKER not in json.dumps(support_frame(user=peer, community=community, severity="high"))
    assert post.crisis_severity


@pytest.mark.parametrize("mode", ["remove", "keep"])
def test_the_plan_is_in_the_members_own_export_and_gone_with_the_account(mode: str) -> None:
    member, other = make_user(), make_user()
    plan_with_marker(member)
    safety_plan_save(user=other, changes={"warning_signs": "Someone else's plan"})
    exported = json.dumps(member_export(member.pk))
    assert MARKER in exported and "My reasons for living" in exported
    assert "Someone else's plan" not in exported
    client = signed_in(member)
    assert MARKER in page(client, "/me/export/")
    download = client.get("/me/export.json")
    assert MARKER.encode() in b"".join(download)
    account_delete(user=member, mode=mode)
    assert list(SafetyPlan.objects.values_list("user", flat=True)) == [other.pk]
    assert MARKER not in json.dumps(list(ModerationAction.objects.values()), default=str)


def test_deleting_the_plan_removes_it_and_is_not_audited() -> None:
    member = make_user()
    plan_with_marker(member)
    audit_rows = ModerationAction.objects.count()
    client = signed_in(member)
    response = client.post("/me/safety-plan/delete/")
    assert response.status_code == 302
    assert not SafetyPlan.objects.filter(user=member).exists()
    assert ModerationAction.objects.count() == audit_rows
    assert "Start with step 1" in page(client, "/me/safety-plan/")


def test_the_plan_is_not_in_the_admin() -> None:
    assert SafetyPlan not in admin.site._registry


# --- The support card shows the plan first ------------------------------------------------


def _crisis_reply(client: Client, community: Community, topic_id: int) -> str:
    response = client.post(
        f"/c/{community.slug}/t/{topic_id}/reply/", {"body": CRISIS}, follow=True
    )
    # The page with the card (and the writer's plan) is never kept in a cache.
    assert "no-store" in response["Cache-Control"]
    return response.content.decode()


def test_topic_support_card_shows_the_writers_plan_before_the_helplines() -> None:
    helplines_present()
    community = make_community(helpline_region="GB")
    writer = make_user()
    make_member(writer, community)
    plan_with_marker(writer)
    topic = topic_create(user=writer, community=community, title="Tonight", body="Hi")
    html = _crisis_reply(signed_in(writer), community, topic.pk)
    card = html[html.index('class="card support-card"') :]
    assert MARKER in card and "Your safety plan" in card
    assert card.index(MARKER) < card.index("Samaritans")
    assert card.index("Walk the dog") < card.index("You can talk to someone now")
    assert "Kindred cannot locate anyone" in card
    assert "They see your post or message and your alias, nothing else" in card


def test_without_a_plan_the_card_offers_one_gently() -> None:
    community = make_community()
    writer = make_user()
    make_member(writer, community)
    topic = topic_create(user=writer, community=community, title="Tonight", body="Hi")
    html = _crisis_reply(signed_in(writer), community, topic.pk)
    assert "make a safety plan" in html and "There's no rush" in html


def test_chat_support_frame_carries_the_plan_first_or_an_offer() -> None:
    community = make_community()
    with_plan, without = make_user(), make_user()
    plan_with_marker(with_plan)
    frame = support_frame(user=with_plan, community=community, severity="high")
    assert list(frame)[:4] == ["type", "severity", "plan", "plan_url"]
    titles = [step["title"] for step in frame["plan"]["steps"]]
    assert titles == [
        "My warning signs",
        "Things I can do on my own",
        "People I can ask for help",
        "Professionals and services I can contact",  # prefilled with crisis lines
        "My reasons for living",
    ]
    assert frame["plan"]["url"] == "/me/safety-plan/"
    empty = support_frame(user=without, community=community, severity="concern")
    assert empty["plan"] is None and empty["plan_url"] == "/me/safety-plan/"


@pytest.mark.django_db(transaction=True)
async def test_chat_writer_receives_their_plan_in_the_support_frame() -> None:
    from channels.db import database_sync_to_async

    from tests.chat.conftest import build_site, joined, next_frame, send

    site = await database_sync_to_async(build_site)()
    await database_sync_to_async(plan_with_marker)(site.alice)
    writer = await joined(site.path, site.alice)
    peer = await joined(site.path, site.bob)
    await send(writer, type="send", client_id="plan-1", body=CRISIS)
    await next_frame(writer, "ack")
    support = await next_frame(writer, "support")
    assert MARKER in json.dumps(support["plan"])
    assert support["plan"]["steps"][0]["title"] == "My warning signs"
    peer_frames = []
    while not await peer.receive_nothing(timeout=0.3):
        peer_frames.append(await peer.receive_from())
    assert MARKER not in "".join(peer_frames)
    for communicator in (writer, peer):
        await communicator.disconnect()


def test_chat_room_renders_the_plan_before_the_helplines() -> None:
    community = make_community("planroom")
    Room.objects.create(community=community, name="Lounge", slug="lounge")
    member = make_user()
    make_member(member, community)
    html = page(signed_in(member), "/c/planroom/chat/lounge/")
    card = html[html.index('id="chat-support"') :]
    assert card.index('id="chat-support-plan"') < card.index('class="support-resources"')
    assert card.index('id="chat-support-plan-offer"') < card.index('class="support-resources"')


# --- Quick exit -----------------------------------------------------------------------------


def test_every_page_has_quick_exit_unless_the_member_turns_it_off(settings) -> None:
    settings.KINDRED_QUICK_EXIT_URL = "https://www.bbc.co.uk/weather"
    visitor = Client().get("/").content.decode()
    assert 'href="https://www.bbc.co.uk/weather"' in visitor and "data-quick-exit" in visitor
    assert "js/quick_exit.js" in visitor and "Leave quickly" in visitor
    member = make_user()
    client = signed_in(member)
    assert "data-quick-exit" in page(client, "/help/")
    response = client.post(
        "/me/",
        {"country": "", "notify_replies": "on", "notify_mentions": "on", "quick_exit": ""},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.quick_exit is False
    html = page(client, "/")
    assert "data-quick-exit" not in html and "js/quick_exit.js" not in html


def test_quick_exit_script_replaces_the_location() -> None:
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "static/js/quick_exit.js").read_text()
    assert "location.replace(" in script and "location.assign" not in script
    assert "location.href =" not in script
    # Kindred pages reached again through Back leave again at once.
    assert '"back_forward"' in script and "pageshow" in script


def test_quick_exit_is_on_error_pages_too(settings) -> None:
    settings.KINDRED_QUICK_EXIT_URL = "https://www.bbc.co.uk/weather"
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "data-quick-exit" in html and "Leave quickly" in html and "/help/" in html
    # It loads in <head> as a classic script, so the Back guard runs before the page shows.
    head = html[: html.index("</head>")]
    assert '<script src="/static/js/quick_exit.js"></script>' in head
    assert 'data-quick-exit-url="https://www.bbc.co.uk/weather"' in head
    # The server error page is rendered without a request, and still offers it.
    from django.template import Context, loader

    server_error = loader.get_template("500.html").template.render(Context())  # type: ignore[attr-defined]
    assert "data-quick-exit" in server_error and "Leave quickly" in server_error


# --- The reply checklist and staffed hours --------------------------------------------------


def test_reply_checklist_shows_only_where_the_detector_fired() -> None:
    community = make_community("checklist")
    room = Room.objects.create(community=community, name="Lounge", slug="lounge")
    writer, reader = make_user(), make_user()
    make_member(writer, community)
    make_member(reader, community)
    calm = topic_create(user=writer, community=community, title="Calm", body="A good day")
    hard = topic_create(user=writer, community=community, title="Hard", body="Hello")
    post_reply(user=writer, topic=hard, body=CRISIS)
    client = signed_in(reader)
    assert "reply-checklist" not in page(client, f"/c/checklist/t/{calm.pk}/")
    hard_page = page(client, f"/c/checklist/t/{hard.pk}/")
    assert "reply-checklist" in hard_page and "/help/replying/" in hard_page
    assert "reply-checklist" not in page(client, "/c/checklist/chat/lounge/")
    message_send(actor=writer, room_id=room.pk, body="hello all", client_id="n-1")
    assert "reply-checklist" not in page(client, "/c/checklist/chat/lounge/")
    message_send(actor=writer, room_id=room.pk, body=CRISIS, client_id="n-2")
    assert Message.objects.filter(room=room).count() == 2
    room_page = page(client, "/c/checklist/chat/lounge/")
    assert "reply-checklist" in room_page and "Never share details of methods" in room_page
    # It never blocks writing: the composer is still there.
    assert 'id="chat-form"' in room_page


def test_reply_checklist_follows_the_topic_onto_later_pages() -> None:
    community = make_community("longtopic")
    writer, reader = make_user(), make_user()
    make_member(writer, community)
    make_member(reader, community)
    topic = topic_create(user=writer, community=community, title="Long", body=CRISIS)
    for number in range(31):
        cache.clear()  # the hourly posting limit lives in the cache
        post_reply(user=reader, topic=topic, body=f"Thinking of you ({number})")
    client = signed_in(reader)
    later = page(client, f"/c/longtopic/t/{topic.pk}/?page=2")
    assert CRISIS not in later and "reply-checklist" in later


def _staffed(community: Community, days: str, start: str, end: str, zone: str = "UTC") -> None:
    community.staffed_days = days
    community.staffed_from = time.fromisoformat(start)
    community.staffed_until = time.fromisoformat(end)
    community.staffed_timezone = zone


@pytest.mark.parametrize(
    ("days", "start", "end", "now", "around", "text"),
    [
        # 2030-01-07 is a Monday.
        ("12345", "18:00", "22:00", "2030-01-07T19:00", True, "22:00"),
        ("12345", "18:00", "22:00", "2030-01-07T12:00", False, "today at 18:00"),
        ("12345", "18:00", "22:00", "2030-01-07T23:00", False, "tomorrow at 18:00"),
        ("12345", "18:00", "22:00", "2030-01-11T23:00", False, "on Monday at 18:00"),
        ("5", "20:00", "02:00", "2030-01-12T01:00", True, "02:00"),  # Friday night, past 0:00
        ("5", "20:00", "02:00", "2030-01-12T03:00", False, "on Friday at 20:00"),
    ],
)
def test_staffed_hours_say_whether_moderators_are_around(
    days: str, start: str, end: str, now: str, around: bool, text: str
) -> None:
    community = make_community()
    _staffed(community, days, start, end)
    status = staffed_status(community, datetime.fromisoformat(now).replace(tzinfo=UTC))
    assert status is not None and status.now is around
    assert text == (status.until if around else status.next_start)


def test_staffed_hours_follow_the_communitys_time_zone() -> None:
    community = make_community()
    _staffed(community, "1234567", "09:00", "17:00", zone="America/New_York")
    status = staffed_status(community, datetime(2030, 1, 7, 15, 0, tzinfo=UTC))  # 10:00 in NY
    assert status is not None and status.now and status.timezone_name == "America/New_York"
    assert staffed_status(make_community()) is None


def test_owner_sets_staffed_hours_and_every_composer_shows_them() -> None:
    SiteSettings.objects.update_or_create(pk=1, defaults={"require_moderator_mfa": False})
    community = make_community("staffed")
    Room.objects.create(community=community, name="Lounge", slug="lounge")
    owner, member = make_user(), make_user()
    make_member(owner, community, role=Membership.Role.OWNER)
    make_member(member, community)
    owner_client = signed_in(owner)
    form = owner_client.get("/c/staffed/settings/").context["form"]
    data = {
        key: value
        for key, value in form.initial.items()
        if value is not None and key not in {"staffed_days"}
    }
    data.update(
        {
            "staffed_days": ["1", "2", "3", "4", "5", "6", "7"],
            "staffed_from": "00:00",
            "staffed_until": "00:00",
            "staffed_timezone": "Europe/London",
        }
    )
    data = {key: value for key, value in data.items() if value is not False}
    response = owner_client.post("/c/staffed/settings/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    community.refresh_from_db()
    assert community.staffed_days == "1234567"
    audit = ModerationAction.objects.filter(kind=ModerationAction.Kind.SETTING).latest("pk")
    assert audit.after["staffed_days"] == "1234567" and audit.after["staffed_from"] == "00:00:00"
    topic = topic_create(user=member, community=community, title="Hi", body="Hello")
    client = signed_in(member)
    for url in ("/c/staffed/new/", f"/c/staffed/t/{topic.pk}/", "/c/staffed/chat/lounge/"):
        assert "Moderators are around now" in page(client, url), url
