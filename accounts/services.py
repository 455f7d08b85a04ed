"""Writes and rules about accounts and aliases."""

from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.aliases import alias_candidate, alias_name_problem
from accounts.models import Alias, User

if TYPE_CHECKING:
    from forum.models import Community

ALIAS_CHANGES_PER_30_DAYS = 2
ALIAS_GENERATION_ATTEMPTS = 50


def alias_create(*, user: User, community: "Community", name: str | None = None) -> Alias:
    """Give `user` a new alias in `community`: the chosen `name`, or a generated one.

    The name is unique in the community for all time, so a retired alias is never reissued.
    """
    if name is not None:
        problem = alias_name_problem(name)
        if problem:
            raise ValidationError(problem)
        if Alias.objects.filter(community=community, name__iexact=name).exists():
            raise ValidationError("That alias is taken in this community; try another.")
        return Alias.objects.create(user=user, community=community, name=name)
    for _attempt in range(ALIAS_GENERATION_ATTEMPTS):
        candidate = alias_candidate()
        if Alias.objects.filter(community=community, name__iexact=candidate).exists():
            continue
        try:
            with transaction.atomic():
                return Alias.objects.create(user=user, community=community, name=candidate)
        except IntegrityError:
            continue  # Someone took it between the check and the insert.
    raise RuntimeError("Could not find a free alias; the word lists need to grow.")


def alias_changes_left(*, user: User, community: "Community") -> int:
    """How many more alias changes the member may make in this community this month."""
    since = timezone.now() - timedelta(days=30)
    recent = Alias.objects.filter(
        user=user, community=community, retired__isnull=False, retired__gte=since
    ).count()
    return max(0, ALIAS_CHANGES_PER_30_DAYS - recent)


@transaction.atomic
def alias_change(*, user: User, community: "Community", name: str | None = None) -> Alias:
    """Replace the member's alias in a community (limited per 30 days); the old one retires."""
    from forum.models import Membership

    membership = Membership.objects.select_for_update().get(user=user, community=community)
    if alias_changes_left(user=user, community=community) <= 0:
        raise ValidationError(
            f"You can change your alias {ALIAS_CHANGES_PER_30_DAYS} times in 30 days; "
            "please try again later."
        )
    old = membership.alias
    new = alias_create(user=user, community=community, name=name)
    old.retired = timezone.now()
    old.save(update_fields=["retired"])
    membership.alias = new
    membership.save(update_fields=["alias"])
    return new
