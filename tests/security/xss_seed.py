"""Seed a site with the XSS corpus, through the services, for tests/e2e/test_xss.py.

Run in the site's environment: `python -m tests.security.xss_seed` (cwd: the repository).
Writes one JSON line on stdout describing what it made (ids, slugs, counts).

Layout, so that a page load checks many payloads at once:
- community `xss`: one topic per payload (title = the payload, body = the payload), listed
  25 to a page; and "batch" topics of 30 posts each (first post and 29 replies) that hold
  every payload as a post;
- chat rooms `r0`, `r1`, … in `xss`, at most 99 messages each (a first visit catches up on
  the newest 100), stored with `chat.services.message_send`; room names are payloads too;
- one community per payload (slug `x<n>`) whose name (≤ 80 characters) and description
  (≤ 300) are the payload; river is a member of each, so they show on `/` and `/me/`;
- crisis-language topics carrying payloads, so that moderation queue items (with their
  highlighted text) render them for a moderator.
"""

import json
import os
import sys
from datetime import timedelta

import django

BATCH = 30
ROOM_SIZE = 99
CRISIS_ITEMS = 12
CRISIS_TEXT = "I want to kill myself tonight. "


def _established(membership: object) -> None:
    # A month-old membership: the new-member limits would otherwise hold or refuse posts.
    membership.joined = membership.joined - timedelta(days=30)  # type: ignore[attr-defined]
    membership.save(update_fields=["joined"])  # type: ignore[attr-defined]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.core.exceptions import ValidationError

    from accounts.models import User
    from chat.models import Message
    from chat.services import message_send, room_create
    from forum.models import Membership, Post, Topic
    from forum.services import community_create, membership_grant, post_reply, topic_create
    from moderation.models import QueueItem
    from tests.security.payloads import xss_payloads

    # Seeding sends hundreds of messages from one account; the chat rate limit would
    # stretch that to minutes. Only this process's settings change.
    settings.KINDRED_CHAT_RATE_BURST = 1_000_000
    # Likewise the hourly posting limit, kept in this throwaway site's settings row.
    from accounts.models import SiteSettings

    SiteSettings.objects.update_or_create(pk=1, defaults={"posts_per_hour": 32767})

    payloads = xss_payloads()
    river = User.objects.get(username="river")
    moderator = User.objects.get(username="mod")
    mallory = User.objects.create_user(username="mallory", password="demo-password-123")
    xss = community_create(name="XSS corpus", slug="xss", description="Payloads, stored.")
    for user, role in (
        (mallory, Membership.Role.MEMBER),
        (river, Membership.Role.MEMBER),
        (moderator, Membership.Role.MODERATOR),
    ):
        _established(membership_grant(user=user, community=xss, role=role))

    refused: dict[str, int] = {}

    def tally(kind: str) -> None:
        refused[kind] = refused.get(kind, 0) + 1

    title_topics = []
    for payload in payloads:
        try:
            topic = topic_create(user=mallory, community=xss, title=payload, body=payload)
            title_topics.append(topic.pk)
        except ValidationError:
            tally("title")  # too long for a title (200) or only whitespace
    batch_ids = []
    for start in range(0, len(payloads), BATCH):
        chunk = payloads[start : start + BATCH]
        topic = topic_create(
            user=mallory, community=xss, title=f"Batch {start // BATCH}", body=chunk[0]
        )
        for body in chunk[1:]:
            post_reply(user=mallory, topic=topic, body=body)
        batch_ids.append(topic.pk)

    rooms = []
    room_names = [p for p in payloads if len(p) <= 80 and '"' in p]
    for number, start in enumerate(range(0, len(payloads), ROOM_SIZE)):
        room = room_create(
            actor=moderator,
            community=xss,
            name=room_names[number % len(room_names)],
            slug=f"r{number}",
            description=room_names[(number + 1) % len(room_names)],
        )
        for index, body in enumerate(payloads[start : start + ROOM_SIZE]):
            message_send(
                actor=mallory, room_id=room.pk, body=body, client_id=f"xss-{start + index}"
            )
        rooms.append({"slug": room.slug, "messages": Message.objects.filter(room=room).count()})

    named = described = 0
    for number, payload in enumerate(payloads):
        name = payload if len(payload) <= 80 else f"Community {number}"
        description = payload if len(payload) <= 300 else ""
        community = community_create(name=name, slug=f"x{number}", description=description)
        membership_grant(user=river, community=community)
        named += name == payload
        described += description == payload

    for payload in payloads[:CRISIS_ITEMS]:
        topic_create(
            user=mallory,
            community=xss,
            title=f"Crisis {payload}"[:200],
            body=f"{CRISIS_TEXT}{payload}",
        )
    queue_ids = list(
        QueueItem.objects.filter(community=xss).order_by("pk").values_list("pk", flat=True)
    )
    visible_posts = Post.objects.filter(topic__community=xss, state="visible").count()
    sys.stdout.write(
        "\n"
        + json.dumps(
            {
                "payloads": len(payloads),
                "title_topics": title_topics,
                "topic_pages": (Topic.objects.filter(community=xss).count() + 24) // 25,
                "batch_topics": batch_ids,
                "posts": Post.objects.filter(topic__community=xss).count(),
                "visible_posts": visible_posts,
                "rooms": rooms,
                "community_names": named,
                "community_descriptions": described,
                "queue_items": queue_ids,
                "refused": refused,
            }
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
