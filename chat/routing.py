"""Chat WebSocket routes."""

from django.urls import URLPattern, path

from chat.consumers import ChatConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/chat/<slug:community>/<slug:room>/", ChatConsumer.as_asgi()),
]
