"""Forum pages: they parse the request, call a service or selector, and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from config.types import AuthenticatedRequest
from forum import selectors, services
from forum.models import Community


def home(request: HttpRequest) -> HttpResponse:
    """Communities the visitor may see, and theirs."""
    user = request.user if request.user.is_authenticated else None
    communities = list(selectors.community_list_for(user))
    memberships = selectors.memberships_by_community(user)
    rows = [(community, memberships.get(community.pk)) for community in communities]
    return render(request, "forum/home.html", {"rows": rows})


@require_POST
@login_required
def community_join(request: AuthenticatedRequest, community: str) -> HttpResponse:
    target = get_object_or_404(Community, slug=community)
    try:
        membership = services.community_join(
            user=request.user,
            community=target,
            answer=request.POST.get("answer", ""),
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("forum:home")
    if membership.is_active:
        messages.success(request, f"Welcome to {target.name}. You are {membership.alias} here.")
    else:
        messages.info(request, f"Your request to join {target.name} is waiting for a moderator.")
    return redirect("forum:home")


@require_POST
@login_required
def community_leave(request: AuthenticatedRequest, community: str) -> HttpResponse:
    target = get_object_or_404(Community, slug=community)
    try:
        services.community_leave(user=request.user, community=target)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(request, f"You have left {target.name}.")
    return redirect("forum:home")
