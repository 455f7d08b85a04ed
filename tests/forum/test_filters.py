"""Reader filters: muted words (normalised as the crisis scanner normalises) and topics,
crisis posts kept closed, breaks from a community and paused notifications."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.filters import ReaderFilters, filter_phrase_normalise
from accounts.models import User
from accounts.selectors import reader_filters_get
from accounts.services import (
    notifications_pause,
    reader_break_start,
    reader_topic_mute,
    reader_word_mute,
)
from forum.models import Community, Topic
from forum.services import post_reply, topic_create, topic_follow
from tests.conftest import make_community, make_member, make_user

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world() -> tuple[Community, User, User, Topic]:
    community = make_community("filters")
    reader, writer = make_user("reader"), make_user("writer")
    make_member(reader, community)
    make_member(writer, community)
    topic = topic_create(user=writer, community=community, title="Checking in", body="Hello all")
    return community, reader, writer, topic


@pytest.mark.parametrize(
    ("muted", "text", "hidden"),
    [
        ("relapse", "I had a relapse last week", True),
        ("relapse", "I had a R3LAPSE last week", True),
        ("relapse", "I had a r.e.l.a.p.s.e last week", True),
        ("relapse", "Relapse!", True),
        ("relapse", "relapsed", False),  # whole words only
        ("my ex", "Saw my  ex today", True),
        ("my ex", "my exam went fine", False),
    ],
)
def test_muted_words_match_however_they_are_spelled(muted: str, text: str, hidden: bool) -> None:
    filters = ReaderFilters(words=((muted, filter_phrase_normalise(muted)),))
    assert bool(filters.words_in(text)) is hidden


def test_a_post_with_a_muted_word_folds_away_and_names_the_word(world) -> None:
    community, reader, writer, topic = world
    post_reply(user=writer, topic=topic, body="Another RELAPSE for me this week")
    reader_word_mute(user=reader, phrase="relapse")
    html = signed_in(reader).get(f"/c/{community.slug}/t/{topic.pk}/").content.decode()
    assert "Hidden by your filter: “relapse”" in html
    folded = html[html.index("Hidden by your filter") :]
    assert folded.index("</summary>") < folded.index("Another RELAPSE")  # inside the details
    assert (
        "Hidden by your filter"
        not in signed_in(writer).get(f"/c/{community.slug}/t/{topic.pk}/").content.decode()
    )


def test_own_posts_are_never_hidden_from_their_writer(world) -> None:
    community, reader, _writer, topic = world
    post_reply(user=reader, topic=topic, body="my relapse story")
    reader_word_mute(user=reader, phrase="relapse")
    html = signed_in(reader).get(f"/c/{community.slug}/t/{topic.pk}/").content.decode()
    assert "Hidden by your filter" not in html


def test_crisis_posts_stay_closed_for_readers_who_choose_it(world) -> None:
    community, reader, writer, topic = world
    post_reply(user=writer, topic=topic, body="I want to kill myself tonight")
    url = f"/c/{community.slug}/t/{topic.pk}/"
    assert "Hidden by your filter" not in signed_in(reader).get(url).content.decode()
    User.objects.filter(pk=reader.pk).update(hide_crisis_posts=True)
    html = signed_in(reader).get(url).content.decode()
    assert "Hidden by your filter: posts about suicide or self-harm" in html


def test_muted_topic_folds_in_the_list_and_stops_its_notifications(world) -> None:
    community, reader, writer, topic = world
    topic_follow(user=reader, topic=topic, following=True)
    post_reply(user=writer, topic=topic, body="a new reply")
    client = signed_in(reader)
    assert "New reply from" in client.get("/notifications/").content.decode()
    response = client.post(f"/me/filters/topic/{community.slug}/{topic.pk}/", {"mute": "1"})
    assert response.status_code == 302
    listing = client.get(f"/c/{community.slug}/").content.decode()
    assert "A topic you muted" in listing
    assert "New reply from" not in client.get("/notifications/").content.decode()
    assert reader_filters_get(reader).muted_topic_ids == {topic.pk}
    reader_topic_mute(user=reader, topic=topic, muted=False)
    assert "A topic you muted" not in client.get(f"/c/{community.slug}/").content.decode()


def test_topic_titles_with_a_muted_word_fold_and_say_why(world) -> None:
    community, reader, writer, _topic = world
    topic_create(user=writer, community=community, title="Thinking about my ex", body="Hi")
    reader_word_mute(user=reader, phrase="My Ex")
    listing = signed_in(reader).get(f"/c/{community.slug}/").content.decode()
    assert "Hidden by your filter: “My Ex”" in listing


def test_notification_title_with_a_muted_word_says_which_word(world) -> None:
    community, reader, writer, _topic = world
    topic = topic_create(user=writer, community=community, title="Relapse talk", body="Hi")
    topic_follow(user=reader, topic=topic, following=True)
    post_reply(user=writer, topic=topic, body="reply")
    reader_word_mute(user=reader, phrase="relapse")
    html = signed_in(reader).get("/notifications/").content.decode()
    assert "Hidden by your filter: “relapse”" in html


def test_a_break_hides_a_community_and_its_notifications_for_a_while(world) -> None:
    community, reader, writer, topic = world
    topic_follow(user=reader, topic=topic, following=True)
    post_reply(user=writer, topic=topic, body="a reply while away")
    client = signed_in(reader)
    response = client.post(f"/me/filters/break/{community.slug}/", {"days": "7"})
    assert response.status_code == 302
    assert "New reply from" not in client.get("/notifications/").content.decode()
    home = client.get("/").content.decode()
    assert "you're taking a break until" in home
    detail = client.get(f"/c/{community.slug}/").content.decode()
    assert "You're taking a break from" in detail and "topics anyway" in detail
    client.post(f"/me/filters/break/{community.slug}/", {"end": "1"})
    assert "New reply from" in client.get("/notifications/").content.decode()


def test_paused_notifications_hide_the_list_and_the_header_count(world) -> None:
    _community, reader, writer, topic = world
    topic_follow(user=reader, topic=topic, following=True)
    post_reply(user=writer, topic=topic, body="one more")
    notifications_pause(user=reader, days=3)
    client = signed_in(reader)
    html = client.get("/notifications/").content.decode()
    assert "Your notifications are paused until" in html and "New reply from" not in html
    assert client.get("/").context["unread_notifications"] == 0
    notifications_pause(user=reader, days=0)
    assert client.get("/").context["unread_notifications"] == 1


def test_filters_are_listed_and_removable_in_settings(world) -> None:
    _community, reader, _writer, _topic = world
    client = signed_in(reader)
    client.post("/me/filters/word/", {"phrase": "  relapse  "})
    client.post("/me/filters/word/", {"phrase": "RELAPSE"})  # the same word, once
    filters = reader_filters_get(reader)
    assert filters.words == (("relapse", "relapse"),)
    html = client.get("/me/").content.decode()
    assert "Muted word: “relapse”" in html
    filter_id = reader.reader_filters.get().pk
    client.post(f"/me/filters/{filter_id}/remove/")
    assert reader_filters_get(reader).words == ()


def test_a_break_ends_by_itself(world) -> None:
    community, reader, _writer, _topic = world
    reader_break_start(user=reader, community=community, days=1)
    later = timezone.now() + timedelta(days=2)
    assert reader_filters_get(reader).community_on_break(community.pk, later) is None


@pytest.mark.parametrize("replies", [1, 29])
def test_topic_page_reads_the_filters_in_one_query(
    world, replies: int, django_assert_max_num_queries
) -> None:
    community, reader, writer, topic = world
    for index in range(replies):
        post_reply(user=writer, topic=topic, body=f"reply {index} about a relapse")
    reader_word_mute(user=reader, phrase="relapse")
    reader_word_mute(user=reader, phrase="my ex")
    reader_break_start(user=reader, community=make_community(), days=3)
    User.objects.filter(pk=reader.pk).update(hide_crisis_posts=True)
    client = signed_in(reader)
    with django_assert_max_num_queries(17):
        html = client.get(f"/c/{community.slug}/t/{topic.pk}/").content.decode()
    assert html.count("Hidden by your filter") == replies
    with django_assert_max_num_queries(13):
        assert client.get(f"/c/{community.slug}/").status_code == 200
