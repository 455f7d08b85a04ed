"""The channel layer sharded over two Redis servers (CHANNEL_REDIS_URLS): two real daphne
processes still deliver each other's messages in every room, whichever shard carries it.

The test starts its own two redis-server processes on free loopback ports (the first one
also holds the cache), so it needs the `redis-server` program but no running Redis.
"""

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from bench.chat_fanout import ChatClient, connect_all
from bench.servers import (
    RedisServer,
    chat_members,
    chat_site,
    chat_site_drop,
    redis_server_binary,
    running_redis_servers,
    start_daphne,
    wait_for,
)

pytestmark = pytest.mark.load

ROOMS = 3


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[RedisServer]]:
    if redis_server_binary() is None:
        pytest.skip(
            "needs the redis-server program to start two shards of its own "
            "(Debian: apt-get install redis-server)"
        )
    with running_redis_servers(2, tmp_path_factory.mktemp("shards")) as servers:
        yield servers


def heard_both(a: ChatClient, b: ChatClient, both: set[str]) -> Callable[[], bool]:
    return lambda: both <= set(a.arrivals) and both <= set(b.arrivals)


def subscriptions(shard: RedisServer) -> int:
    """How many pub/sub channels the processes hold on this shard."""
    return len(redis.Redis.from_url(shard.url).pubsub_channels())


def test_two_processes_on_two_shards_deliver_each_others_messages(
    shards: list[RedisServer], tmp_path: Path
) -> None:
    env = chat_site(tmp_path, redis_url=shards[0].url)
    env["CHANNEL_REDIS_URLS"] = ",".join(shard.url for shard in shards)
    servers = []
    try:
        servers = [start_daphne(env, tmp_path) for _ in range(2)]
        rooms = [f"shard{n}" for n in range(ROOMS)]
        keys = {room: chat_members(env, 2, room) for room in rooms}

        async def scenario() -> list[int]:
            pairs = [
                (
                    ChatClient(keys[room][0], [servers[0].ws_url], path=f"/ws/chat/{room}/{room}/"),
                    ChatClient(keys[room][1], [servers[1].ws_url], path=f"/ws/chat/{room}/{room}/"),
                )
                for room in rooms
            ]
            clients = [client for pair in pairs for client in pair]
            await connect_all(clients)
            # Every room's group, member group and socket channel is a subscription on one
            # of the shards; with this many names both shards carry some.
            used = [subscriptions(shard) for shard in shards]
            for room, (on_a, on_b) in zip(rooms, pairs, strict=True):
                await on_a.send(f"{room}-a", f"hello from process A in {room}")
                await on_b.send(f"{room}-b", f"hello from process B in {room}")
            for room, (on_a, on_b) in zip(rooms, pairs, strict=True):
                both = {f"{room}-a", f"{room}-b"}
                heard = await wait_for(heard_both(on_a, on_b, both), 5)
                assert heard, f"{room}: A heard {set(on_a.arrivals)}, B heard {set(on_b.arrivals)}"
                assert on_a.acked.keys() == {f"{room}-a"} and on_b.acked.keys() == {f"{room}-b"}
            for client in clients:
                await client.stop()
            return used

        used = asyncio.run(scenario())
        assert all(used), f"pub/sub channels per shard: {used} (both shards should carry some)"
    finally:
        for server in servers:
            server.stop()
        chat_site_drop(env)
