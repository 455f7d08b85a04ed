"""Fixed-window counters in the cache (Redis in production), keyed by hashed ids."""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied


class RateLimited(PermissionDenied):
    """Refused for now because of a rate limit: pages answer 429, with what was typed kept."""


def private_key(*parts: object) -> str:
    """A cache key naming a member without their id in clear (a keyed hash)."""
    text = ":".join(str(part) for part in parts)
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()[:32]


def window_hit(*parts: object, limit: int, seconds: int) -> bool:
    """Count one more hit in the current window; False when over `limit`."""
    key = "rl:" + private_key(*parts)
    if cache.add(key, 1, timeout=seconds):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        return True
    return count <= limit


def refusal_status(error: Exception) -> int:
    """The HTTP status of a refused write: 429 for a rate limit, 403 for other refusals,
    400 for invalid input."""
    if isinstance(error, RateLimited):
        return 429
    return 403 if isinstance(error, PermissionDenied) else 400
