"""The audit log's one writer: every decision and setting change goes through here."""

from datetime import datetime
from typing import Any

from accounts.models import Alias, User
from forum.models import Community, Membership
from moderation.models import ModerationAction, QueueItem


def actor_label(actor: User | None, community: Community | None) -> str:
    """How an actor appears in the log: their alias in the community, else their role."""
    if actor is None:
        return "Kindred (automatic)"
    if community is not None:
        membership = (
            Membership.objects.select_related("alias")
            .filter(user=actor, community=community)
            .first()
        )
        if membership is not None:
            return membership.alias.name
    if actor.is_superuser:
        return "Kindred admin"
    if actor.is_staff:
        return "Kindred staff"
    return "A member"


def audit_record(
    *,
    actor: User | None,
    kind: str,
    community: Community | None = None,
    subject: Alias | None = None,
    target: str = "",
    queue_item: QueueItem | None = None,
    reason: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    until: datetime | None = None,
) -> ModerationAction:
    """Append one row to the audit log (call inside the transaction of the change)."""
    return ModerationAction.objects.create(
        community=community,
        actor=actor,
        actor_label=actor_label(actor, community),
        kind=kind,
        subject=subject,
        target=target,
        queue_item=queue_item,
        reason=reason,
        before=before or {},
        after=after or {},
        until=until,
    )
