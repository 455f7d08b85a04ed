"""Member settings, data rights (export, deletion), the privacy page, the safety plan,
reader filters, and staff pages."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.export import EXPORT_SECTIONS, member_export, member_export_stream
from accounts.forms import (
    AccountDeleteForm,
    AliasChangeForm,
    BreakForm,
    MemberSettingsForm,
    MutedWordForm,
    RevealForm,
    SafetyPlanStepForm,
    SiteSettingsForm,
)
from accounts.models import Alias, User
from accounts.safety_plan import SAFETY_PLAN_STEPS, safety_plan_step, safety_plan_text
from config.types import AuthenticatedRequest
from forum.admin_services import TwoFactorRequiredError, staff_check
from forum.models import Membership, Topic
from forum.selectors import (
    community_get_known,
    community_get_readable,
    memberships_by_community,
    topic_get,
)
from moderation.helplines import HelplineSet
from moderation.selectors import helplines_for_region, region_for


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
                "quick_exit": user.quick_exit,
                "hide_crisis_posts": user.hide_crisis_posts,
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
            "filters": selectors.reader_filter_list(user),
            "word_form": MutedWordForm(),
            "break_form": BreakForm(),
            "now": timezone.now(),
        },
    )


@require_POST
@login_required
def alias_change(request: AuthenticatedRequest, community: str) -> HttpResponse:
    """Change one's alias in a community (a few times a month)."""
    target = community_get_known(slug=community, user=request.user)
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


@never_cache
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


# --- The safety plan: every view here reads and writes request.user's own plan only ----


def _plan_draft_key(user_id: int) -> str:
    """An opaque localStorage key for the member's unsaved plan text on this device, so that
    another account on a shared browser never gets it back."""
    digest = salted_hmac("kindred.safety-plan.draft", str(user_id)).hexdigest()[:24]
    return f"kindred.safety-plan.{digest}"


def _accept_language(request: HttpRequest) -> str:
    return request.headers.get("Accept-Language", "")


def _plan_support(request: AuthenticatedRequest) -> HelplineSet:
    """Helplines for the member's region: their country, else their browser's."""
    return helplines_for_region(
        region_for(user=request.user, accept_language=_accept_language(request))
    )


def _plan_values(request: AuthenticatedRequest) -> dict[str, str]:
    plan = selectors.safety_plan_get(request.user)
    values = selectors.safety_plan_values(plan)
    if plan is None:
        values["professionals"] = selectors.safety_plan_professionals_prefill(
            request.user, accept_language=_accept_language(request)
        )
    return values


@never_cache
@login_required
def safety_plan(request: AuthenticatedRequest) -> HttpResponse:
    """The member's safety plan, all steps on one page: to read, print or save."""
    plan = selectors.safety_plan_get(request.user)
    values = _plan_values(request)
    steps = [(step, values[step.field]) for step in SAFETY_PLAN_STEPS]
    return render(
        request,
        "accounts/safety_plan.html",
        {
            "plan": plan,
            "steps": steps,
            "started": plan is not None and not selectors.safety_plan_is_empty(plan),
            "draft_key": _plan_draft_key(request.user.pk),
            "support": _plan_support(request),
        },
    )


