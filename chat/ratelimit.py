"""Token-bucket arithmetic for chat rate limits: pure Python, no Django, no I/O.

A bucket holds up to `burst` tokens and gains one every `refill_seconds`; each message
takes one. The state is two floats so that it fits in any cache.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bucket:
    """Tokens left at the moment `updated` (seconds, any monotonic-enough clock)."""

    tokens: float
    updated: float


@dataclass(frozen=True)
class Decision:
    allowed: bool
    bucket: Bucket
    retry_after: float


def bucket_take(
    bucket: Bucket | None, *, now: float, burst: int, refill_seconds: float
) -> Decision:
    """Take one token if there is one; otherwise say how long until there will be."""
    if bucket is None:
        tokens = float(burst)
    else:
        elapsed = max(0.0, now - bucket.updated)
        tokens = min(float(burst), bucket.tokens + elapsed / refill_seconds)
    if tokens >= 1.0:
        return Decision(allowed=True, bucket=Bucket(tokens - 1.0, now), retry_after=0.0)
    wait = (1.0 - tokens) * refill_seconds
    return Decision(allowed=False, bucket=Bucket(tokens, now), retry_after=wait)


def slow_mode_wait(last_sent: float | None, *, now: float, slow_mode_seconds: int) -> float:
    """Seconds still to wait before the next message in a slow-mode room (0 when free)."""
    if not slow_mode_seconds or last_sent is None:
        return 0.0
    return max(0.0, last_sent + slow_mode_seconds - now)
