"""Member settings, data rights (export, deletion), the privacy page, and staff pages."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.export import EXPORT_SECTIONS, member_export, member_export_stream
from accounts.forms import (
    AccountDeleteForm,
    AliasChangeForm,
    MemberSettingsForm,
    RevealForm,
    SiteSettingsForm,
)
from accounts.models import Alias
from config.types import AuthenticatedRequest
from forum.admin_services import TwoFactorRequiredError, staff_check
from forum.models import Community, Membership
from forum.selectors import memberships_by_community


def _error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You can't do that."


def two_factor_required_page(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    """The page people who must use two-factor authentication see until they set it up."""
    return render(request, "accounts/two_factor_required.html", {"reason": str(error)}, status=403)


def privacy(request: HttpRequest) -> HttpResponse:
    """What Kindred stores, for how long and why."""
    return render(request, "accounts/privacy.html", {})


@login_required
def me(request: AuthenticatedRequest) -> HttpResponse:
    """The member's own settings: country, notifications, aliases, and their data."""
    user = request.user
    if request.method == "POST":
        form = MemberSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.member_settings_update(user=user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error("country", error)
            else:
                messages.success(request, "Your settings are saved.")
                return redirect("accounts:me")
    else:
        form = MemberSettingsForm(
            initial={
                "country": user.country,
                "notify_replies": user.notify_replies,
                "notify_mentions": user.notify_mentions,
            }
        )
    memberships = sorted(
        memberships_by_community(user).values(),
        key=lambda membership: membership.community.name,
    )
    rows = [
        (membership, services.alias_changes_left(user=user, community=membership.community))
        for membership in memberships
    ]
    return render(
        request,
        "accounts/me.html",
        {
            "form": form,
            "rows": rows,
            "alias_form": AliasChangeForm(),
            "two_factor": selectors.has_two_factor(user),
        },
    )


@require_POST
@login_required
def alias_change(request: AuthenticatedRequest, community: str) -> HttpResponse:
    """Change one's alias in a community (a few times a month)."""
    target = get_object_or_404(Community, slug=community)
    form = AliasChangeForm(request.POST)
    name = form.cleaned_data["name"].strip() if form.is_valid() else ""
    try:
        alias = services.alias_change(user=request.user, community=target, name=name or None)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    except Membership.DoesNotExist:
        messages.error(request, "You are not a member of that community.")
    else:
        messages.success(request, f"You are now {alias.name} in {target.name}.")
    return redirect("accounts:me")


@login_required
def export_page(request: AuthenticatedRequest) -> HttpResponse:
    """A readable page of everything the member wrote, and their settings."""
    data = member_export(request.user.pk)
    sections = [(key, title, data[key]) for key, title, _section in EXPORT_SECTIONS]
    return render(request, "accounts/export.html", {"sections": sections})


@login_required
async def export_download(request: HttpRequest) -> StreamingHttpResponse:
    """The export as a JSON download, streamed section by section (see accounts/export.py)."""
    user = await request.auser()
    stamp = timezone.now().strftime("%Y-%m-%d")
    response = StreamingHttpResponse(
        member_export_stream(int(user.pk or 0)), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="kindred-export-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def account_delete(request: AuthenticatedRequest) -> HttpResponse:
    """Delete one's account, choosing what happens to what one wrote."""
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not request.user.check_password(form.cleaned_data["password"]):
            form.add_error("password", "That password is not right.")
        else:
            services.account_delete(user=request.user, mode=form.cleaned_data["mode"])
            logout(request)
            messages.info(request, "Your account is deleted. Take care of yourself.")
            return redirect("forum:home")
    return render(request, "accounts/delete.html", {"form": form})


@login_required
def two_factor_required(request: AuthenticatedRequest) -> HttpResponse:
    """Why and how to set up two-factor authentication."""
    return render(
        request,
        "accounts/two_factor_required.html",
        {"reason": "", "two_factor": selectors.has_two_factor(request.user)},
    )


@login_required
def reveal(request: AuthenticatedRequest) -> HttpResponse:
    """Staff learn which account is behind an alias, for a written reason (audited)."""
    try:
        staff_check(user=request.user)
    except TwoFactorRequiredError as error:
        return two_factor_required_page(request, error)
    form = RevealForm(request.POST or None)
    revealed = None
    if request.method == "POST" and form.is_valid():
        alias = Alias.objects.filter(
            community__slug=form.cleaned_data["community"],
            name__iexact=form.cleaned_data["alias"].strip(),
        ).first()
        if alias is None:
            form.add_error("alias", "No such alias in that community.")
        else:
            try:
                account = services.alias_reveal(
                    actor=request.user, alias=alias, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_error("reason", error)
            else:
                revealed = {"alias": alias, "account": account}
    return render(
        request,
        "accounts/reveal.html",
        {"form": form, "revealed": revealed, "reveals": selectors.reveal_list()},
    )


@login_required
def site_settings_page(request: AuthenticatedRequest) -> HttpResponse:
    """Superusers set registration, the two-factor rule and the default rate limits."""
    try:
        staff_check(user=request.user, superuser=True)
    except TwoFactorRequiredError as error:
        return two_factor_required_page(request, error)
    current = selectors.site_settings()
    form = SiteSettingsForm(request.POST or None, instance=selectors.site_settings())
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.Meta.fields}
        services.site_settings_update(actor=request.user, changes=changes)
        messages.success(request, "Site settings saved.")
        return redirect("accounts:site_settings")
    return render(request, "accounts/site_settings.html", {"form": form, "current": current})
