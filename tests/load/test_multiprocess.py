"""Two real daphne processes on Redis (and PostgreSQL when it answers): fan-out across
processes, and no message lost or duplicated when a process dies mid-stream.
"""

import asyncio
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.chat_fanout import ChatClient, connect_all
from bench.servers import (
    Server,
    chat_members,
    chat_site,
    chat_site_drop,
    chat_stored,
    redis_answers,
    start_daphne,
    wait_for,
)

pytestmark = pytest.mark.load


@pytest.fixture(scope="module")
def site_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Path]]:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    if not redis_answers(url):
        pytest.skip(
            f"needs Redis: nothing answers PING at {url} (set REDIS_URL or start redis-server)"
        )
    directory = tmp_path_factory.mktemp("chat-load")
    env = chat_site(directory, redis_url=url)
    yield env, directory
    chat_site_drop(env)


@pytest.fixture
def two_servers(site_env: tuple[dict[str, str], Path]) -> Iterator[list[Server]]:
    env, directory = site_env
    servers = [start_daphne(env, directory) for _ in range(2)]
    yield servers
    for server in servers:
        server.stop()


def test_members_on_different_processes_see_each_others_messages(
    site_env: tuple[dict[str, str], Path], two_servers: list[Server]
) -> None:
    env, _ = site_env
    keys = chat_members(env, 2, "pair")
    path = "/ws/chat/pair/pair/"

    async def scenario() -> None:
        on_a = ChatClient(keys[0], [two_servers[0].ws_url], path=path)
        on_b = ChatClient(keys[1], [two_servers[1].ws_url], path=path)
        await connect_all([on_a, on_b])
        await on_a.send("from-a", "hello from process A")
        await on_b.send("from-b", "hello from process B")
        both = {"from-a", "from-b"}
        assert await wait_for(lambda: both <= set(on_a.arrivals) and both <= set(on_b.arrivals), 5)
        assert on_a.acked.keys() == {"from-a"} and on_b.acked.keys() == {"from-b"}
        for client in (on_a, on_b):
            await client.stop()

    asyncio.run(scenario())


def test_killed_process_clients_reconnect_and_miss_nothing(
    site_env: tuple[dict[str, str], Path], two_servers: list[Server]
) -> None:
    env, _ = site_env
    doomed, survivor = two_servers
    keys = chat_members(env, 12, "stream")
    path = "/ws/chat/stream/stream/"
    total, kill_at, rate = 120, 50, 30

    async def scenario() -> list[ChatClient]:
        # Half the members (the writer among them) are on the process that will die; each
        # knows both servers and reconnects to whichever answers, with ?after=.
        clients = [
            ChatClient(
                key,
                [doomed.ws_url, survivor.ws_url]
                if n % 2 == 0
                else [survivor.ws_url, doomed.ws_url],
                path=path,
            )
            for n, key in enumerate(keys)
        ]
        await connect_all(clients)
        writer = clients[0]
        for n in range(total):
            if n == kill_at:
                os.kill(doomed.process.pid, signal.SIGKILL)
            await writer.send(f"stream-{n}", f"message {n}")
            await asyncio.sleep(1 / rate)
        assert await wait_for(lambda: not writer.pending, 20), (
            f"never acknowledged: {sorted(writer.pending)}"
        )
        stored_count = len(writer.acked)
        everyone = await wait_for(lambda: all(len(set(c.ids)) >= stored_count for c in clients), 10)
        counts = [(len(set(c.ids)), c.reconnects, c.closes) for c in clients]
        assert everyone, f"stored {stored_count}, received (unique, reconnects, closes): {counts}"
        await asyncio.sleep(0.5)  # Anything duplicated late would show up now.
        for client in clients:
            await client.stop()
        return clients

    clients = asyncio.run(scenario())
    stored = chat_stored(env, "stream")
    assert sorted(stored.values()) == sorted(f"stream-{n}" for n in range(total)), (
        "each message stored once"
    )
    moved = [c for c in clients if c.reconnects]
    assert len(moved) == len(clients) // 2, "the killed process's members reconnected"
    for client in clients:
        lost = set(stored) - set(client.ids)
        duplicated = len(client.ids) - len(set(client.ids))
        assert (len(lost), duplicated) == (0, 0), f"lost {sorted(lost)}, duplicated {duplicated}"
