"""Settings for chat load tests and benchmarks: the production settings, except that one
member may send a stream (the rate limit is opened up, not removed: its arithmetic and cache
round trips still run), and the channel layer can be switched to measure core vs pub/sub
(on the shards of CHANNEL_REDIS_URLS when it is set, as in production).
"""

import os
import sys

if __name__ == "__main__":  # `make bench` runs every bench/*.py; this one only configures.
    sys.exit(0)

from config.settings import *  # noqa: F403
from config.settings import CACHES, CHANNEL_LAYERS, CHANNEL_REDIS_URLS, REDIS_URL

KINDRED_CHAT_RATE_BURST = 100_000
KINDRED_CHAT_RATE_REFILL_SECONDS = 0.001

# Each run gets its own Redis key prefix, so runs never hear each other's leftovers.
_prefix = os.environ.get("KINDRED_BENCH_PREFIX", "kindred")
CACHES["default"]["KEY_PREFIX"] = _prefix
_layer = os.environ.get("KINDRED_BENCH_LAYER", "")
if REDIS_URL and _layer == "core":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": CHANNEL_REDIS_URLS,
                "capacity": 100,
                "expiry": 10,
                "group_expiry": 120,
                "prefix": _prefix,
            },
        }
    }
elif REDIS_URL and _layer == "pubsub":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": CHANNEL_REDIS_URLS, "prefix": _prefix},
        }
    }
elif "CONFIG" in CHANNEL_LAYERS["default"]:
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = _prefix
