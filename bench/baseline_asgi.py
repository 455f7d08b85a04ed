"""ASGI application of the baseline chat: Django for HTTP (/healthz), the tutorial consumer
for WebSockets at /ws/chat/<room>/. Run by bench/chat_fanout.py through daphne.
"""

import os
import sys

if __name__ == "__main__":  # `make bench` runs every bench/*.py; this one is served, not run.
    sys.exit(0)

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from bench.baseline_chat import ChatConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": URLRouter([path("ws/chat/<str:room_name>/", ChatConsumer.as_asgi())]),
    }
)
