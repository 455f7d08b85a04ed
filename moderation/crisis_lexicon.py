"""The lexicon in use: the reviewed data file plus entries admins add in the admin site.

Each process keeps its automaton and rebuilds it when the shared version number (in the
cache, so Redis in production) changes; saving or deleting an entry bumps it.
"""

from django.core.cache import cache

from moderation.crisis import Lexicon, LexiconEntry, default_lexicon, load_lexicon

VERSION_KEY = "crisis-lexicon-version"
_built: dict[str, Lexicon] = {}


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
    stored = list(StoredEntry.objects.values_list("phrase", "category", "severity", "note"))
    if not stored:
        lexicon = default_lexicon()
    else:
        lexicon = load_lexicon(
            LexiconEntry(phrase=phrase, category=category, severity=severity, note=note)
            for phrase, category, severity, note in stored
        )
    _built.clear()
    _built[version] = lexicon
    return lexicon
