"""The quick-exit address for templates (settings.KINDRED_QUICK_EXIT_URL)."""

from django import template
from django.conf import settings

register = template.Library()

DEFAULT_QUICK_EXIT_URL = "https://www.bbc.co.uk/weather"


@register.simple_tag
def quick_exit_url() -> str:
    """Where "Leave quickly" goes: a neutral, harmless site outside Kindred."""
    return str(getattr(settings, "KINDRED_QUICK_EXIT_URL", DEFAULT_QUICK_EXIT_URL))
