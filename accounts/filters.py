"""Reader filters: what a member chose not to see, and the matching of muted words.

Words are normalised as the crisis scanner normalises (moderation.crisis.normalise), so a
muted "relapse" also hides "R3LAPSE" and "r.e.l.a.p.s.e". Matching is whole words (or whole
phrases) in the normalised text.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from moderation.crisis.lexicon import default_lexicon
from moderation.crisis.normalise import normalise, vocabulary_words

MUTED_WORD_MAX_LENGTH = 100
MUTED_WORDS_MAX = 200


def filter_phrase_normalise(phrase: str) -> str:
    """The muted phrase as the scanner reads it: lower case, plain letters, single spaces."""
    text = normalise(phrase.strip(), default_lexicon().vocabulary).text
    return " ".join(text.split())


@dataclass(frozen=True)
class ReaderFilters:
    """All of one member's filters (read in one query by accounts.selectors)."""

    words: tuple[tuple[str, str], ...] = ()  # (as typed, normalised)
    muted_topic_ids: frozenset[int] = frozenset()
    breaks: dict[int, datetime] = field(default_factory=dict)  # community id -> until
    hide_crisis_posts: bool = False
    notifications_paused_until: datetime | None = None

    @property
    def active(self) -> bool:
        return bool(self.words or self.muted_topic_ids or self.breaks or self.hide_crisis_posts)

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        normalised = sorted({key for _, key in self.words if key}, key=len, reverse=True)
        if not normalised:
            return None
        alternatives = "|".join(re.escape(key) for key in normalised)
        return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")

    @cached_property
    def _vocabulary(self) -> frozenset[str]:
        # The member's own words join the lexicon's, so that "r e l a p s e" or
        # "relaaapse" are read back to a muted "relapse".
        return default_lexicon().vocabulary | vocabulary_words([key for _, key in self.words])

    def words_in(self, *texts: str) -> tuple[str, ...]:
        """The member's muted words (as they typed them) that occur in any of `texts`."""
        pattern = self._pattern
        if pattern is None:
            return ()
        found: set[str] = set()
        for text in texts:
            if text:
                found.update(pattern.findall(normalise(text, self._vocabulary).text))
        return tuple(typed for typed, key in self.words if key in found)

    def community_on_break(self, community_id: int, now: datetime) -> datetime | None:
        """Until when the member takes a break from this community, or None."""
        until = self.breaks.get(community_id)
        return until if until is not None and until > now else None

    def notifications_paused(self, now: datetime) -> bool:
        return bool(self.notifications_paused_until and self.notifications_paused_until > now)


NO_FILTERS = ReaderFilters()
