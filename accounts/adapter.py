"""The one place django-allauth is customised."""

import hashlib
import hmac
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest

INVITATION_SESSION_KEY = "kindred_invitation"


def invitation_code_of(request: HttpRequest) -> str:
    """The invitation link the visitor opened before signing up, if any."""
    return str(request.session.get(INVITATION_SESSION_KEY, ""))


class KindredAccountAdapter(DefaultAccountAdapter):
    """Sign-up with a username and password only; email is optional, for recovery."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        from accounts.models import SiteSettings
        from accounts.selectors import site_settings

        registration = site_settings().registration
        if registration == SiteSettings.Registration.OPEN:
            return True
        if registration == SiteSettings.Registration.INVITATION:
            return self._invitation(request) is not None
        return False

    def _invitation(self, request: HttpRequest) -> Any:
        from forum.admin_services import invitation_usable

        code = invitation_code_of(request)
        if not code:
            return None
        try:
            return invitation_usable(code)
        except ValidationError:
            return None

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        from accounts.models import SiteSettings
        from accounts.selectors import site_settings
        from forum.admin_services import invitation_sign_up_use

        user = super().save_user(request, user, form, commit=commit)
        invitation = self._invitation(request)
        # A site invitation is used by signing up; a community one when it is accepted.
        if (
            invitation is not None
            and invitation.community is None
            and site_settings().registration == SiteSettings.Registration.INVITATION
        ):
            invitation_sign_up_use(code=invitation.code)
            request.session.pop(INVITATION_SESSION_KEY, None)
        return user

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        code = invitation_code_of(request)
        if code:
            return f"/invite/{code}/"
        return str(super().get_signup_redirect_url(request))

    def populate_username(self, request: HttpRequest, user: Any) -> None:
        # The member chose their username; allauth must not invent one from an email.
        return None

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth keys its rate limits by client address. A keyed hash stands in for the
        # address so that no IP is kept anywhere, not even in the cache (keys live minutes).
        from allauth.core.internal.ratelimit import truncate_ip

        # Truncated first, so IPv6 neighbours still share a limit as allauth intends.
        address = truncate_ip(super().get_client_ip(request))
        digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256)
        return f"h{digest.hexdigest()[:32]}"

    def logout(self, request: HttpRequest) -> None:
        # Logging out anywhere closes the member's chat sockets everywhere (after commit).
        from chat.services import member_sockets_close

        if request.user.is_authenticated:
            member_sockets_close(user_id=request.user.pk)
        super().logout(request)
