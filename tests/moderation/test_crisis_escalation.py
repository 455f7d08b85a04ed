"""Crisis language in the forum: the writer sees help, moderators are alerted, peers are
not told who or shown more than a content note."""

import pytest
from django.core.management import call_command
from django.test import Client

from forum.models import Community, ContentState, Membership, Post, Topic
from moderation import services
from moderation.models import CrisisFeedback, MemberNotice, Priority, QueueItem
from tests.conftest import helplines_present, make_community, make_member, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def room():
    helplines_present()
    community = make_community("support", helpline_region="GB")
    writer, reader, moderator = make_user("writername"), make_user("readername"), make_user()
    make_member(writer, community)
    make_member(reader, community)
    make_member(moderator, community, role=Membership.Role.MODERATOR)
    clients = {}
    for name, user in (("writer", writer), ("reader", reader), ("moderator", moderator)):
        clients[name] = Client()
        clients[name].force_login(user)
    topic_response = clients["reader"].post(
        "/c/support/new/",
        {"title": "Evening check-in", "body": "How is everyone?", "support_type": "community"},
    )
    assert topic_response.status_code == 302
    return {
        "community": community,
        "writer": writer,
        "moderator": moderator,
        "clients": clients,
        "topic": Topic.objects.get(),
    }


def reply(room, text: str):
    return room["clients"]["writer"].post(
        f"/c/support/t/{room['topic'].pk}/reply/", {"body": text}, follow=True
    )


def test_the_writer_sees_the_support_card_and_the_post_is_published(room) -> None:
    page = reply(room, "I want to kill myself").content.decode()
    assert 'id="support-card-title"' in page
    assert "Samaritans" in page and "116 123" in page
    post = Post.objects.get(number=2)
    assert post.state == ContentState.VISIBLE and post.crisis_severity == "high"


def test_the_card_shows_once_per_topic_unless_the_severity_rises(room) -> None:
    assert 'id="support-card-title"' in reply(room, "I want to die").content.decode()
    assert 'id="support-card-title"' not in reply(room, "I just want to die").content.decode()
    raised = reply(room, "I have the pills ready and I'm taking them all tonight")
    assert 'id="support-card-title"' in raised.content.decode()


def test_other_readers_see_a_content_note_not_the_card_nor_who_wrote_it(room) -> None:
    reply(room, "I want to kill myself")
    page = room["clients"]["reader"].get(f"/c/support/t/{room['topic'].pk}/").content.decode()
    assert "crisis-note" in page and "How to reply" in page
    assert 'id="support-card-title"' not in page
    assert "writername" not in page
    assert "Replying to someone who is struggling" in page


def test_high_and_imminent_alert_moderators_grouped_and_raised(room) -> None:
    reply(room, "I want to die")
    assert not QueueItem.objects.filter(source="crisis").exists()
    reply(room, "I want to kill myself")
    item = QueueItem.objects.get(source="crisis")
    assert item.priority == Priority.HIGH and item.severity == "high"
    reply(room, "I have the pills ready and I'm taking them all tonight")
    item = QueueItem.objects.get(source="crisis")
    assert item.priority == Priority.IMMINENT and item.severity == "imminent"
    details = item.crisis_details
    assert "<mark>" in details["highlighted"] and details["lexicon_version"]
    assert item.subject == room["writer"].memberships.get().alias
    page = room["clients"]["moderator"].get(f"/mod/item/{item.pk}/").content.decode()
    assert "imminent" in page and "<mark>" in page and "writername" not in page


def test_titles_are_assessed_too(room) -> None:
    room["clients"]["writer"].post(
        "/c/support/new/",
        {"title": "I want to kill myself", "body": "That's all.", "support_type": "emotional"},
    )
    assert QueueItem.objects.filter(source="crisis", severity="high").exists()


def test_idioms_and_negations_raise_nothing(room) -> None:
    page = reply(room, "This traffic is killing me. I'm not suicidal, just tired.")
    assert 'id="support-card-title"' not in page.content.decode()
    assert not QueueItem.objects.exists()


def test_hold_policy_holds_high_posts_and_tells_the_writer_gently(room) -> None:
    Community.objects.filter(pk=room["community"].pk).update(crisis_hold="hold")
    page = reply(room, "I want to kill myself").content.decode()
    assert "a moderator reads posts like yours first" in page
    post = Post.objects.get(number=2)
    assert post.state == ContentState.PENDING
    reader_page = room["clients"]["reader"].get(f"/c/support/t/{room['topic'].pk}/")
    assert "I want to kill myself" not in reader_page.content.decode()
    item = QueueItem.objects.get(source="crisis")
    services.queue_item_decide(actor=room["moderator"], item=item, decision="approve")
    post.refresh_from_db()
    assert post.state == ContentState.VISIBLE


