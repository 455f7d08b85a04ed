"""Demo rooms, topics and replies: a small living site for new contributors."""

from collections.abc import Callable

from accounts.models import User
from chat.models import Room
from forum.models import Community

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
