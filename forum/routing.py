"""Forum WebSocket routes."""

from django.urls import URLPattern, re_path

from forum.consumers import TopicConsumer

websocket_urlpatterns: list[URLPattern] = [
    re_path(r"^ws/topic/(?P<community>[-\w]+)/(?P<topic_id>\d+)/$", TopicConsumer.as_asgi()),
]
