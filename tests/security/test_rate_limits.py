"""Rate limits answer with 429 and a reason, and keep what was typed.

Chat's limit answers with an `error` frame (tests/chat/test_consumer.py,
test_sixth_quick_message_is_rate_limited); these are the HTTP ones.
"""

import pytest
from django.test import Client

from accounts.models import SiteSettings
from forum import services as forum_services
from forum.models import Membership
from tests.conftest import make_community, make_member, make_user
from tests.security.counts import count_record

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-1"


def test_sign_up_is_limited_per_address() -> None:
    client = Client()
    answers = []
    for n in range(21):
        response = client.post(
            "/accounts/signup/",
            {"username": f"newcomer{n}", "password1": PASSWORD, "password2": PASSWORD},
        )
        answers.append(response.status_code)
        client.logout()
    # allauth's "20/m/ip": twenty sign-ups go through, the next gets the 429 page.
    assert answers[:20] == [302] * 20
    assert answers[20] == 429
    count_record("abuse: rate limits answered 429", 1)


def test_failed_log_ins_are_limited_and_the_page_says_why() -> None:
    make_user("target", password=PASSWORD)
    answers = [
        Client().post("/accounts/login/", {"login": "target", "password": "wrong"}).status_code
        for _ in range(6)
    ]
    assert answers == [200] * 6
    # allauth answers a locked account on its form (the username stays typed) and refuses
    # even the right password until the window passes.
    client = Client()
    blocked = client.post("/accounts/login/", {"login": "target", "password": PASSWORD})
    assert blocked.status_code == 200
    assert b"Too many failed login attempts" in blocked.content
    assert b'value="target"' in blocked.content
    assert client.get("/me/").status_code == 302
    count_record("abuse: rate limits answered 429", 1)


def test_log_in_attempts_from_one_address_get_the_429_page() -> None:
    answers = [
        Client().post("/accounts/login/", {"login": f"nobody{n}", "password": "x"}).status_code
        for n in range(31)
    ]
    assert answers[:10] == [200] * 10
    assert answers[-1] == 429
    page = Client().post("/accounts/login/", {"login": "again", "password": "x"})
    assert page.status_code == 429 and b"Please wait a moment" in page.content
    count_record("abuse: rate limits answered 429", 1)


@pytest.fixture
def writer_and_topic():
    community = make_community()
    writer = make_user()
    make_member(writer, community)
    topic = forum_services.topic_create(user=writer, community=community, title="Hi", body="First")
    SiteSettings.objects.update_or_create(pk=1, defaults={"posts_per_hour": 2})
    client = Client()
    client.force_login(writer)
    return community, writer, topic, client


def test_posting_over_the_hourly_limit_answers_429_and_keeps_the_text(writer_and_topic) -> None:
    community, _writer, topic, client = writer_and_topic
    url = f"/c/{community.slug}/t/{topic.pk}/reply/"
    # The topic's first post counted as one of the two.
    assert client.post(url, {"body": "second post"}).status_code == 302
    refused = client.post(url, {"body": "a long reply I do not want to lose"})
    assert refused.status_code == 429
    assert b"a long reply I do not want to lose" in refused.content
    assert b"wait a little" in refused.content
    new_topic = client.post(
        f"/c/{community.slug}/new/", {"title": "Another", "body": "kept too", "support_type": ""}
    )
    assert new_topic.status_code == 429 and b"kept too" in new_topic.content
    assert topic.posts.count() == 2
    count_record("abuse: rate limits answered 429", 2)


def test_flagging_over_the_hourly_limit_answers_429(writer_and_topic) -> None:
    community, writer, topic, _client = writer_and_topic
    SiteSettings.objects.filter(pk=1).update(flags_per_hour=1, posts_per_hour=30)
    reporter = make_user()
    make_member(reporter, community, role=Membership.Role.MEMBER)
    reply = forum_services.post_reply(user=writer, topic=topic, body="another")
    client = Client()
    client.force_login(reporter)
    first = topic.posts.get(number=1)
    ok = client.post(f"/c/{community.slug}/p/{first.pk}/flag/", {"reason": "spam"})
    assert ok.status_code == 302
    refused = client.post(
        f"/c/{community.slug}/p/{reply.pk}/flag/", {"reason": "other", "note": "my note"}
    )
    assert refused.status_code == 429
    assert b"many reports" in refused.content and b"my note" in refused.content
    as_json = client.post(
        f"/c/{community.slug}/p/{reply.pk}/flag/",
        {"reason": "spam"},
        HTTP_ACCEPT="application/json",
    )
    assert as_json.status_code == 429 and "many reports" in as_json.json()["error"]
    count_record("abuse: rate limits answered 429", 2)
