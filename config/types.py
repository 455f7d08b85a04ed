"""Types shared by views."""

from django.http import HttpRequest

from accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """A request behind login_required: its user is a real account."""

    user: User
