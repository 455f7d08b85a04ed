"""A member's data export: everything they wrote, and their settings.

Each section is read by a small synchronous function. The JSON download streams the
sections from an async generator, reading each one in a `sync_to_async` thread, so a large
export never holds the event loop (and other requests are served between sections); the
readable HTML page uses the same functions.
"""

import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from asgiref.sync import sync_to_async
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch

from accounts.models import Alias, ReaderFilter, SafetyPlan, User
from accounts.safety_plan import SAFETY_PLAN_STEPS
from accounts.selectors import has_two_factor

Section = Callable[[int], Any]
EXPORT_FORMAT_VERSION = 1


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_account(user_id: int) -> dict[str, Any]:
    """The account itself and its settings."""
    from allauth.account.models import EmailAddress

    user = User.objects.get(pk=user_id)
    return {
        "username": user.username,
        "email": user.email,
        "recovery_emails": list(
            EmailAddress.objects.filter(user=user).values_list("email", flat=True)
        ),
        "joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
        "country_for_helplines": user.country,
        "notify_replies": user.notify_replies,
        "notify_mentions": user.notify_mentions,
        "quick_exit": user.quick_exit,
        "hide_crisis_posts": user.hide_crisis_posts,
        "notifications_paused_until": _when(user.notifications_paused_until),
        "two_factor_authentication": has_two_factor(user),
    }


def export_aliases(user_id: int) -> list[dict[str, Any]]:
    """Every alias the member has held, current and retired."""
    return [
        {
            "community": alias.community.slug,
            "alias": alias.name,
            "created": _when(alias.created),
            "retired": _when(alias.retired),
        }
        for alias in Alias.objects.filter(user_id=user_id)
        .select_related("community")
        .order_by("created", "pk")
    ]


def export_memberships(user_id: int) -> list[dict[str, Any]]:
    """The communities the member joined or asked to join."""
    from forum.models import Membership

    return [
        {
            "community": membership.community.slug,
            "alias": membership.alias.name,
            "role": membership.role,
            "state": membership.state,
            "joined": _when(membership.joined),
            "application_answer": membership.application_answer,
            "rules_acknowledged": _when(membership.rules_acknowledged),
            "muted_until": _when(membership.muted_until),
        }
        for membership in Membership.objects.filter(user_id=user_id).select_related(
            "community", "alias"
        )
    ]


def export_topics(user_id: int) -> list[dict[str, Any]]:
    """Topics the member started (their first posts are in `posts`)."""
    from forum.models import Topic

    return [
        {
            "id": topic.pk,
            "community": topic.community.slug,
            "alias": topic.author.name,
            "title": topic.title,
            "support_type": topic.support_type,
            "content_warning": topic.content_warning,
            "state": topic.state,
            "created": _when(topic.created),
        }
        for topic in Topic.objects.filter(author__user_id=user_id)
        .select_related("community", "author")
        .order_by("created", "pk")
    ]


def export_posts(user_id: int) -> list[dict[str, Any]]:
    """Every post the member wrote, with its earlier versions."""
    from forum.models import Post, PostRevision

    posts = (
        Post.objects.filter(author__user_id=user_id)
        .select_related("topic__community", "author")
        .prefetch_related(Prefetch("revisions", queryset=PostRevision.objects.order_by("created")))
        .order_by("created", "pk")
    )
    return [
        {
            "id": post.pk,
            "community": post.topic.community.slug,
            "topic_id": post.topic_id,
            "topic_title": post.topic.title,
            "number": post.number,
            "alias": post.author.name,
            "text": post.source,
            "state": post.state,
            "created": _when(post.created),
            "edited": _when(post.edited),
            "earlier_versions": [
                {"text": revision.source, "replaced": _when(revision.created)}
                for revision in post.revisions.all()
            ],
        }
        for post in posts
    ]


