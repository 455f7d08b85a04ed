"""Member settings and the privacy page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from forum.selectors import memberships_by_community


def privacy(request: HttpRequest) -> HttpResponse:
    """What Kindred stores, for how long and why."""
    return render(request, "accounts/privacy.html", {})


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The member's own settings and aliases."""
    memberships = sorted(
        memberships_by_community(request.user).values(),  # type: ignore[arg-type]
        key=lambda membership: membership.community_id,
    )
    return render(request, "accounts/me.html", {"memberships": memberships})
