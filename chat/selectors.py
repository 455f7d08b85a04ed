"""Reads about rooms and messages for the room page and the chat consumer."""

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import User
from chat.models import Message, Room
from forum.models import Community, Membership
from forum.selectors import membership_get

CATCH_UP_LIMIT = 500
FIRST_VISIT_LIMIT = 100
HISTORY_MAX_LIMIT = 100


class RoomAccess:
    """Why someone may not open a room: the page and the socket both use these."""

    OK = "ok"
    ANONYMOUS = "anonymous"
    NOT_FOUND = "not_found"
    NOT_MEMBER = "not_member"
    BANNED = "banned"


@dataclass(frozen=True)
class RoomEntry:
    """A room as someone sees it: the verdict, and their membership when they have one."""

    verdict: str
    room: Room | None = None
    community: Community | None = None
    membership: Membership | None = None

    @property
    def allowed(self) -> bool:
        return self.verdict == RoomAccess.OK


def room_entry_get(*, user: User | None, community_slug: str, room_slug: str) -> RoomEntry:
    """The room and whether this visitor may chat in it (active members only)."""
    room = (
        Room.objects.select_related("community")
        .filter(community__slug=community_slug, slug=room_slug)
        .first()
    )
    if room is None:
        return RoomEntry(verdict=RoomAccess.NOT_FOUND)
    if user is None or not user.is_authenticated:
        return RoomEntry(verdict=RoomAccess.ANONYMOUS, room=room, community=room.community)
    membership = membership_get(user=user, community=room.community)
    if membership is not None and membership.state == Membership.State.BANNED:
        verdict = RoomAccess.BANNED
    elif membership is None or not membership.is_active:
        verdict = RoomAccess.NOT_MEMBER
    else:
        verdict = RoomAccess.OK
    return RoomEntry(verdict=verdict, room=room, community=room.community, membership=membership)


def room_list(*, community: Community) -> QuerySet[Room]:
    """The open rooms of a community, by name."""
    return Room.objects.filter(community=community, archived=False).order_by("name")


def _visible(room_id: int) -> QuerySet[Message]:
    return Message.objects.visible().filter(room_id=room_id).select_related("alias")


def messages_after(*, room_id: int, after_id: int | None) -> list[Message]:
    """Visible messages after an id, oldest first: the newest 500 when more were missed.

    Without an id (a first visit) only the newest 100, which the page can page back from.
    """
    limit = FIRST_VISIT_LIMIT if after_id is None else CATCH_UP_LIMIT
    rows = _visible(room_id)
    if after_id is not None:
        rows = rows.filter(id__gt=after_id)
    newest = list(rows.order_by("-id")[:limit])
    newest.reverse()
    return newest


def messages_before(*, room_id: int, before_id: int, limit: int) -> tuple[list[Message], bool]:
    """Up to `limit` visible messages before an id, oldest first, and whether there are more."""
    limit = max(1, min(HISTORY_MAX_LIMIT, limit))
    rows = list(_visible(room_id).filter(id__lt=before_id).order_by("-id")[: limit + 1])
    has_more = len(rows) > limit
    page = rows[:limit]
    page.reverse()
    return page, has_more