@never_cache
@sensitive_post_parameters()
@sensitive_variables()
@login_required
def safety_plan_step_edit(request: AuthenticatedRequest, number: int) -> HttpResponse:
    """One step of the plan, guided; saved as the member types (safety_plan.js) and on
    submit, which works without JavaScript."""
    step = safety_plan_step(number)
    if step is None:
        raise Http404("No such step.")
    values = _plan_values(request)
    form = SafetyPlanStepForm(
        request.POST or None,
        field=step.field,
        label=step.title,
        initial={step.field: values[step.field]},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.safety_plan_save(
                user=request.user,
                changes={step.field: form.cleaned_data[step.field]},
                accept_language=_accept_language(request),
            )
            messages.success(
                request,
                "Saved.",
                extra_tags=f"draft-clear:{_plan_draft_key(request.user.pk)}:{step.field}",
            )
            action = request.POST.get("go", "next")
            if action == "back" and number > 1:
                return redirect("accounts:safety_plan_step", number - 1)
            if action == "next" and number < len(SAFETY_PLAN_STEPS):
                return redirect("accounts:safety_plan_step", number + 1)
            return redirect("accounts:safety_plan")
        status = 400
    return render(
        request,
        "accounts/safety_plan_step.html",
        {
            "step": step,
            "form": form,
            "field": form[step.field],
            "steps": SAFETY_PLAN_STEPS,
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if number < len(SAFETY_PLAN_STEPS) else None,
            "draft_key": _plan_draft_key(request.user.pk),
            "support": _plan_support(request) if step.field == "professionals" else None,
        },
        status=status,
    )


@require_POST
@sensitive_post_parameters()
@sensitive_variables()
def safety_plan_autosave(request: HttpRequest) -> JsonResponse:
    """Save steps sent as JSON {"changes": {field: text}} (the page's autosave).

    A signed-out member gets a 401, never the login page: the script must not mistake a
    redirect for a save and forget the text it kept on the device.
    """
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return JsonResponse(
            {"error": "You are signed out. Log in again to save your plan."}, status=401
        )
    try:
        payload = json.loads(request.body or b"{}")
        changes = payload["changes"]
        if not isinstance(changes, dict):
            raise TypeError("changes must be an object")
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": 'Send {"changes": {step: text}}.'}, status=400)
    try:
        plan = services.safety_plan_save(
            user=user, changes=changes, accept_language=_accept_language(request)
        )
    except ValidationError as error:
        return JsonResponse({"error": _error_text(error)}, status=400)
    response = JsonResponse({"saved": True, "updated": plan.updated.isoformat()})
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@sensitive_variables()
@login_required
def safety_plan_download(request: AuthenticatedRequest) -> HttpResponse:
    """The plan as a plain-text file to keep on the device or print."""
    response = HttpResponse(
        safety_plan_text(_plan_values(request)), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="my-safety-plan.txt"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def safety_plan_delete(request: AuthenticatedRequest) -> HttpResponse:
    """Delete the plan (after a confirmation on the page)."""
    services.safety_plan_delete(user=request.user)
    messages.info(
        request,
        "Your safety plan is deleted.",
        extra_tags=f"draft-clear:{_plan_draft_key(request.user.pk)}",
    )
    return redirect("accounts:safety_plan")


# --- Reader filters ---------------------------------------------------------------------


@require_POST
@login_required
def filter_word_add(request: AuthenticatedRequest) -> HttpResponse:
    """Mute a word or phrase."""
    form = MutedWordForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Please write the word or phrase to mute (up to 100 letters).")
        return redirect(f"{reverse('accounts:me')}#filters")
    try:
        muted = services.reader_word_mute(user=request.user, phrase=form.cleaned_data["phrase"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, f"Muted: “{muted.phrase}”.")
    return redirect(f"{reverse('accounts:me')}#filters")


@require_POST
@login_required
def filter_remove(request: AuthenticatedRequest, filter_id: int) -> HttpResponse:
    """Remove one of the member's filters."""
    services.reader_filter_remove(user=request.user, filter_id=filter_id)
    messages.info(request, "Filter removed.")
    return redirect(f"{reverse('accounts:me')}#filters")


@require_POST
@login_required
def notifications_pause(request: AuthenticatedRequest) -> HttpResponse:
    """Pause all notifications for a while, or resume them (days=0)."""
    try:
        days = int(request.POST.get("days", "0"))
        services.notifications_pause(user=request.user, days=days)
    except (ValueError, ValidationError):
        messages.error(request, "Please choose how long to pause notifications for.")
    else:
        messages.success(
            request, "Notifications are paused." if days else "Notifications are back on."
        )
    return redirect(f"{reverse('accounts:me')}#filters")


@require_POST
@login_required
def community_break(request: AuthenticatedRequest, community: str) -> HttpResponse:
    """Take a break from a community for a while, or end it ("end")."""
    target, _ = community_get_readable(slug=community, user=request.user)
    if request.POST.get("end"):
        services.reader_break_end(user=request.user, community=target)
        messages.info(request, f"Welcome back to {target.name}.")
        return redirect("forum:community", target.slug)
    form = BreakForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Please choose how long the break lasts.")
        return redirect("forum:community", target.slug)
    services.reader_break_start(user=request.user, community=target, days=form.cleaned_data["days"])
    messages.info(
        request,
        f"You're taking a break from {target.name}. Its topics and notifications are out of "
        "sight until then; you can come back any time from your settings.",
    )
    return redirect("forum:home")


@require_POST
@login_required
def topic_mute(request: AuthenticatedRequest, community: str, topic_id: int) -> HttpResponse:
    """Mute (or unmute) a topic for oneself."""
    target, membership = community_get_readable(slug=community, user=request.user)
    topic: Topic = topic_get(community=target, topic_id=topic_id, membership=membership)
    muted = request.POST.get("mute", "1") == "1"
    services.reader_topic_mute(user=request.user, topic=topic, muted=muted)
    messages.info(
        request,
        "Topic muted: it folds away in the list and sends you no notifications."
        if muted
        else "Topic unmuted.",
    )
    if muted:
        return redirect("forum:community", target.slug)
    return redirect("forum:topic", target.slug, topic.pk)
