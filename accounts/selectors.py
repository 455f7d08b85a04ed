"""Reads about accounts and aliases."""

from django.conf import settings


def registration_is_open() -> bool:
    """Whether new members can sign up (site setting; open unless an admin closed it)."""
    return bool(getattr(settings, "KINDRED_REGISTRATION_OPEN", True))
