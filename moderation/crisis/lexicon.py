"""The crisis lexicon: entries from the shipped data file plus admin additions, in one automaton."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick

from moderation.crisis.normalise import (
    NormalisedText,
    normalise,
    vocabulary_words,
    word_search_copy,
)

__all__ = [
    "CONTEXT_CATEGORIES",
    "DATA_FILE",
    "RISK_CATEGORIES",
    "SEVERITIES",
    "Lexicon",
    "LexiconEntry",
    "LexiconError",
    "PhraseHit",
    "default_lexicon",
    "load_lexicon",
    "read_entries",
]

SEVERITIES: tuple[str, ...] = ("none", "concern", "high", "imminent")
SEVERITY_RANK: dict[str, int] = {severity: rank for rank, severity in enumerate(SEVERITIES)}

RISK_CATEGORIES = frozenset(
    {
        "suicidal_ideation",
        "self_harm",
        "plan_or_means",
        "timing",
        "harm_to_others",
        "hopelessness",
        "harassment",
    }
)
# These never reach an Assessment: they only change how risk phrases near them read.
CONTEXT_CATEGORIES = frozenset({"idiom", "title", "benign", "past", "present"})

DATA_FILE = Path(__file__).with_name("lexicon.tsv")
_VERSION_LINE = re.compile(r"#\s*version:\s*(\S+)")


class LexiconError(ValueError):
    """A lexicon entry or data file line that cannot be used."""


@dataclass(frozen=True)
class LexiconEntry:
    """One phrase of the lexicon, its category and the severity it carries alone."""

    phrase: str
    category: str
    severity: str
    note: str = ""

    def __post_init__(self) -> None:
        if self.category not in RISK_CATEGORIES | CONTEXT_CATEGORIES:
            raise LexiconError(f"unknown category {self.category!r} for {self.phrase!r}")
        if self.severity not in SEVERITY_RANK:
            raise LexiconError(f"unknown severity {self.severity!r} for {self.phrase!r}")
        if not self.phrase.strip():
            raise LexiconError("empty phrase")


@dataclass(frozen=True, slots=True)
class PhraseHit:
    """A lexicon phrase found in normalised text, with normalised offsets."""

    entry: LexiconEntry
    start: int
    end: int


def read_entries(path: Path = DATA_FILE) -> tuple[str, tuple[LexiconEntry, ...]]:
    """Read a lexicon data file: its version and its entries, in file order."""
    version = "0"
    entries: list[LexiconEntry] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        if line.startswith("#"):
            found = _VERSION_LINE.match(line)
            if found:
                version = found.group(1)
            continue
        fields = line.split("\t")
        if len(fields) < 3:
            raise LexiconError(f"{path.name}:{number}: expected phrase, category, severity")
        phrase, category, severity = (field.strip() for field in fields[:3])
        note = fields[3].strip() if len(fields) > 3 else ""
        try:
            entries.append(LexiconEntry(phrase, category, severity, note))
        except LexiconError as error:
            raise LexiconError(f"{path.name}:{number}: {error}") from error
    return version, tuple(entries)


class Lexicon:
    """Lexicon entries compiled into one Aho-Corasick automaton over normalised phrases."""

    __slots__ = ("_automaton", "entries", "version", "vocabulary")

    def __init__(self, entries: Iterable[LexiconEntry], version: str) -> None:
        self.version = version
        self.entries: tuple[LexiconEntry, ...] = tuple(entries)
        bare_keys = {normalise(entry.phrase).text.strip(): entry for entry in self.entries}
        # The vocabulary lets the normaliser pick "kill" over "kil" for "killlll"; phrases
        # are normalised again with it so both sides of a match see the same words.
        self.vocabulary = vocabulary_words(bare_keys)
        by_key: dict[str, LexiconEntry] = {}
        for entry in self.entries:
            key = normalise(entry.phrase, self.vocabulary).text.strip()
            current = by_key.get(key)
            # When a phrase is listed twice (an admin addition repeating a shipped phrase),
            # risk beats context and the higher severity wins.
            if current is None or _entry_weight(entry) > _entry_weight(current):
                by_key[key] = entry
        self._automaton = ahocorasick.Automaton()
        for key, entry in by_key.items():
            # Padded with spaces and searched in a copy where punctuation is a space, a key
            # matches whole words only: "kill" is never found in "skill".
            self._automaton.add_word(f" {key} ", (len(key), entry))
        self._automaton.make_automaton()

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return f"Lexicon(version={self.version!r}, entries={len(self.entries)})"

    def normalise(self, text: str) -> NormalisedText:
        """Normalise text with this lexicon's vocabulary."""
        return normalise(text, self.vocabulary)

    def find(self, text: str) -> list[PhraseHit]:
        """Every phrase in normalised ``text`` that starts and ends on a word boundary."""
        hits: list[PhraseHit] = []
        for end_index, (length, entry) in self._automaton.iter(word_search_copy(text)):
            # The padded key ends at end_index in the copy, which starts with one extra space.
            end = end_index - 1
            hits.append(PhraseHit(entry, end - length, end))
        return hits


def _entry_weight(entry: LexiconEntry) -> tuple[bool, int]:
    return entry.category in RISK_CATEGORIES, SEVERITY_RANK[entry.severity]


def load_lexicon(extra: Iterable[LexiconEntry] = ()) -> Lexicon:
    """Build a lexicon from the shipped data file plus ``extra`` entries (admin additions)."""
    file_version, entries = read_entries()
    extra_entries = tuple(extra)
    if not extra_entries:
        return Lexicon(entries, file_version)
    digest = hashlib.sha256()
    for entry in extra_entries:
        digest.update(f"{entry.phrase}\t{entry.category}\t{entry.severity}\n".encode())
    return Lexicon(entries + extra_entries, f"{file_version}+{digest.hexdigest()[:8]}")


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The shipped lexicon, built once per process."""
    return load_lexicon()
