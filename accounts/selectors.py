"""Reads about accounts and aliases."""

from accounts.models import SiteSettings, User


def site_settings() -> SiteSettings:
    """The site-wide settings row (created with defaults the first time)."""
    row, _ = SiteSettings.objects.get_or_create(pk=1)
    return row


def registration_is_open() -> bool:
    """Whether new members can sign up without an invitation."""
    return site_settings().registration == SiteSettings.Registration.OPEN


def has_two_factor(user: User) -> bool:
    """Whether the member has an authenticator app set up (django-allauth MFA)."""
    try:
        from allauth.mfa.models import Authenticator
    except (ImportError, RuntimeError):
        return False
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
