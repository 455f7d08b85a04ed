"""Group names and the event dicts that cross the channel layer, and the frames peers get.

Events on the layer are high level ("a message was stored"); consumers turn them into
frames. Nothing here carries a username, email or user id to a peer: only aliases. The
per-member group name holds a user id, but it lives only inside the channel layer.
"""

import json
from typing import Any

from chat.models import Message

Event = dict[str, Any]
Frame = dict[str, Any]


def room_group(room_id: int) -> str:
    """Every socket open on one room."""
    return f"chat.room.{room_id}"


def member_group(user_id: int) -> str:
    """Every chat socket of one account, in any room, on any process."""
    return f"chat.member.{user_id}"


def message_frame(message: Message) -> Frame:
    """The `message` frame of a stored message (its alias must be loaded)."""
    return {
        "type": "message",
        "id": message.pk,
        "client_id": message.client_id or None,
        "alias": message.alias.name,
        "body_html": message.body_html,
        "created": message.created.isoformat(),
    }


def frame_text(frame: Frame) -> str:
    return json.dumps(frame, separators=(",", ":"))


def message_event(frame: Frame) -> Event:
    # Serialised once here rather than once per receiving socket.
    return {"type": "chat.message", "id": frame["id"], "text": frame_text(frame)}


def removed_event(message_id: int) -> Event:
    return {"type": "chat.removed", "frame": {"type": "removed", "id": message_id}}


def typing_event(*, alias: str, sender: str) -> Event:
    # `sender` is the writer's channel name, so that it does not hear itself typing.
    return {"type": "chat.typing", "frame": {"type": "typing", "alias": alias}, "sender": sender}


def presence_event(*, online: int, aliases: list[str]) -> Event:
    return {"type": "chat.presence", "online": online, "aliases": aliases}


def presence_frame(*, online: int, aliases: list[str], show_aliases: bool) -> Frame:
    """A count only, unless the community lets members see who is online."""
    frame: Frame = {"type": "presence", "online": online}
    if show_aliases:
        frame["aliases"] = sorted(aliases)
    return frame


def member_close_event(*, code: int, community_id: int | None) -> Event:
    """Close a member's sockets: in one community (ban, leave) or everywhere (logout)."""
    return {"type": "chat.member_close", "code": code, "community_id": community_id}


def ack_frame(*, client_id: str | None, message_id: int) -> Frame:
    return {"type": "ack", "client_id": client_id, "id": message_id}


def error_frame(*, code: str, message: str, client_id: str | None = None, **extra: Any) -> Frame:
    return {"type": "error", "code": code, "message": message, "client_id": client_id, **extra}


def history_frame(*, messages: list[Frame], has_more: bool) -> Frame:
    return {"type": "history", "messages": messages, "has_more": has_more}
