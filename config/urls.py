"""Kindred's URLs (see DESIGN.md for the fixed ones)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config.views import healthz

urlpatterns = [
    path("", include("forum.urls")),
    path("", include("accounts.urls")),
    path("", include("forum.admin_urls")),
    path("", include("moderation.urls")),
    path("", include("chat.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

if settings.KINDRED_BENCH_URLS:
    # Only for bench/: the floor a full page is compared with, served by the same process.
    urlpatterns.append(path("", include("bench.floor")))
