"""WebSocket routes of every app."""

from chat.routing import websocket_urlpatterns as chat_routes
from moderation.routing import websocket_urlpatterns as moderation_routes

websocket_urlpatterns = [*chat_routes, *moderation_routes]
