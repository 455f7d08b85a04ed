"""Who is online in a room, shared by every process through the cache's Redis.

Each open socket is an entry that expires unless its consumer refreshes it, so a crashed
process stops counting its members within PRESENCE_TTL_SECONDS. With the in-process cache
(one process, tests, `make run`) a dictionary does the same job.
"""

import threading
import time

from django.core.cache import cache

PRESENCE_TTL_SECONDS = 60
PRESENCE_REFRESH_SECONDS = 25
_SEPARATOR = "\x1f"

_local: dict[int, dict[str, float]] = {}
_local_lock = threading.Lock()


def _redis_client() -> object | None:
    """The raw client behind Django's Redis cache, or None for any other cache."""
    backend = getattr(cache, "_cache", None)
    get_client = getattr(backend, "get_client", None)
    if get_client is None:
        return None
    return get_client(write=True)


def _key(room_id: int) -> str:
    return cache.make_and_validate_key(f"chat:presence:{room_id}")


def _aliases(entries: list[str]) -> list[str]:
    return sorted({entry.split(_SEPARATOR, 1)[1] for entry in entries})


def presence_update(
    *, room_id: int, channel_name: str = "", alias: str = "", online: bool = True
) -> list[str]:
    """Mark one socket present (or gone) and return the distinct aliases online now.

    Without a channel name it only reads.
    """
    now = time.time()
    entry = f"{channel_name}{_SEPARATOR}{alias}" if channel_name else ""
    client = _redis_client()
    if client is None:
        with _local_lock:
            room = _local.setdefault(room_id, {})
            if entry and online:
                room[entry] = now + PRESENCE_TTL_SECONDS
            elif entry:
                room.pop(entry, None)
            for stale in [name for name, expires in room.items() if expires <= now]:
                del room[stale]
            return _aliases(list(room))
    key = _key(room_id)
    pipe = client.pipeline()  # type: ignore[attr-defined]
    if entry and online:
        pipe.zadd(key, {entry: now + PRESENCE_TTL_SECONDS})
    elif entry:
        pipe.zrem(key, entry)
    pipe.zremrangebyscore(key, "-inf", now)
    pipe.expire(key, PRESENCE_TTL_SECONDS * 2)
    pipe.zrange(key, 0, -1)
    members = pipe.execute()[-1]
    return _aliases([m.decode() if isinstance(m, bytes) else m for m in members])


def presence_claim_broadcast(room_id: int, window_seconds: int) -> bool:
    """True for the one caller (across processes) that should broadcast presence soon.

    Joins and leaves come in bursts (a reconnect wave after a restart); one presence
    frame per window instead of one per join keeps that from being O(members²).
    """
    return bool(cache.add(f"chat:presence-due:{room_id}", 1, timeout=window_seconds))
