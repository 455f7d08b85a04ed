"""WebSocket connections pass an origin check before anything else."""

import pytest
from channels.testing import WebsocketCommunicator

from config.asgi import application


@pytest.mark.django_db(transaction=True)
async def test_websocket_from_a_foreign_origin_is_refused() -> None:
    communicator = WebsocketCommunicator(
        application, "/ws/chat/anxiety/lounge/", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _ = await communicator.connect()
    assert connected is False
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_websocket_without_an_origin_header_is_refused() -> None:
    communicator = WebsocketCommunicator(application, "/ws/chat/anxiety/lounge/")
    connected, _ = await communicator.connect()
    assert connected is False
    await communicator.disconnect()
