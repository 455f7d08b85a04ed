"""Moderator live-feed WebSocket routes."""

from django.urls import URLPattern, re_path

from moderation.consumers import ModFeedConsumer

websocket_urlpatterns: list[URLPattern] = [
    re_path(r"^ws/mod/$", ModFeedConsumer.as_asgi()),
]
