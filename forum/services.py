"""Writes and rules about communities and memberships."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from accounts.services import alias_create
from forum.markup import render
from forum.models import Community, Membership


@transaction.atomic
def community_create(
    *,
    name: str,
    slug: str,
    description: str = "",
    rules: str = "",
    visibility: str = Community.Visibility.PUBLIC,
    join_policy: str = Community.JoinPolicy.OPEN,
    helpline_region: str = "",
    owner: User | None = None,
) -> Community:
    """Create a community; its owner (if given) joins it with the owner role."""
    community = Community.objects.create(
        name=name,
        slug=slug,
        description=description,
        rules=rules,
        rules_html=render(rules),
        visibility=visibility,
        join_policy=join_policy,
        helpline_region=helpline_region,
    )
    if owner is not None:
        membership_grant(user=owner, community=community, role=Membership.Role.OWNER)
    return community


@transaction.atomic
def membership_grant(
    *, user: User, community: Community, role: str = Membership.Role.MEMBER
) -> Membership:
    """Make `user` an active member with `role`, creating their alias if they have none."""
    membership = Membership.objects.select_for_update().filter(user=user, community=community)
    existing = membership.first()
    if existing is None:
        alias = alias_create(user=user, community=community)
        return Membership.objects.create(user=user, community=community, alias=alias, role=role)
    existing.role = role
    if existing.state != Membership.State.BANNED:
        existing.state = Membership.State.ACTIVE
    existing.save(update_fields=["role", "state"])
    return existing


@transaction.atomic
def community_join(*, user: User, community: Community, answer: str = "") -> Membership:
    """Join a community as its join policy allows: at once, or pending approval."""
    existing = Membership.objects.select_for_update().filter(user=user, community=community).first()
    if existing is not None:
        if existing.state == Membership.State.BANNED:
            raise PermissionDenied("You can't rejoin this community.")
        if existing.state in {Membership.State.ACTIVE, Membership.State.PENDING}:
            return existing
    if community.join_policy == Community.JoinPolicy.INVITATION:
        raise ValidationError("This community is by invitation only.")
    state = (
        Membership.State.PENDING
        if community.join_policy == Community.JoinPolicy.APPROVAL
        else Membership.State.ACTIVE
    )
    if existing is not None:
        existing.state = state
        existing.application_answer = answer[:2000]
        existing.save(update_fields=["state", "application_answer"])
        return existing
    alias = alias_create(user=user, community=community)
    return Membership.objects.create(
        user=user,
        community=community,
        alias=alias,
        state=state,
        application_answer=answer[:2000],
    )


@transaction.atomic
def community_leave(*, user: User, community: Community) -> None:
    """Leave a community; the alias is kept for the member should they come back."""
    membership = (
        Membership.objects.select_for_update().filter(user=user, community=community).first()
    )
    if membership is None or membership.state == Membership.State.BANNED:
        return
    if membership.role == Membership.Role.OWNER:
        raise ValidationError("An owner can't leave; hand the community to another owner first.")
    membership.state = Membership.State.LEFT
    membership.role = Membership.Role.MEMBER
    membership.save(update_fields=["state", "role"])
