"""Demo rooms, topics and replies: a small living site for new contributors."""

from collections.abc import Callable

from accounts.models import User
from chat.models import Room
from forum.models import Community, Topic
from forum.services import post_reply, topic_create, topic_follow

TOPICS = [
    (
        "river",
        "Small wins this week",
        Topic.SupportType.CELEBRATION,
        "",
        "I took the bus to the shops on my own for the first time in months. "
        "My heart was racing but I did it. What small wins have you had?",
        [
            ("sky", "That is huge, well done! I managed a phone call I'd been avoiding."),
            ("mod", "Love this thread. Every small step counts."),
        ],
    ),
    (
        "sky",
        "Panic at night: what helps you?",
        Topic.SupportType.PRACTICAL,
        "",
        "I keep waking up at 3am with my chest tight. Breathing exercises help a bit. "
        "Does anyone have other things that work for them?",
        [
            ("river", "Cold water on my face and naming five things I can see. It passes."),
        ],
    ),
    (
        "river",
        "Feeling low after a hard appointment",
        Topic.SupportType.EMOTIONAL,
        "medical appointments",
        "Today's appointment did not go how I hoped and I feel flat. "
        "Not looking for advice, just wanted to say it somewhere.",
        [],
    ),
]

RULES = """\
1. Be kind. Everyone here is finding their way.
2. Share your own experience; don't diagnose or give medical orders.
3. No method details when talking about self-harm or suicide.
4. Keep what people share here, here.
5. If you are in danger now, use **Need help now?** at the top of every page.
"""


def build(
    *,
    anxiety: Community,
    carers: Community,
    users: dict[str, User],
    log: Callable[[str], None],
) -> None:
    """Create the demo rooms (and, once the forum exists, topics) if they are missing."""
    Room.objects.get_or_create(
        community=anxiety,
        slug="lounge",
        defaults={"name": "Lounge", "description": "Drop in and say hello."},
    )
    Room.objects.get_or_create(
        community=carers,
        slug="evening",
        defaults={"name": "Evening", "description": "Evening check-in for carers."},
    )
    log("rooms: anxiety/lounge, carers/evening")
    if Topic.objects.filter(community=anxiety).exists():
        log("topics: already there")
        return
    for author, title, support_type, warning, body, replies in TOPICS:
        topic = topic_create(
            user=users[author],
            community=anxiety,
            title=title,
            body=body,
            support_type=support_type,
            content_warning=warning,
        )
        for replier, reply in replies:
            post_reply(user=users[replier], topic=topic, body=reply)
        log(f"topic: {title} ({len(replies)} replies)")
    topic_follow(user=users["sky"], topic=topic, following=True)
