"""Group names and events of the moderators' live feed (/ws/mod/).

Frames carry aliases and links only: never a username, email or user id.
"""

from typing import Any

from django.urls import reverse

from moderation.models import QueueItem

Event = dict[str, Any]
Frame = dict[str, Any]
STAFF_GROUP = "mod.staff"


def community_group(community_id: int) -> str:
    """Every moderator feed socket of one community."""
    return f"mod.community.{community_id}"


def queue_item_frame(item: QueueItem) -> Frame:
    """The `queue_item` frame of DESIGN.md (community and subject must be loaded)."""
    return {
        "type": "queue_item",
        "id": item.pk,
        "community": item.community.slug,
        "priority": item.priority_label,
        "reason": item.reason,
        "alias": item.subject.name if item.subject else "",
        "url": reverse("moderation:item", args=[item.pk]),
        "created": item.created.isoformat(),
    }


def queue_item_event(item: QueueItem) -> Event:
    return {"type": "mod.queue_item", "frame": queue_item_frame(item)}


def counts_changed_event() -> Event:
    # Each socket recounts for its own communities: the counts differ per moderator.
    return {"type": "mod.counts_changed"}
