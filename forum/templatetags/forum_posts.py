"""`{% post_list posts %}`: a topic page's posts, built by forum.post_html."""

from django import template
from django.utils.safestring import SafeString

from forum.post_html import post_list_html
from forum.selectors import PostView

register = template.Library()


@register.simple_tag(takes_context=True)
def post_list(context: template.Context, posts: list[PostView]) -> SafeString:
    can_react = bool(context["can_react"])
    # Only readers who can write get forms; reading the token for others would set a
    # CSRF cookie on every anonymous visit.
    token = str(context.get("csrf_token", "")) if can_react else ""
    return post_list_html(
        posts,
        topic=context["topic"],
        base=context["post_base"],
        can_react=can_react,
        csrf_token=token,
    )
