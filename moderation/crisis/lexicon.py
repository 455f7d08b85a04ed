"""The crisis lexicon: entries from the shipped data file plus admin additions, in one automaton."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, TypeVar

import ahocorasick

from moderation.crisis.normalise import (
    NormalisedText,
    normalise,
    vocabulary_words,
    word_search_copy,
)
from moderation.crisis.patterns import GAP_WORDS, PatternError, parts

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
_Key = TypeVar("_Key", str, tuple[frozenset[str], ...])


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
        try:
            parts(self.phrase)
        except PatternError as error:
            raise LexiconError(str(error)) from error

    def parts(self) -> list[list[str]]:
        """The plain forms of each part of this entry's pattern between gaps (patterns.py)."""
        return parts(self.phrase)


class PhraseHit(NamedTuple):
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
    """Lexicon entries compiled into one Aho-Corasick automaton over normalised phrases.

    A form with gaps ("cut ... my arm") puts each part in the automaton; ``find`` joins
    parts found in order, a few words apart within one sentence, into one hit.
    """

    __slots__ = ("_automaton", "_gapped", "entries", "version", "vocabulary")

    def __init__(self, entries: Iterable[LexiconEntry], version: str) -> None:
        self.version = version
        self.entries: tuple[LexiconEntry, ...] = tuple(entries)
        patterns = [(entry, entry.parts()) for entry in self.entries]
        all_forms = {form for _, part_forms in patterns for part in part_forms for form in part}
        # The vocabulary lets the normaliser pick "kill" over "kil" for "killlll"; phrases
        # are normalised again with it so both sides of a match see the same words.
        self.vocabulary = vocabulary_words({normalise(form).text.strip() for form in all_forms})
        by_key: dict[str, LexiconEntry] = {}
        by_parts: dict[tuple[frozenset[str], ...], LexiconEntry] = {}
        for entry, forms in patterns:
            keys = [
                frozenset(normalise(form, self.vocabulary).text.strip() for form in part)
                for part in forms
            ]
            if len(keys) == 1:
                for key in keys[0]:
                    _keep_heavier(by_key, key, entry)
            else:
                _keep_heavier(by_parts, tuple(keys), entry)
        # A gapped pattern is one entry however many forms its parts have, so a common
        # word in a part costs one note per occurrence.
        self._gapped: list[tuple[LexiconEntry, int]] = []
        part_of: dict[str, set[tuple[int, int]]] = {}
        for part_keys, entry in by_parts.items():
            for position, keys_here in enumerate(part_keys):
                for key in keys_here:
                    part_of.setdefault(key, set()).add((len(self._gapped), position))
            self._gapped.append((entry, len(part_keys)))
        self._automaton = ahocorasick.Automaton()
        for key in by_key.keys() | part_of.keys():
            # Padded with spaces and searched in a copy where punctuation is a space, a key
            # matches whole words only: "kill" is never found in "skill".
            value = (len(key), by_key.get(key), tuple(sorted(part_of.get(key, ()))))
            self._automaton.add_word(f" {key} ", value)
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
        parts_found: dict[int, list[list[tuple[int, int]]]] = {}
        for end_index, (length, entry, part_of) in self._automaton.iter(word_search_copy(text)):
            # The padded key ends at end_index in the copy, which starts with one extra space.
            end = end_index - 1
            if entry is not None:
                hits.append(PhraseHit(entry, end - length, end))
            for gapped, position in part_of:
                found = parts_found.get(gapped)
                if found is None:
                    found = parts_found[gapped] = [[] for _ in range(self._gapped[gapped][1])]
                found[position].append((end - length, end))
        for gapped, found in parts_found.items():
            entry = self._gapped[gapped][0]
            hits.extend(PhraseHit(entry, start, end) for start, end in _joined(text, found))
        return hits


_SENTENCE_BREAK = frozenset(".!?;\n")


def _joined(text: str, found: list[list[tuple[int, int]]]) -> list[tuple[int, int]]:
    """Spans where every part follows the one before within the gap, in one sentence."""
    joined: list[tuple[int, int]] = []
    if not all(found):
        return joined
    for start, end in found[0]:
        reach = end
        for spans in found[1:]:
            reach_next = next(
                (
                    part_end
                    for part_start, part_end in spans
                    if part_start >= reach and _within_gap(text[reach:part_start])
                ),
                None,
            )
            if reach_next is None:
                break
            reach = reach_next
        else:
            joined.append((start, reach))
    return joined


def _within_gap(between: str) -> bool:
    return len(between.split()) <= GAP_WORDS and _SENTENCE_BREAK.isdisjoint(between)


def _keep_heavier(table: dict[_Key, LexiconEntry], key: _Key, entry: LexiconEntry) -> None:
    """Keep the weightier of two entries for one key.

    When a phrase is listed twice (an admin addition repeating a shipped phrase), risk
    beats context and the higher severity wins.
    """
    current = table.get(key)
    if current is None or _entry_weight(entry) > _entry_weight(current):
        table[key] = entry


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
