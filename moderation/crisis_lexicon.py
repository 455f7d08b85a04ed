"""The lexicon in use: the reviewed data file plus entries admins add in the admin site.

Each process keeps its automaton and rebuilds it when the shared version number (in the
cache, so Redis in production) changes; saving or deleting an entry bumps it.
"""

import logging

from django.core.cache import cache

from moderation.crisis import (
    Lexicon,
    LexiconEntry,
    LexiconError,
    default_lexicon,
    default_model,
    load_lexicon,
)

logger = logging.getLogger(__name__)

VERSION_KEY = "crisis-lexicon-version"
_built: dict[str, Lexicon] = {}


def warm_up() -> None:
    """Build the shipped lexicon and read the risk model now (about half a second), at
    process start, rather than while the first message of the process waits."""
    default_lexicon()
    default_model()


def lexicon_changed() -> None:
    """Call after admins change lexicon entries: every process rebuilds on next use."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, timeout=None)


def current_lexicon() -> Lexicon:
    """The automaton for the data file plus admin entries, rebuilt only when they change."""
    from moderation.models import LexiconEntry as StoredEntry

    version = str(cache.get(VERSION_KEY, 0))
    lexicon = _built.get(version)
    if lexicon is not None:
        return lexicon
    stored = list(StoredEntry.objects.values_list("pk", "phrase", "category", "severity", "note"))
    extra = []
    for pk, phrase, category, severity, note in stored:
        try:
            extra.append(LexiconEntry(phrase, category, severity, note))
        except LexiconError:
            # Saved past the admin form's checks (a shell, an import): one bad entry must
            # not stop every post from being assessed.
            logger.warning("Crisis lexicon entry %s skipped: it cannot be used", pk)
    lexicon = load_lexicon(extra) if extra else default_lexicon()
    _built.clear()
    _built[version] = lexicon
    return lexicon
