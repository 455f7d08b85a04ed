"""Reads about communities and memberships for views, consumers and templates."""

from django.db.models import Q, QuerySet

from accounts.models import User
from forum.models import Community, Membership


def community_list_for(user: User | None) -> QuerySet[Community]:
    """Communities a visitor may see listed: public, members-only, and private ones of theirs."""
    listed = Q(visibility__in=[Community.Visibility.PUBLIC, Community.Visibility.MEMBERS])
    if user is not None and user.is_authenticated:
        listed |= Q(memberships__user=user, memberships__state=Membership.State.ACTIVE)
    return Community.objects.filter(listed).distinct().order_by("name")


def membership_get(*, user: User | None, community: Community) -> Membership | None:
    """The visitor's membership in a community (any state), or None."""
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.select_related("alias").filter(user=user, community=community).first()


def memberships_by_community(user: User | None) -> dict[int, Membership]:
    """The visitor's memberships keyed by community id (one query for a whole list page)."""
    if user is None or not user.is_authenticated:
        return {}
    rows = Membership.objects.select_related("alias", "community").filter(user=user)
    return {row.community_id: row for row in rows}


def community_readable_by(*, community: Community, membership: Membership | None) -> bool:
    """Whether someone with this membership may read the community's content."""
    if community.visibility == Community.Visibility.PUBLIC:
        return True
    return membership is not None and membership.is_active
