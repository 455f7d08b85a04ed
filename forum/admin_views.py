"""The community settings area, joining pages, and staff pages for communities.

Views parse the request, call one service or selector, and render.
"""

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.adapter import INVITATION_SESSION_KEY
from accounts.views import two_factor_required_page
from config.types import AuthenticatedRequest
from forum import admin_selectors as selectors
from forum import admin_services as services
from forum.admin_forms import (
    AliasForm,
    CommunityCreateForm,
    CommunitySettingsForm,
    DeclineForm,
    InvitationForm,
    RoomForm,
    SlowModeForm,
    WatchedWordForm,
)
from forum.models import Community, Invitation, Membership
from forum.selectors import community_get_known
from moderation.models import WatchedWord

AreaView = Callable[..., HttpResponse]


def _error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You can't do that here."


def _area(check: Callable[..., None]) -> Callable[[AreaView], AreaView]:
    """Open a settings page only to those `check` lets in; others who may act but have
    no two-factor authentication see how to set it up."""

    def decorator(view: AreaView) -> AreaView:
        @functools.wraps(view)
        @login_required
        def wrapper(
            request: AuthenticatedRequest, community: str, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            target = community_get_known(slug=community, user=request.user)
            try:
                check(user=request.user, community=target)
            except TwoFactorRequiredError as error:
                return two_factor_required_page(request, error)
            return view(request, target, *args, **kwargs)

        return wrapper

    return decorator


TwoFactorRequiredError = services.TwoFactorRequiredError
owner_area = _area(services.owner_check)
moderator_area = _area(services.moderator_check)


def _page(
    request: HttpRequest, template: str, community: Community, tab: str, **context: Any
) -> HttpResponse:
    context.update(
        community=community,
        tab=tab,
        is_owner=services.is_owner(request.user, community),  # type: ignore[arg-type]
    )
    return render(request, f"forum/admin/{template}", context)


def _act(request: HttpRequest, action: Callable[[], object], success: str) -> None:
    try:
        action()
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success)


@owner_area
def settings_general(request: AuthenticatedRequest, community: Community) -> HttpResponse:
    """Name, description, rules, welcome, visibility, joining and moderation settings."""
    form = CommunitySettingsForm(
        request.POST or None, instance=Community.objects.get(pk=community.pk)
    )
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in services.SETTING_FIELDS}
        try:
            services.community_settings_update(
                actor=request.user, community=community, changes=changes
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, "Settings saved.")
            return redirect("community_admin:settings", community.slug)
    return _page(request, "settings.html", community, "settings", form=form)


@owner_area
def settings_moderators(request: AuthenticatedRequest, community: Community) -> HttpResponse:
    """Add and remove moderators by alias."""
    form = AliasForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        alias = form.cleaned_data["alias"]
        if request.POST.get("action") == "remove":
            _act(
                request,
                lambda: services.moderator_remove(
                    actor=request.user, community=community, alias_name=alias
                ),
                f"{alias} is no longer a moderator.",
            )
        else:
            _act(
                request,
                lambda: services.moderator_add(
                    actor=request.user, community=community, alias_name=alias
                ),
                f"{alias} is now a moderator. They need two-factor authentication to act.",
            )
        return redirect("community_admin:moderators", community.slug)
    return _page(
        request,
        "moderators.html",
        community,
        "moderators",
        form=form,
        moderators=selectors.moderator_list(community),
    )


@moderator_area
def settings_members(request: AuthenticatedRequest, community: Community) -> HttpResponse:
    """People asking to join, with their answer: approve or decline."""
    if request.method == "POST":
        membership_id = int(request.POST.get("membership", "0") or 0)
        if request.POST.get("action") == "approve":
            _act(
                request,
                lambda: services.member_approve(
                    actor=request.user, community=community, membership_id=membership_id
                ),
                "Approved: they are welcomed and asked to read the rules.",
            )
        else:
            decline = DeclineForm(request.POST)
            reason = decline.cleaned_data["reason"] if decline.is_valid() else ""
            _act(
                request,
                lambda: services.member_decline(
                    actor=request.user,
                    community=community,
                    membership_id=membership_id,
                    reason=reason,
                ),
                "Declined.",
            )
        return redirect("community_admin:members", community.slug)
    return _page(
        request,
        "members.html",
        community,
        "members",
        applications=selectors.pending_applications(community),
        decline_form=DeclineForm(),
    )


