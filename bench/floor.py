"""The framework's floor for page benchmarks: a trivial view returning a fixed short page."""

from django.http import HttpRequest, HttpResponse
from django.urls import path


def floor(request: HttpRequest) -> HttpResponse:
    """A fixed short page: what Django and daphne cost with no work of Kindred's."""
    return HttpResponse("<!doctype html><title>floor</title><p>ok</p>")


urlpatterns = [path("bench/floor/", floor)]
