"""Settings for tests/load/soak.py: the production settings, limits included, with the run's
own Redis key prefix so that a soak never hears (or is heard by) anything else on that Redis.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import CACHES, CHANNEL_LAYERS

_prefix = os.environ.get("KINDRED_SOAK_PREFIX", "kindred-soak")
CACHES["default"]["KEY_PREFIX"] = _prefix
if "CONFIG" in CHANNEL_LAYERS["default"]:
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = _prefix
