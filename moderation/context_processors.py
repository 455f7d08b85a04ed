"""Header counts for moderators (open queue items) and members (unread notices)."""

from django.http import HttpRequest

from moderation.models import MemberNotice, QueueItem
from moderation.permissions import moderated_community_ids


def moderation_counts(request: HttpRequest) -> dict[str, int | None]:
    """`queue_open` is None for people who moderate nowhere, so the link stays hidden."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"queue_open": None, "unread_notices": 0}
    community_ids = moderated_community_ids(user)
    queue_open = (
        QueueItem.objects.open().filter(community_id__in=community_ids).count()
        if community_ids
        else None
    )
    return {
        "queue_open": queue_open,
        "unread_notices": MemberNotice.objects.filter(user=user, read=False).count(),
    }