def test_check_in_sends_the_writer_a_private_message(room) -> None:
    reply(room, "I want to kill myself")
    item = QueueItem.objects.get(source="crisis")
    room["clients"]["moderator"].post(f"/mod/item/{item.pk}/check-in/")
    notice = MemberNotice.objects.get(user=room["writer"])
    assert notice.kind == "check_in"
    page = room["clients"]["writer"].get("/me/notices/").content.decode()
    assert "checking in" in page.lower() or "check in" in page.lower()
    assert "/help/" in page


def test_the_writer_can_ask_the_moderators_to_check_in(room) -> None:
    response = room["clients"]["writer"].post("/c/support/ask-check-in/", follow=True)
    assert "A moderator will check in" in response.content.decode()
    item = QueueItem.objects.get()
    assert item.source == "crisis" and item.priority == Priority.HIGH


def test_false_alarm_feedback_is_kept_and_exported(room, capsys) -> None:
    reply(room, "I want to kill myself")
    item = QueueItem.objects.get(source="crisis")
    room["clients"]["moderator"].post(
        f"/mod/item/{item.pk}/crisis-feedback/", {"verdict": "false_positive"}
    )
    assert CrisisFeedback.objects.get().detected_severity == "high"
    call_command("crisis_feedback_export")
    assert "I want to kill myself\tnone\tmoderator false_positive" in capsys.readouterr().out


def test_admin_lexicon_entries_take_effect_without_a_deploy(room) -> None:
    from moderation.models import LexiconEntry

    # A new slang word (made up here, so neither the lexicon nor the risk model knows it).
    reply(room, "zorbmoon")
    assert not QueueItem.objects.exists()
    LexiconEntry.objects.create(phrase="zorbmoon", category="suicidal_ideation", severity="high")
    reply(room, "zorbmoon tonight")
    assert QueueItem.objects.filter(source="crisis").exists()


def test_admin_lexicon_entries_may_be_patterns(room) -> None:
    from moderation.models import LexiconEntry

    LexiconEntry.objects.create(
        phrase="(walk|wade) ... into the (sea|lake)", category="plan_or_means", severity="high"
    )
    reply(room, "i keep wanting to walk slowly into the sea")
    assert QueueItem.objects.filter(source="crisis").exists()


@pytest.mark.parametrize(
    ("phrase", "category", "field"),
    [
        ("(unbalanced", "suicidal_ideation", "phrase"),
        ("... starts with a gap", "suicidal_ideation", "phrase"),
        ("a fine phrase", "not_a_category", "category"),
    ],
)
def test_the_admin_form_refuses_an_unusable_lexicon_entry(phrase, category, field) -> None:
    from django.core.exceptions import ValidationError

    from moderation.models import LexiconEntry

    entry = LexiconEntry(phrase=phrase, category=category, severity="high")
    with pytest.raises(ValidationError) as refused:
        entry.full_clean()
    assert field in refused.value.message_dict


def test_a_bad_stored_entry_is_skipped_not_fatal(room, caplog) -> None:
    from moderation.crisis_lexicon import current_lexicon, lexicon_changed
    from moderation.models import LexiconEntry

    LexiconEntry.objects.create(phrase="(broken", category="suicidal_ideation", severity="high")
    LexiconEntry.objects.create(
        phrase="the long sleep", category="suicidal_ideation", severity="high"
    )
    lexicon_changed()
    lexicon = current_lexicon()
    assert any(entry.phrase == "the long sleep" for entry in lexicon.entries)
    assert "skipped" in caplog.text
    reply(room, "I want to kill myself")
    assert QueueItem.objects.filter(source="crisis").exists()


def test_indirect_language_the_model_reads_reaches_moderators_with_its_scores(room) -> None:
    """No phrase of the lexicon is in these words; the risk model raises them to high."""
    text = "i keep looking at the bottle of pills in the cupboard and counting them"
    page = reply(room, text).content.decode()
    assert 'id="support-card-title"' in page
    item = QueueItem.objects.get(source="crisis")
    assert item.severity == "high" and item.priority == Priority.HIGH
    assert item.crisis_details["categories"] == ["indirect_risk"]
    assert item.crisis_details["model"]["moderator_risk"] >= 0.7
    view = room["clients"]["moderator"].get(f"/mod/item/{item.pk}/").content.decode()
    assert "No listed phrase matched" in view and "risk model 1" in view
    room["clients"]["moderator"].post(
        f"/mod/item/{item.pk}/crisis-feedback/", {"verdict": "false_positive"}
    )
    assert CrisisFeedback.objects.get().lexicon_version.endswith("model 1")


def test_warm_up_builds_the_lexicon_and_reads_the_model_before_any_message() -> None:
    from moderation.crisis import default_lexicon, default_model
    from moderation.crisis_lexicon import warm_up

    default_lexicon.cache_clear()
    default_model.cache_clear()
    warm_up()  # config/asgi.py calls it when a server process starts
    assert default_lexicon.cache_info().currsize == 1
    assert default_model.cache_info().currsize == 1
