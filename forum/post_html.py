"""The HTML of the posts on a topic page, built in Python.

A topic page shows 30 posts; through the template engine each cost about 0.3 ms (most of
the page's time: bench/forum_pages.py). Built here with `format_html`, which escapes every
value it is given, the same markup costs a tenth of that. Post bodies are the only values
passed through unescaped: they were sanitised by `forum.markup.render` when stored.
"""

from collections.abc import Iterable

from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime

from forum.models import ContentState, Post, Topic
from forum.selectors import PostView

_REPLY_HINT = (
    "If you reply: listen, don't judge, no method details, and point to "
    '<a href="{help}">help</a>. <a href="{replying}">How to reply</a>.'
)


def _hint() -> SafeString:
    return format_html(
        '<p class="meta">' + _REPLY_HINT + "</p>",
        help=reverse("moderation:help"),
        replying=reverse("moderation:help_replying"),
    )


def _body(view: PostView, topic: Topic) -> SafeString:
    post = view.post
    body = format_html('<div class="post-body">{}</div>', mark_safe(post.html))  # noqa: S308 - sanitised at write time
    if view.hidden_by or view.crisis_hidden:
        words = format_html_join(", ", "“{}”", ((word,) for word in view.hidden_by))
        joiner = " and " if view.hidden_by and view.crisis_hidden else ""
        crisis = "posts about suicide or self-harm" if view.crisis_hidden else ""
        return format_html(
            '<details class="content-note filter-note">'
            "<summary>Hidden by your filter: {}{}{} (open to read)</summary>{}{}</details>",
            words,
            joiner,
            crisis,
            _hint() if view.crisis_hidden else "",
            body,
        )
    if post.crisis_severity and not view.is_mine:
        return format_html(
            '<details class="content-note crisis-note"><summary>Content note: this post talks '
            "about thoughts of suicide or self-harm (open to read)</summary>{}{}</details>",
            _hint(),
            body,
        )
    if post.number == 1 and topic.content_warning:
        return format_html(
            '<details class="content-note"><summary>Content note: {} (open to read)</summary>'
            "{}</details>",
            topic.content_warning,
            body,
        )
    return body


def _reactions(view: PostView, *, base: str, can_react: bool, csrf_token: str) -> SafeString:
    buttons = format_html_join(
        "",
        '<button type="submit" name="kind" value="{}" class="reaction{}" aria-pressed="{}"{}>'
        '{} <span class="reaction-count">{}</span></button>',
        (
            (
                kind,
                " reacted" if mine else "",
                "true" if mine else "false",
                "" if can_react else mark_safe(" disabled"),
                label,
                count or "",
            )
            for kind, label, count, mine in view.reactions
        ),
    )
    token = (
        format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token)
        if can_react
        else ""
    )
    return format_html(
        '<form method="post" action="{}{}/react/" class="reactions" aria-label="Reactions">'
        "{}{}</form>",
        base,
        view.post.pk,
        token,
        buttons,
    )


def _actions(view: PostView, *, base: str, csrf_token: str) -> SafeString:
    post = view.post
    links = [format_html('<a href="?quote={}#reply-heading">Quote</a>', post.number)]
    if not view.is_mine:
        links.append(format_html('<a href="{}{}/flag/">Report</a>', base, post.pk))
    if view.can_edit:
        links.append(format_html('<a href="{}{}/edit/">Edit</a>', base, post.pk))
    if view.is_mine:
        links.append(
            format_html(
                '<form method="post" action="{}{}/delete/" class="inline-form">'
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                '<button type="submit" class="link-button">Delete</button></form>',
                base,
                post.pk,
                csrf_token,
            )
        )
    return format_html('<div class="post-actions">{}</div>', mark_safe("".join(links)))  # noqa: S308 - each part built by format_html


def _state_notice(post: Post) -> SafeString | str:
    if post.state == ContentState.VISIBLE:
        return ""
    return format_html(
        '<p class="notice notice-warning">{}: only you and the moderators see this post.</p>',
        post.get_state_display(),
    )


def post_item_html(
    view: PostView, *, topic: Topic, base: str, can_react: bool, csrf_token: str
) -> SafeString:
    """One `<li class="post">` of a topic page's post list."""
    post = view.post
    created = localtime(post.created)
    edited = ""
    if post.edited:
        edited = format_html(
            '<span class="meta">· edited{}</span>',
            " after replies" if post.edited_after_reply else "",
        )
    if post.state == ContentState.REMOVED:
        content = format_html(
            '<p class="removed">{}</p>',
            "Removed by the author." if post.removed_by_author else "Removed by a moderator.",
        )
    else:
        content = format_html(
            "{}{}{}{}",
            _state_notice(post),
            _body(view, topic),
            _reactions(view, base=base, can_react=can_react, csrf_token=csrf_token),
            _actions(view, base=base, csrf_token=csrf_token) if can_react else "",
        )
    return format_html(
        '<li class="post" id="post-{n}"><article aria-labelledby="post-{n}-by">'
        '<header class="post-header"><span id="post-{n}-by" class="post-author">{author}</span>'
        ' <a class="meta" href="#post-{n}"><time datetime="{iso}">{shown}</time></a>{edited}'
        "</header>{content}</article></li>",
        n=post.number,
        author=post.author.name,
        iso=created.isoformat(),
        shown=date_format(created, "j M Y, H:i"),
        edited=edited,
        content=content,
    )


def post_list_html(
    views: Iterable[PostView], *, topic: Topic, base: str, can_react: bool, csrf_token: str
) -> SafeString:
    """Every post of one topic page, in order."""
    return mark_safe(  # noqa: S308 - each item built by format_html
        "\n".join(
            post_item_html(view, topic=topic, base=base, can_react=can_react, csrf_token=csrf_token)
            for view in views
        )
    )
