"""Chat pages: the room (its live part is static/js/chat.js) and a community's rooms."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from chat import selectors
from forum.models import Community
from forum.selectors import community_readable_by, membership_get, staffed_status
from moderation.support import room_crisis_recent


def room_detail(request: HttpRequest, community: str, room: str) -> HttpResponse:
    """A chat room for its community's members; others are told how to join."""
    user = request.user if request.user.is_authenticated else None
    entry = selectors.room_entry_get(user=user, community_slug=community, room_slug=room)
    if entry.room is None or entry.community is None:
        raise Http404("No such room.")
    if not entry.allowed and entry.community.visibility == Community.Visibility.PRIVATE:
        # Private communities are unlisted: outsiders (visitors too) learn nothing, not
        # even that it exists.
        raise Http404("No such room.")
    if entry.verdict == selectors.RoomAccess.ANONYMOUS:
        return redirect_to_login(request.get_full_path())
    context: dict[str, object] = {
        "room": entry.room,
        "community": entry.community,
        "membership": entry.membership,
    }
    if not entry.allowed:
        context["banned"] = entry.verdict == selectors.RoomAccess.BANNED
        return render(request, "chat/room_closed.html", context, status=403)
    # The reply checklist and the moderators' hours sit by the composer (issue 10).
    context["crisis_recent"] = room_crisis_recent(room_id=entry.room.pk)
    context["staffed"] = staffed_status(entry.community)
    return render(request, "chat/room.html", context)


def room_list(request: HttpRequest, community: str) -> HttpResponse:
    """The open rooms of a community, for anyone who may read it."""
    target = get_object_or_404(Community, slug=community)
    user = request.user if request.user.is_authenticated else None
    membership = membership_get(user=user, community=target)
    if not community_readable_by(community=target, membership=membership):
        raise Http404("No such community.")
    rooms = list(selectors.room_list(community=target))
    return render(
        request,
        "chat/room_list.html",
        {"community": target, "rooms": rooms, "membership": membership},
    )
