"""The one place django-allauth is customised."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class KindredAccountAdapter(DefaultAccountAdapter):
    """Sign-up with a username and password only; email is optional, for recovery."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        from accounts.selectors import registration_is_open

        return registration_is_open()

    def populate_username(self, request: HttpRequest, user: Any) -> None:
        # The member chose their username; allauth must not invent one from an email.
        return None
