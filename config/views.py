"""Site-wide endpoints that belong to no single app."""

import asyncio
import logging

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)
CHECK_TIMEOUT_SECONDS = 2.0


def _database_answers() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


async def _channel_layer_answers() -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz.ping"})
    message = await layer.receive(channel)
    return message.get("type") == "healthz.ping"


async def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the channel layer both answer, else 503 naming what failed."""
    checks: dict[str, bool] = {}
    try:
        checks["database"] = await asyncio.wait_for(
            sync_to_async(_database_answers)(), CHECK_TIMEOUT_SECONDS
        )
    except Exception:
        logger.warning("healthz: database check failed", exc_info=True)
        checks["database"] = False
    try:
        checks["channel_layer"] = await asyncio.wait_for(
            _channel_layer_answers(), CHECK_TIMEOUT_SECONDS
        )
    except Exception:
        logger.warning("healthz: channel layer check failed", exc_info=True)
        checks["channel_layer"] = False
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
