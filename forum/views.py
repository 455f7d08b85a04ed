"""Forum pages: they parse the request, call a service or selector, and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST

from accounts.forms import BreakForm
from accounts.models import User
from accounts.selectors import reader_filters_get
from config.types import AuthenticatedRequest
from forum import selectors, services
from forum.forms import ReplyForm, TopicForm
from forum.models import Community, ContentState, Membership, Post, Topic
from moderation.ratelimit import refusal_status
from moderation.screening import HOLD_MESSAGES, HoldReason, support_card_due, topic_scope
from moderation.support import support_card_context


def _viewer(request: HttpRequest) -> User | None:
    return request.user if request.user.is_authenticated else None


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You can't do that here."


def _readable(request: HttpRequest, slug: str) -> tuple[Community, Membership | None]:
    community, membership = selectors.community_get_readable(slug=slug, user=_viewer(request))
    if not selectors.community_readable_by(community=community, membership=membership):
        raise PermissionDenied("Only members can read this community.")
    return community, membership


def _members_only_page(request: HttpRequest, community: Community) -> HttpResponse:
    return render(request, "forum/members_only.html", {"community": community}, status=403)


def topic_url(topic: Topic, number: int | None = None) -> str:
    url = reverse("forum:topic", args=[topic.community.slug, topic.pk])
    if number is None:
        return url
    page = selectors.page_of_post(number)
    return f"{url}?page={page}#post-{number}" if page > 1 else f"{url}#post-{number}"


def _after_writing(request: AuthenticatedRequest, post: Post, *, draft_key: str) -> None:
    """Confirm the post (clearing the browser's draft), and offer support when it is due."""
    tags = f"draft-clear:{draft_key}"
    if post.state == ContentState.PENDING:
        text = HOLD_MESSAGES[HoldReason.CRISIS if post.crisis_severity else HoldReason.FIRST_POST]
        messages.info(request, text, extra_tags=tags)
    else:
        messages.success(request, "Your post is up.", extra_tags=tags)
    scope = topic_scope(post.topic)
    if post.crisis_severity and support_card_due(
        user_id=request.user.pk, scope=scope, severity=post.crisis_severity
    ):
        request.session["support_card"] = {"scope": scope, "severity": post.crisis_severity}


def home(request: HttpRequest) -> HttpResponse:
    """Communities the visitor may see, and theirs, with topics waiting for a reply."""
    user = _viewer(request)
    communities = list(selectors.community_list_for(user))
    memberships = selectors.memberships_by_community(user)
    waiting = selectors.waiting_counts_for(user)
    filters = reader_filters_get(user)
    now = timezone.now()
    rows = [
        (
            community,
            memberships.get(community.pk),
            waiting.get(community.pk, 0),
            filters.community_on_break(community.pk, now),
        )
        for community in communities
    ]
    return render(
        request, "forum/home.html", {"rows": rows, "waiting_total": sum(waiting.values())}
    )


def community_detail(request: HttpRequest, community: str) -> HttpResponse:
    """A community's topics, pinned first then by last activity, filterable by support type."""
    try:
        target, membership = _readable(request, community)
    except PermissionDenied:
        target, _ = selectors.community_get_readable(slug=community, user=_viewer(request))
        return _members_only_page(request, target)
    support_type = request.GET.get("type", "")
    filters = reader_filters_get(_viewer(request))
    rows, page = selectors.topic_page(
        community=target,
        user=_viewer(request),
        support_type=support_type,
        page=_page_number(request),
        filters=filters,
    )
    return render(
        request,
        "forum/community_detail.html",
        {
            "community": target,
            "membership": membership,
            "rows": rows,
            "page_obj": page,
            "support_type": support_type,
            "support_types": Topic.SupportType.choices,
            "waiting": selectors.waiting_topics(community=target, limit=5),
            "break_until": filters.community_on_break(target.pk, timezone.now()),
            "break_form": BreakForm(),
        },
    )


def waiting_list(request: HttpRequest, community: str) -> HttpResponse:
    """Topics nobody has answered yet, oldest first."""
    try:
        target, membership = _readable(request, community)
    except PermissionDenied:
        target, _ = selectors.community_get_readable(slug=community, user=_viewer(request))
        return _members_only_page(request, target)
    return render(
        request,
        "forum/waiting.html",
        {
            "community": target,
            "membership": membership,
            "topics": selectors.waiting_topics(community=target),
        },
    )


def topic_detail(request: HttpRequest, community: str, topic_id: int) -> HttpResponse:
    """A topic's posts, 30 a page, with the reply box for members."""
    try:
        target, membership = _readable(request, community)
    except PermissionDenied:
        target, _ = selectors.community_get_readable(slug=community, user=_viewer(request))
        return _members_only_page(request, target)
    topic = selectors.topic_get(community=target, topic_id=topic_id, membership=membership)
    return _render_topic(request, target, membership, topic, ReplyForm(), status=200)


def _render_topic(
    request: HttpRequest,
    community: Community,
    membership: Membership | None,
    topic: Topic,
    form: ReplyForm,
    *,
    status: int,
) -> HttpResponse:
    user = _viewer(request)
    read_state = selectors.read_state_get(user=user, topic=topic)
    first_unread = None
    if read_state and read_state.last_read_number < topic.last_post_number:
        first_unread = read_state.last_read_number + 1
    filters = reader_filters_get(user)
    posts, page = selectors.post_page(
        topic=topic, membership=membership, page=_page_number(request), filters=filters
    )
    if user is not None and membership is not None and membership.is_active and posts:
        services.topic_mark_read(
            user=user, topic=topic, up_to=posts[-1].post.number, state=read_state
        )
    support = None
    pending_card = request.session.get("support_card")
    if pending_card and pending_card.get("scope") == topic_scope(topic):
        del request.session["support_card"]
        support = support_card_context(
            user=user,
            community=community,
            severity=pending_card["severity"],
            accept_language=request.headers.get("Accept-Language", ""),
        )
    quote = request.GET.get("quote", "")
    if quote.isdigit() and not form.is_bound:
        quoted = next((view.post for view in posts if view.post.number == int(quote)), None)
        if quoted is not None:
            lines = "\n".join(f"> {line}" for line in quoted.source.splitlines())
            form = ReplyForm(initial={"body": f"> {quoted.author.name} wrote:\n{lines}\n\n"})
    response = render(
        request,
        "forum/topic_detail.html",
        {
            "community": community,
            "membership": membership,
            "topic": topic,
            "posts": posts,
            "page_obj": page,
            "form": form,
            "following": bool(read_state and read_state.following),
            "first_unread_url": topic_url(topic, first_unread) if first_unread else "",
            "support": support,
            # Anywhere in the topic, not only on this page of it.
            "crisis_in_topic": bool(getattr(topic, "crisis_detected", False))
            or any(view.post.crisis_severity for view in posts),
            "topic_muted": topic.pk in filters.muted_topic_ids,
            "staffed": selectors.staffed_status(community),
            "post_base": f"/c/{community.slug}/p/",
            "can_react": bool(membership and membership.is_active),
            "can_reply": bool(membership and membership.is_active)
            and (not topic.locked or membership.is_moderator),  # type: ignore[union-attr]
        },
        status=status,
    )
    if support is not None:
        # The card carries the writer's own safety plan: never kept in any cache.
        patch_cache_control(response, no_store=True, private=True)
    return response


@login_required
def topic_create(request: AuthenticatedRequest, community: str) -> HttpResponse:
    """Start a new topic; on a refusal the typed text comes back with the reason."""
    target, membership = selectors.community_get_readable(slug=community, user=request.user)
    form = TopicForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_create(
                user=request.user,
                community=target,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                support_type=form.cleaned_data["support_type"] or Topic.SupportType.EMOTIONAL,
                content_warning=form.cleaned_data["content_warning"],
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(
                None, error if isinstance(error, ValidationError) else _error_text(error)
            )
            status = refusal_status(error)
        else:
            first_post = topic.posts.get(number=1)
            _after_writing(request, first_post, draft_key=f"topic-{target.slug}")
            return redirect(topic_url(topic))
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "forum/topic_form.html",
        {
            "community": target,
            "membership": membership,
            "form": form,
            "staffed": selectors.staffed_status(target),
        },
        status=status,
    )


@require_POST
@login_required
def post_reply(request: AuthenticatedRequest, community: str, topic_id: int) -> HttpResponse:
    """Reply to a topic; on a refusal the topic page shows the reason and the typed text."""
    target, membership = selectors.community_get_readable(slug=community, user=request.user)
    topic = selectors.topic_get(community=target, topic_id=topic_id, membership=membership)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            post = services.post_reply(
                user=request.user, topic=topic, body=form.cleaned_data["body"]
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(
                None, error if isinstance(error, ValidationError) else _error_text(error)
            )
            status = refusal_status(error)
        else:
            _after_writing(request, post, draft_key=f"reply-{topic.pk}")
            return redirect(topic_url(topic, post.number))
    else:
        status = 400
    return _render_topic(request, target, membership, topic, form, status=status)


@login_required
def post_edit(request: AuthenticatedRequest, community: str, post_id: int) -> HttpResponse:
    """Edit one's own post (24 hours)."""
    target, membership = selectors.community_get_readable(slug=community, user=request.user)
    post = selectors.post_get_own(user=request.user, community=target, post_id=post_id)
    form = ReplyForm(request.POST or None, initial={"body": post.source})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.post_edit(user=request.user, post=post, body=form.cleaned_data["body"])
        except (ValidationError, PermissionDenied) as error:
            form.add_error(
                None, error if isinstance(error, ValidationError) else _error_text(error)
            )
            status = refusal_status(error)
        else:
            messages.success(
                request, "Your post is updated.", extra_tags=f"draft-clear:edit-{post.pk}"
            )
            return redirect(topic_url(post.topic, post.number))
    return render(
        request,
        "forum/post_edit.html",
        {"community": target, "membership": membership, "post": post, "form": form},
        status=status,
    )


@require_POST
@login_required
def post_delete(request: AuthenticatedRequest, community: str, post_id: int) -> HttpResponse:
    """Delete one's own post; it shows as "removed by the author"."""
    target, _ = selectors.community_get_readable(slug=community, user=request.user)
    post = selectors.post_get_own(user=request.user, community=target, post_id=post_id)
    try:
        services.post_delete_own(user=request.user, post=post)
    except PermissionDenied as error:
        messages.error(request, _error_text(error))
    else:
        messages.info(request, "Your post is removed.")
    return redirect(topic_url(post.topic, post.number))


@require_POST
@login_required
def reaction_toggle(request: AuthenticatedRequest, community: str, post_id: int) -> HttpResponse:
    """Toggle a reaction; JSON for the script, a redirect for a plain form."""
    target, _ = selectors.community_get_readable(slug=community, user=request.user)
    post = selectors.post_get_readable(community=target, post_id=post_id)
    wants_json = "application/json" in request.headers.get("Accept", "")
    kind = request.POST.get("kind", "")
    try:
        added = services.reaction_toggle(user=request.user, post=post, kind=kind)
    except (ValidationError, PermissionDenied) as error:
        if wants_json:
            return JsonResponse({"error": _error_text(error)}, status=403)
        messages.error(request, _error_text(error))
        return redirect(topic_url(post.topic, post.number))
    if wants_json:
        count = post.reactions.filter(kind=kind).count()
        return JsonResponse({"kind": kind, "added": added, "count": count})
    return redirect(topic_url(post.topic, post.number))


@require_POST
@login_required
def topic_follow(request: AuthenticatedRequest, community: str, topic_id: int) -> HttpResponse:
    target, membership = selectors.community_get_readable(slug=community, user=request.user)
    topic = selectors.topic_get(community=target, topic_id=topic_id, membership=membership)
    following = request.POST.get("follow") == "1"
    services.topic_follow(user=request.user, topic=topic, following=following)
    messages.info(
        request,
        "You follow this topic: new replies appear in your notifications."
        if following
        else "You no longer follow this topic.",
    )
    return redirect(topic_url(topic))


@login_required
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    """The member's notifications; POST marks them all read."""
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        return redirect("forum:notifications")
    filters = reader_filters_get(request.user)
    now = timezone.now()
    return render(
        request,
        "forum/notifications.html",
        {
            "notifications": selectors.notification_list(request.user, filters=filters),
            "paused_until": request.user.notifications_paused_until
            if filters.notifications_paused(now)
            else None,
        },
    )


def search(request: HttpRequest, community: str | None = None) -> HttpResponse:
    """Search one community or every community the visitor may read; queries are not logged."""
    user = _viewer(request)
    target = None
    if community is not None:
        target, reader = selectors.community_get_readable(slug=community, user=user)
        if not selectors.community_readable_by(community=target, membership=reader):
            return _members_only_page(request, target)
        community_ids = [target.pk]
    else:
        community_ids = selectors.readable_community_ids(user)
    query = request.GET.get("q", "")[:200]
    results = selectors.post_search(query=query, community_ids=community_ids) if query else []
    return render(
        request,
        "forum/search.html",
        {"community": target, "query": query, "results": results},
    )


@require_POST
@login_required
def community_join(request: AuthenticatedRequest, community: str) -> HttpResponse:
    """Join (or ask to join) a community."""
    target, _ = selectors.community_get_readable(slug=community, user=request.user)
    try:
        membership = services.community_join(
            user=request.user, community=target, answer=request.POST.get("answer", "")
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
        return redirect("forum:home")
    if membership.is_active:
        messages.success(request, f"Welcome to {target.name}. You are {membership.alias} here.")
        if membership.welcome_pending:
            return redirect("community_admin:welcome", target.slug)
        return redirect("forum:community", target.slug)
    messages.info(request, f"Your request to join {target.name} is waiting for a moderator.")
    return redirect("forum:home")


@require_POST
@login_required
def community_leave(request: AuthenticatedRequest, community: str) -> HttpResponse:
    """Leave a community."""
    target, _ = selectors.community_get_readable(slug=community, user=request.user)
    try:
        services.community_leave(user=request.user, community=target)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.info(request, f"You have left {target.name}.")
    return redirect("forum:home")
