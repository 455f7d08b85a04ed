"""Who may moderate where: community moderators and owners, staff everywhere."""

from django.core.exceptions import PermissionDenied

from accounts.models import User
from accounts.selectors import has_two_factor, site_settings
from forum.models import Community, Membership


def is_staff(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def moderated_community_ids(user: User) -> list[int]:
    """Communities whose queue the user works: all for staff, else where they moderate."""
    if not user.is_authenticated:
        return []
    if is_staff(user):
        return list(Community.objects.values_list("pk", flat=True))
    return list(
        Membership.objects.moderating().filter(user=user).values_list("community_id", flat=True)
    )


def can_moderate(user: User, community: Community) -> bool:
    if not user.is_authenticated:
        return False
    if is_staff(user):
        return True
    return Membership.objects.moderating().filter(user=user, community=community).exists()


def mfa_satisfied(user: User) -> bool:
    """Whether the user meets the site's two-factor rule for moderators.

    The rule is on everywhere but the demo site; see accounts for how MFA is set up.
    """
    if not site_settings().require_moderator_mfa:
        return True
    return has_two_factor(user)


def require_moderator(user: User, community: Community) -> None:
    """Refuse unless `user` moderates `community` (and has two-factor authentication on)."""
    if not can_moderate(user, community):
        raise PermissionDenied("Only this community's moderators can do that.")
    if not mfa_satisfied(user):
        raise PermissionDenied(
            "Moderators need two-factor authentication: set it up in your settings first."
        )


def require_staff(user: User) -> None:
    if not is_staff(user):
        raise PermissionDenied("Only Kindred staff can do that.")
    if not mfa_satisfied(user):
        raise PermissionDenied(
            "Staff need two-factor authentication: set it up in your settings first."
        )
