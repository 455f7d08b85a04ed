"""Group names and events for open topic pages (moderators' hide and remove reach them)."""

from typing import Any

from forum.models import Post

Event = dict[str, Any]


def topic_group(topic_id: int) -> str:
    """Every open page of one topic."""
    return f"forum.topic.{topic_id}"


def post_state_event(post: Post) -> Event:
    """A post's visibility changed; the frame holds its number and state, never its text."""
    return {
        "type": "forum.post_state",
        "frame": {"type": "post_state", "number": post.number, "state": post.state},
    }