@owner_area
def settings_invitations(request: AuthenticatedRequest, community: Community) -> HttpResponse:
    """Create invitation links (with expiry and number of uses) and withdraw them."""
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "revoke":
        invitation = get_object_or_404(
            Invitation, pk=request.POST.get("invitation"), community=community
        )
        _act(
            request,
            lambda: services.invitation_revoke(actor=request.user, invitation=invitation),
            "The invitation is withdrawn: its link no longer works.",
        )
        return redirect("community_admin:invitations", community.slug)
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        _act(
            request,
            lambda: services.invitation_create(
                actor=request.user,
                community=community,
                expires=timezone.now() + timedelta(days=days) if days else None,
                max_uses=form.cleaned_data["max_uses"],
                note=form.cleaned_data["note"],
            ),
            "Invitation created: copy its link below.",
        )
        return redirect("community_admin:invitations", community.slug)
    return _page(
        request,
        "invitations.html",
        community,
        "invitations",
        form=form,
        invitations=selectors.invitation_list(community),
        now=timezone.now(),
        base_url=request.build_absolute_uri("/")[:-1],
    )


@owner_area
def settings_rooms(request: AuthenticatedRequest, community: Community) -> HttpResponse:
    """Create chat rooms, set slow mode, archive rooms."""
    form = RoomForm(request.POST if request.POST.get("action") == "create" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create" and form.is_valid():
            _act(
                request,
                lambda: services.community_room_create(
                    actor=request.user, community=community, **form.cleaned_data
                ),
                "Room created.",
            )
            return redirect("community_admin:rooms", community.slug)
        room = community.rooms.filter(pk=request.POST.get("room") or 0).first()
        if room is not None and action == "archive":
            _act(
                request,
                lambda: services.community_room_archive(actor=request.user, room=room),
                f"{room.name} is archived.",
            )
            return redirect("community_admin:rooms", community.slug)
        slow = SlowModeForm(request.POST)
        if room is not None and action == "slow_mode" and slow.is_valid():
            seconds = slow.cleaned_data["slow_mode_seconds"]
            _act(
                request,
                lambda: services.room_slow_mode_set(actor=request.user, room=room, seconds=seconds),
                f"Slow mode in {room.name} is now {seconds} seconds.",
            )
            return redirect("community_admin:rooms", community.slug)
    return _page(
        request, "rooms.html", community, "rooms", form=form, rooms=selectors.room_list(community)
    )


@owner_area
def settings_words(request: AuthenticatedRequest, community: Community) -> HttpResponse:
    """Watched words: flag or hold what uses them."""
    # The form has an "action" field of its own, so the buttons are named "do".
    form = WatchedWordForm(request.POST if request.POST.get("do") == "add" else None)
    if request.method == "POST":
        if request.POST.get("do") == "remove":
            word = get_object_or_404(WatchedWord, pk=request.POST.get("word"), community=community)
            _act(
                request,
                lambda: services.watched_word_remove(actor=request.user, word=word),
                "No longer watched.",
            )
            return redirect("community_admin:words", community.slug)
        if form.is_valid():
            _act(
                request,
                lambda: services.watched_word_add(
                    actor=request.user, community=community, **form.cleaned_data
                ),
                "Now watched.",
            )
            return redirect("community_admin:words", community.slug)
    return _page(
        request,
        "words.html",
        community,
        "words",
        form=form,
        words=selectors.watched_word_list(community),
    )


@moderator_area
def settings_statistics(request: AuthenticatedRequest, community: Community) -> HttpResponse:
    """Weekly counts for the community, as charts with data tables; nobody is named."""
    return _page(
        request,
        "statistics.html",
        community,
        "statistics",
        stats=selectors.statistics_for(community),
    )


@owner_area
def settings_log(request: AuthenticatedRequest, community: Community) -> HttpResponse:
    """The community's audit log: settings changes and moderators' decisions."""
    return _page(request, "log.html", community, "log", actions=selectors.audit_list(community))


@login_required
def welcome(request: AuthenticatedRequest, community: str) -> HttpResponse:
    """A new member reads the welcome and the rules, and confirms before writing."""
    target = community_get_known(slug=community, user=request.user)
    membership = Membership.objects.filter(user=request.user, community=target).first()
    if membership is None or membership.state == Membership.State.LEFT:
        return redirect("forum:community", target.slug)
    if request.method == "POST" and membership.is_active:
        services.welcome_acknowledge(user=request.user, community=target)
        messages.success(request, f"Welcome to {target.name}. You are {membership.alias} here.")
        return redirect("forum:community", target.slug)
    return render(
        request, "forum/admin/welcome.html", {"community": target, "membership": membership}
    )


def invitation_open(request: HttpRequest, code: str) -> HttpResponse:
    """An invitation link: sign up or log in, then accept it."""
    try:
        invitation = services.invitation_usable(code)
    except ValidationError as error:
        return render(
            request, "forum/admin/invitation.html", {"problem": _error_text(error)}, status=410
        )
    if not request.user.is_authenticated:
        # Remembered so that sign-up is open to this visitor while registration needs one.
        request.session[INVITATION_SESSION_KEY] = code
        return render(request, "forum/admin/invitation.html", {"invitation": invitation})
    if invitation.community is None:
        request.session.pop(INVITATION_SESSION_KEY, None)
        return redirect("forum:home")
    if request.method == "POST":
        try:
            membership = services.invitation_accept(user=request.user, code=code)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
            return redirect("forum:home")
        request.session.pop(INVITATION_SESSION_KEY, None)
        if membership.welcome_pending:
            return redirect("community_admin:welcome", invitation.community.slug)
        messages.success(request, f"Welcome to {invitation.community.name}.")
        return redirect("forum:community", invitation.community.slug)
    return render(request, "forum/admin/invitation.html", {"invitation": invitation})


@login_required
def community_new(request: AuthenticatedRequest) -> HttpResponse:
    """Site staff open a community and become its owner."""
    try:
        services.staff_check(user=request.user)
    except TwoFactorRequiredError as error:
        return two_factor_required_page(request, error)
    form = CommunityCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            community = services.community_create_by_staff(
                actor=request.user,
                name=data["name"],
                slug=data["slug"],
                description=data["description"],
                visibility=data["visibility"],
                join_policy=data["join_policy"],
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, f"{community.name} is open. Set it up here.")
            return redirect("community_admin:settings", community.slug)
    return render(request, "forum/admin/community_new.html", {"form": form})


@login_required
def site_statistics(request: AuthenticatedRequest) -> HttpResponse:
    """Weekly counts for the whole site (staff)."""
    try:
        services.staff_check(user=request.user)
    except TwoFactorRequiredError as error:
        return two_factor_required_page(request, error)
    return render(
        request, "forum/admin/site_statistics.html", {"stats": selectors.statistics_for(None)}
    )


@login_required
def site_invitations(request: AuthenticatedRequest) -> HttpResponse:
    """Sign-up invitations, for when registration is by invitation only (staff)."""
    try:
        services.staff_check(user=request.user)
    except TwoFactorRequiredError as error:
        return two_factor_required_page(request, error)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "revoke":
        invitation = get_object_or_404(
            Invitation, pk=request.POST.get("invitation"), community__isnull=True
        )
        _act(
            request,
            lambda: services.invitation_revoke(actor=request.user, invitation=invitation),
            "The invitation is withdrawn.",
        )
        return redirect("community_admin:site_invitations")
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        _act(
            request,
            lambda: services.invitation_create(
                actor=request.user,
                community=None,
                expires=timezone.now() + timedelta(days=days) if days else None,
                max_uses=form.cleaned_data["max_uses"],
                note=form.cleaned_data["note"],
            ),
            "Invitation created.",
        )
        return redirect("community_admin:site_invitations")
    return render(
        request,
        "forum/admin/site_invitations.html",
        {
            "form": form,
            "invitations": selectors.invitation_list(None),
            "now": timezone.now(),
            "base_url": request.build_absolute_uri("/")[:-1],
        },
    )
