"""Help and moderation pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def help_page(request: HttpRequest) -> HttpResponse:
    """Crisis resources; no login and no JavaScript needed."""
    return render(request, "moderation/help.html", {})
