"""Values every page's header needs."""

from django.http import HttpRequest

from forum.selectors import notifications_unread_count


def header_counts(request: HttpRequest) -> dict[str, int]:
    """The unread notification count shown in the header (one query, members only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": notifications_unread_count(user)}
