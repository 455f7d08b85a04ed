"""Moderation pages: the queue, an item, decisions, the audit log, reports and notices."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from chat.models import Message
from config.types import AuthenticatedRequest
from forum import selectors as forum_selectors
from forum.models import Community, Membership, Post
from moderation import selectors, services
from moderation.audit import actor_label
from moderation.models import Flag, QueueItem
from moderation.permissions import (
    can_moderate,
    is_staff,
    mfa_satisfied,
    moderated_community_ids,
)
from moderation.ratelimit import refusal_status


def _error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You can't do that here."


def _community_for_moderator(request: AuthenticatedRequest, slug: str) -> Community:
    community = forum_selectors.community_get_known(slug=slug, user=request.user)
    if not can_moderate(request.user, community):
        raise PermissionDenied("Only this community's moderators can open its queue.")
    return community


def _mfa_page_if_needed(request: AuthenticatedRequest) -> HttpResponse | None:
    if mfa_satisfied(request.user):
        return None
    return render(request, "moderation/mfa_required.html", status=403)


@login_required
def queue(request: AuthenticatedRequest, community: str | None = None) -> HttpResponse:
    """The queue: most urgent first, then oldest; live through /ws/mod/."""
    target = _community_for_moderator(request, community) if community else None
    if target is None and not moderated_community_ids(request.user):
        raise PermissionDenied("The moderation queue is for moderators and staff.")
    if (page := _mfa_page_if_needed(request)) is not None:
        return page
    source = request.GET.get("source", "")
    state = request.GET.get("state", "open")
    items = selectors.queue_list(user=request.user, community=target, source=source, state=state)
    return render(
        request,
        "moderation/queue.html",
        {
            "community": target,
            "items": items,
            "source": source,
            "state": state,
            "sources": QueueItem.Source.choices,
            "counts": selectors.queue_counts(
                [target.pk] if target else moderated_community_ids(request.user)
            ),
        },
    )


@login_required
def item_detail(request: AuthenticatedRequest, item_id: int) -> HttpResponse:
    """An item with its content, context and the author's history, and the decisions."""
    item = selectors.queue_item_get(user=request.user, item_id=item_id)
    if (page := _mfa_page_if_needed(request)) is not None:
        return page
    context = selectors.queue_item_context(item)
    return render(
        request,
        "moderation/item.html",
        {
            "ctx": context,
            "item": item,
            "community": item.community,
            "held_by_other": bool(
                item.claimed_by_id
                and item.claimed_by_id != request.user.pk
                and item.claimed_until
                and item.claimed_until > timezone.now()
            ),
            "claimed_by_label": actor_label(item.claimed_by, item.community)
            if item.claimed_by
            else "",
            "is_staff": is_staff(request.user),
        },
    )


@require_POST
@login_required
def item_claim(request: AuthenticatedRequest, item_id: int) -> HttpResponse:
    item = selectors.queue_item_get(user=request.user, item_id=item_id)
    try:
        if request.POST.get("release"):
            services.queue_item_release(actor=request.user, item=item)
        else:
            services.queue_item_claim(actor=request.user, item=item)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    return redirect("moderation:item", item.pk)


@require_POST
@login_required
def item_decide(request: AuthenticatedRequest, item_id: int) -> HttpResponse:
    """One decision with a reason; the author is told, the audit log records it."""
    item = selectors.queue_item_get(user=request.user, item_id=item_id)
    decision = request.POST.get("decision", "")
    try:
        services.queue_item_decide(
            actor=request.user,
            item=item,
            decision=decision,
            reason=request.POST.get("reason", ""),
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
        return redirect("moderation:item", item.pk)
    messages.success(request, f"Done: {decision}. The next item is at the top of the queue.")
    return redirect("moderation:community_queue", item.community.slug)


@require_POST
@login_required
def item_check_in(request: AuthenticatedRequest, item_id: int) -> HttpResponse:
    item = selectors.queue_item_get(user=request.user, item_id=item_id)
    try:
        services.check_in_send(actor=request.user, item=item, text=request.POST.get("text", ""))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "Your check-in was sent privately, with the helplines.")
    return redirect("moderation:item", item.pk)


def _require_log_reader(request: AuthenticatedRequest, community: Community) -> None:
    owner = (
        Membership.objects.active()
        .filter(user=request.user, community=community, role=Membership.Role.OWNER)
        .exists()
    )
    if not (owner or is_staff(request.user)):
        raise PermissionDenied("The audit log is for the community's owners and staff.")


@login_required
def audit_log(request: AuthenticatedRequest, community: str) -> HttpResponse:
    target = forum_selectors.community_get_known(slug=community, user=request.user)
    _require_log_reader(request, target)
    return render(
        request,
        "moderation/audit_log.html",
        {"community": target, "actions": selectors.audit_log(community=target)},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def audit_log_csv(request: AuthenticatedRequest, community: str) -> StreamingHttpResponse:
    """The audit log as CSV, streamed."""
    target = forum_selectors.community_get_known(slug=community, user=request.user)
    _require_log_reader(request, target)
    writer = csv.writer(_Echo())
    header = ["when", "who", "action", "member", "target", "reason", "before", "after", "until"]
    rows = (
        [
            action.created.isoformat(),
            action.actor_label,
            action.kind,
            action.subject.name if action.subject else "",
            action.target,
            action.reason,
            action.before,
            action.after,
            action.until.isoformat() if action.until else "",
        ]
        for action in selectors.audit_log(community=target, limit=100_000).iterator()
    )
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in [header, *rows]), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="kindred-{target.slug}-audit.csv"'
    return response


