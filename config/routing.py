"""WebSocket routes of every app."""

from chat.routing import websocket_urlpatterns as chat_routes
from forum.routing import websocket_urlpatterns as forum_routes
from moderation.routing import websocket_urlpatterns as moderation_routes

websocket_urlpatterns = [*chat_routes, *forum_routes, *moderation_routes]