def export_chat_messages(user_id: int) -> list[dict[str, Any]]:
    """Every chat message the member wrote."""
    from chat.models import Message

    return [
        {
            "id": message.pk,
            "community": message.room.community.slug,
            "room": message.room.slug,
            "alias": message.alias.name,
            "text": message.body,
            "state": message.state,
            "created": _when(message.created),
        }
        for message in Message.objects.filter(alias__user_id=user_id)
        .select_related("room__community", "alias")
        .order_by("pk")
    ]


def export_reactions(user_id: int) -> list[dict[str, Any]]:
    """Reactions the member gave."""
    from forum.models import Reaction

    return [
        {
            "post_id": reaction.post_id,
            "topic_id": reaction.post.topic_id,
            "kind": reaction.kind,
            "created": _when(reaction.created),
        }
        for reaction in Reaction.objects.filter(alias__user_id=user_id)
        .select_related("post")
        .order_by("created", "pk")
    ]


def export_flags(user_id: int) -> list[dict[str, Any]]:
    """Reports the member made (never who they were about)."""
    from moderation.models import Flag

    return [
        {
            "community": flag.community.slug,
            "post_id": flag.post_id,
            "message_id": flag.message_id,
            "reason": flag.reason,
            "note": flag.note,
            "created": _when(flag.created),
        }
        for flag in Flag.objects.filter(reporter_id=user_id)
        .select_related("community")
        .order_by("created", "pk")
    ]


def export_notices(user_id: int) -> list[dict[str, Any]]:
    """Messages the moderators sent the member."""
    from moderation.models import MemberNotice

    return [
        {
            "kind": notice.kind,
            "text": notice.text,
            "until": _when(notice.until),
            "created": _when(notice.created),
        }
        for notice in MemberNotice.objects.filter(user_id=user_id).order_by("created", "pk")
    ]


def export_safety_plan(user_id: int) -> list[dict[str, Any]]:
    """The member's own safety plan, step by step (only ever in their own export)."""
    plan = SafetyPlan.objects.filter(user_id=user_id).first()
    if plan is None:
        return []
    return [
        {"step": step.title, "text": getattr(plan, step.field), "updated": _when(plan.updated)}
        for step in SAFETY_PLAN_STEPS
    ]


def export_reader_filters(user_id: int) -> list[dict[str, Any]]:
    """Words and topics the member muted, and breaks they are taking."""
    return [
        {
            "kind": row.kind,
            "word": row.phrase or None,
            "topic_id": row.topic_id,
            "community": row.community.slug if row.community else None,
            "until": _when(row.until),
            "created": _when(row.created),
        }
        for row in ReaderFilter.objects.filter(user_id=user_id)
        .select_related("community")
        .order_by("created", "pk")
    ]


EXPORT_SECTIONS: list[tuple[str, str, Section]] = [
    ("account", "Your account and settings", export_account),
    ("aliases", "Your aliases", export_aliases),
    ("memberships", "Your communities", export_memberships),
    ("topics", "Topics you started", export_topics),
    ("posts", "Your posts", export_posts),
    ("chat_messages", "Your chat messages", export_chat_messages),
    ("reactions", "Your reactions", export_reactions),
    ("flags", "Your reports", export_flags),
    ("notices", "Messages from moderators", export_notices),
    ("safety_plan", "Your safety plan", export_safety_plan),
    ("reader_filters", "Your reading filters", export_reader_filters),
]


def member_export(user_id: int) -> dict[str, Any]:
    """The whole export as one dictionary (for the readable page and for tests)."""
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        **{key: section(user_id) for key, _title, section in EXPORT_SECTIONS},
    }


async def member_export_stream(user_id: int) -> AsyncIterator[bytes]:
    """The export as JSON, one section at a time, each read in a database thread."""
    yield f'{{"format_version": {EXPORT_FORMAT_VERSION}'.encode()
    for key, _title, section in EXPORT_SECTIONS:
        value = await sync_to_async(section)(user_id)
        body = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
        yield f",\n{json.dumps(key)}: {body}".encode()
    yield b"}\n"