@login_required
def member_history(request: AuthenticatedRequest, community: str, alias_id: int) -> HttpResponse:
    target = _community_for_moderator(request, community)
    alias = selectors.alias_get_in_community(community=target, alias_id=alias_id)
    return render(
        request,
        "moderation/member_history.html",
        {
            "community": target,
            "alias": alias,
            "actions": selectors.member_history(community=target, alias=alias)[:200],
        },
    )


@login_required
def flag_post(request: AuthenticatedRequest, community: str, post_id: int) -> HttpResponse:
    """Report a post: a short form with reasons; the reporter is told it was received."""
    target, _ = forum_selectors.community_get_readable(slug=community, user=request.user)
    post = get_object_or_404(
        Post.objects.select_related("topic"), pk=post_id, topic__community=target
    )
    return _flag(request, target, post=post, message=None)


@login_required
def flag_message(request: AuthenticatedRequest, community: str, message_id: int) -> HttpResponse:
    """Report a chat message (JSON for the chat page, or the plain form)."""
    target, _ = forum_selectors.community_get_readable(slug=community, user=request.user)
    message = get_object_or_404(
        Message.objects.select_related("room"), pk=message_id, room__community=target
    )
    return _flag(request, target, post=None, message=message)


def _flag(
    request: AuthenticatedRequest,
    community: Community,
    *,
    post: Post | None,
    message: Message | None,
) -> HttpResponse:
    wants_json = "application/json" in request.headers.get("Accept", "")
    error = ""
    status = 200
    if request.method == "POST":
        try:
            services.flag_submit(
                reporter=request.user,
                post=post,
                message=message,
                reason=request.POST.get("reason", ""),
                note=request.POST.get("note", ""),
            )
        except (ValidationError, PermissionDenied) as refusal:
            error = _error_text(refusal)
            status = refusal_status(refusal)
            if wants_json:
                return JsonResponse({"ok": False, "error": error}, status=status)
        else:
            received = "Thank you. Your report was received and the moderators will look at it."
            if wants_json:
                return JsonResponse({"ok": True, "message": received})
            messages.success(request, received)
            if post is not None:
                return redirect(
                    reverse("forum:topic", args=[community.slug, post.topic_id])
                    + f"#post-{post.number}"
                )
            return redirect("forum:community", community.slug)
    return render(
        request,
        "moderation/flag_form.html",
        {
            "community": community,
            "post": post,
            "message": message,
            "reasons": Flag.Reason.choices,
            "error": error,
            "chosen": request.POST.get("reason", ""),
            "note": request.POST.get("note", ""),
        },
        status=status,
    )


@login_required
def notices(request: AuthenticatedRequest) -> HttpResponse:
    """Private messages from the moderators to this member."""
    items = selectors.notices_for(request.user)
    response = render(request, "moderation/notices.html", {"notices": items})
    services.notices_mark_read(user=request.user)
    return response


@require_POST
@login_required
def notice_appeal(request: AuthenticatedRequest, notice_id: int) -> HttpResponse:
    notice = selectors.notice_get(user=request.user, notice_id=notice_id)
    try:
        services.appeal_submit(user=request.user, notice=notice, text=request.POST.get("text", ""))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "Your appeal was sent to the moderators.")
    return redirect("moderation:notices")


@require_POST
@login_required
def ask_check_in(request: AuthenticatedRequest, community: str) -> HttpResponse:
    """From the support card: ask this community's moderators to reach out."""
    target = forum_selectors.community_get_known(slug=community, user=request.user)
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        services.check_in_request(user=request.user, community=target)
    except PermissionDenied as error:
        if wants_json:
            return JsonResponse({"ok": False, "error": _error_text(error)}, status=403)
        messages.error(request, _error_text(error))
        return redirect("forum:community", target.slug)
    text = (
        "Thank you for asking. A moderator will check in with you privately; their message "
        "will appear under “From the moderators”. If you are in danger now, please use the "
        "crisis lines."
    )
    if wants_json:
        return JsonResponse({"ok": True, "message": text})
    messages.success(request, text)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("moderation:help")
    return redirect(next_url)


@require_POST
@login_required
def item_crisis_feedback(request: AuthenticatedRequest, item_id: int) -> HttpResponse:
    """Mark the detector's call: a false alarm or a missed case feeds the development set."""
    item = selectors.queue_item_get(user=request.user, item_id=item_id)
    try:
        services.crisis_feedback_record(
            actor=request.user,
            item=item,
            verdict=request.POST.get("verdict", ""),
            expected_severity=request.POST.get("expected", ""),
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "Thank you: this helps the detector get better.")
    return redirect("moderation:item", item.pk)
