"""Normalise text before crisis matching, keeping a map back to the original offsets.

Every stage is a compiled regex or a ``str.translate`` table. A stage that changes the
length of the text records which pieces it copied and which it replaced; matches found
in the normalised text are mapped back through those records, so a match always points
at the characters the writer typed. Stages that find nothing to do cost one regex scan.

The stages, in order:

1. non-ASCII: meaningful emoji become words, invisible and bidirectional characters are
   removed, each other character goes through NFKC, case folding, a homoglyph table and
   anyascii (accents stripped, other scripts transliterated);
2. a capital I inside a lower-case word read as l, then lower case and line separators
   (length-preserving);
3. leetspeak inside words that start with a letter (``k1ll``, ``d13``; ``800mg`` stays);
4. punctuation inside words (``s.u.i.c.i.d.e``, ``don't``, ``s*icide`` resolved against the
   lexicon's words);
5. separators (``-``, ``_``, ``/`` …) become spaces;
6. spaced-out letters are joined and split into known words (``k i l l myself``);
7. stretched letters are collapsed to a known word (``myyyyself``, ``killlll``);
8. community slang and common misspellings become plain words (``kms``, ``sewer slide``);
9. numbers of ten or more become ``many`` (``took 40 pills`` reads as ``took many pills``),
   years become ``someyear``;
10. runs of white space become one space, or one newline when they held a line break.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

import ahocorasick
from anyascii import anyascii

from moderation.crisis.emoji import EMOJI_WORDS

__all__ = ["NormalisedText", "StageMap", "normalise", "vocabulary_words"]


@dataclass(frozen=True, slots=True)
class StageMap:
    """Pieces of one stage's output: each either copied from or replacing a source span.

    A start offset inside a replaced piece maps to the start of its source span, an end
    offset to its end, so a match always covers whole replaced pieces.
    """

    output_starts: tuple[int, ...]
    source_starts: tuple[int, ...]
    source_ends: tuple[int, ...]
    copied: tuple[bool, ...]


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """The normalised text and the stage maps that lead back to the original."""

    text: str
    stages: tuple[StageMap, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text back to the original text."""
        # The lookups inlined in one loop: this runs for every match.
        for stage in reversed(self.stages):
            outputs, sources, copied = stage.output_starts, stage.source_starts, stage.copied
            first = max(bisect_right(outputs, start) - 1, 0)
            last = max(bisect_right(outputs, end - 1) - 1, 0)
            start = sources[first] + start - outputs[first] if copied[first] else sources[first]
            end = sources[last] + end - outputs[last] if copied[last] else stage.source_ends[last]
        return start, end


def _rewrite(
    pattern: re.Pattern[str], text: str, replace: Callable[[re.Match[str]], str]
) -> tuple[str, StageMap | None]:
    """Replace each match of ``pattern``, recording copied and replaced pieces."""
    return _rewrite_spans(
        text, ((*found.span(), replace(found)) for found in pattern.finditer(text))
    )


def _rewrite_spans(
    text: str, replacements: Iterable[tuple[int, int, str]]
) -> tuple[str, StageMap | None]:
    """Apply ordered, non-overlapping ``(start, end, replacement)``, recording the pieces."""
    parts: list[str] = []
    output_starts: list[int] = []
    source_starts: list[int] = []
    source_ends: list[int] = []
    copied: list[bool] = []
    output_length = 0
    copied_up_to = 0
    for start, end, replacement in replacements:
        if replacement == text[start:end]:
            continue
        if start > copied_up_to:
            parts.append(text[copied_up_to:start])
            output_starts.append(output_length)
            source_starts.append(copied_up_to)
            source_ends.append(start)
            copied.append(True)
            output_length += start - copied_up_to
        if replacement:
            parts.append(replacement)
            output_starts.append(output_length)
            source_starts.append(start)
            source_ends.append(end)
            copied.append(False)
            output_length += len(replacement)
        copied_up_to = end
    if not copied and copied_up_to == 0:
        return text, None
    if copied_up_to < len(text):
        parts.append(text[copied_up_to:])
        output_starts.append(output_length)
        source_starts.append(copied_up_to)
        source_ends.append(len(text))
        copied.append(True)
    if not output_starts:
        # Everything was deleted: map the empty output onto the start of the input.
        output_starts.append(0)
        source_starts.append(0)
        source_ends.append(0)
        copied.append(False)
    stage = StageMap(tuple(output_starts), tuple(source_starts), tuple(source_ends), tuple(copied))
    return "".join(parts), stage


# --- 1. non-ASCII -------------------------------------------------------------------------

# Letters from other scripts that look like Latin ones. anyascii alone would transliterate
# Cyrillic "с" to "s" and "р" to "r", which is right for Russian but wrong for a homoglyph
# attack on an English word, so lookalikes are mapped first.
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
        "ј": "j", "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ɡ": "g", "ɩ": "i",
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ς": "s", "σ": "o", "γ": "y",
    }
)  # fmt: skip

# Format characters (zero-width, bidirectional controls, soft hyphen) and variation
# selectors change nothing a reader sees, so they are dropped.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Mn", "Me", "Cs", "Co", "Cn"})

# Every emoji in the map is one code point, maybe followed by the emoji variation selector.
_NON_ASCII = re.compile("[^\x00-\x7f]\ufe0f?")


@lru_cache(maxsize=8192)
def _fold_character(character: str) -> str:
    """One non-ASCII character as ASCII: NFKC, case fold, homoglyphs, then anyascii."""
    character = character.rstrip("\ufe0f")
    if not character:
        return ""
    word = EMOJI_WORDS.get(character)
    if word is not None:
        return f" {word} "
    if character in "\u2028\u2029\x85":
        return "\n"
    if unicodedata.category(character) in _INVISIBLE_CATEGORIES:
        return ""
    folded = unicodedata.normalize("NFKC", character).casefold().translate(_HOMOGLYPHS)
    ascii_text = anyascii(folded)
    if ascii_text.startswith(":") and ascii_text.endswith(":") and len(ascii_text) > 2:
        # anyascii spells other emoji as ":name:"; they separate words and mean nothing here.
        return " "
    return ascii_text


def _replace_non_ascii(found: re.Match[str]) -> str:
    folded = _fold_character(found.group())
    if folded.startswith(" ") and len(folded) > 1:
        # An emoji's word needs spaces only where it touches other words, so "💊 now" does
        # not leave two spaces for the white-space stage to map.
        text, start, end = found.string, found.start(), found.end()
        if start == 0 or text[start - 1] in " \n":
            folded = folded[1:]
        if end == len(text) or text[end] in " \n":
            folded = folded[:-1]
    return folded


# --- 2. lower case ------------------------------------------------------------------------

# A capital I between lower-case letters stands in for an l ("kilIing").
_CAPITAL_I_AS_L = re.compile(r"I(?<=[a-z]I)(?=[a-z])")
_WHITESPACE_TO_SPACE = str.maketrans({"\t": " ", "\r": "\n", "\f": " ", "\v": " "})

# --- 3. leetspeak -------------------------------------------------------------------------

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "9": "g",
                       "@": "a", "$": "s", "!": "i"})  # fmt: skip
_LEET_ONE_AS_L = str.maketrans({"1": "l"})
# Cheap tests first: patterns that open with a rare character let the regex engine skip ahead.
_DOLLAR_HINT = re.compile(r"\$(?=[a-z])")

# Each ASCII character's class: "a" a letter, "0" a digit, "@" a leetspeak symbol, "'" a
# mark that may sit inside a word, " " anything else. "a0" in a shape is a letter before a
# digit: such tests on a translated copy are many times faster than a regex scan, so the
# regex stages run only on the texts that need them.
_SHAPE = str.maketrans(
    {
        chr(code): (
            "a"
            if chr(code).isalpha()
            else "0"
            if chr(code).isdigit()
            else "@"
            if chr(code) in "@$!"
            else "'"
            if chr(code) in ".*'`^"
            else " "
        )
        for code in range(128)
    }
)


def _shape(text: str) -> str:
    return text.translate(_SHAPE)


# A word that starts with a letter (or "$" before a letter) and holds digits or symbols.
# Words that start with a digit ("800mg", "2nd") are numbers with units, not leetspeak.
_LEET_WORD = re.compile(
    r"(?<![a-z0-9@$!])(?!x[0-9]+(?![a-z]))(?:\$[a-z](?:[a-z0-9@$!]*[a-z0-9])?"
    r"|[a-z][a-z0-9@$!]*?[0-9@$!][a-z0-9@$!]*[a-z0-9]"
    # Two characters, a letter and a digit ("n0", "m3"); "no!" and "x5" stay.
    r"|[a-z][0-9](?![a-z0-9@$!])"
    # A zero for an o before a letter ("0verd0sed"); "0mg" has no vowel to stand for.
    r"|0(?=[a-z])(?!mg\b|ml\b)[a-z0-9@$!]*[a-z0-9])"
)

# --- 4. punctuation inside words ----------------------------------------------------------

_IN_WORD_PUNCTUATION = re.compile(r"[a-z0-9]+(?:[.*'`^]+[a-z0-9]+)+")
_IN_WORD_HINT = re.compile(r"[.*'`^]+(?<=[a-z0-9][.*'`^])(?=[a-z0-9])")
_PUNCTUATION_RUN = re.compile(r"[.*'`^]+")
_WORD_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_OTHER_IN_WORD_MARKS = frozenset(".*`^")


def _apostrophes_in_words(text: str) -> Iterator[tuple[int, int, str]]:
    """Each apostrophe between two letters or digits, to be removed ("don't" reads "dont").

    Words that also hold another mark ("s.u.i's", "s*icide's") are left to the general
    stage. Found with str.find: faster than a regex scan of the whole text.
    """
    position = text.find("'")
    while position != -1:
        if (
            0 < position < len(text) - 1
            and text[position - 1] in _WORD_CHARACTERS
            and text[position + 1] in _WORD_CHARACTERS
            and not _touches_other_marks(text, position)
        ):
            yield position, position + 1, ""
        position = text.find("'", position + 1)


def _touches_other_marks(text: str, position: int) -> bool:
    """Whether the word around ``position`` has a mark other than apostrophes in or by it."""
    start = position
    while start > 0 and (text[start - 1] in _WORD_CHARACTERS or text[start - 1] == "'"):
        start -= 1
    end = position + 1
    while end < len(text) and (text[end] in _WORD_CHARACTERS or text[end] == "'"):
        end += 1
    if start > 0 and text[start - 1] in _OTHER_IN_WORD_MARKS:
        return True
    # A full stop after the word ends its sentence unless a letter follows ("don't.i").
    return (
        end < len(text)
        and text[end] in _OTHER_IN_WORD_MARKS
        and (text[end] != "." or (end + 1 < len(text) and text[end + 1] in _WORD_CHARACTERS))
    )


# --- 5. separators ------------------------------------------------------------------------

_SEPARATORS_TO_SPACE = str.maketrans(dict.fromkeys("-_/\\|~+=*^`", " "))

# --- 6. spaced-out letters ----------------------------------------------------------------

_SPACED_LETTERS = re.compile(r"(?<![a-z0-9])[a-z](?: {1,3}[a-z]){2,}(?![a-z0-9])")

# --- 7. stretched letters -----------------------------------------------------------------

_STRETCHED_WORD = re.compile(r"(?<![a-z])[a-z]*?([a-z])\1\1[a-z]*")
_LETTER_RUN = re.compile(r"([a-z])\1\1+")

# --- 8. slang and misspellings ------------------------------------------------------------

SLANG: dict[str, str] = {
    # Community slang for suicide and self-harm.
    "kms": "kill myself",
    "kys": "kill yourself",
    "kmsl": "kill myself",
    "unalived": "killed",
    "unaliving": "killing",
    "unalive myself": "kill myself",
    "sewer slide": "suicide",
    "sewerslide": "suicide",
    "sewer side": "suicide",
    "sue a side": "suicide",
    "suey": "suicide",
    "commit sudoku": "commit suicide",
    "sudoku myself": "kill myself",
    "ctb": "catch the bus",
    "s h": "self harm",
    "sh": "self harm",
    "urself": "yourself",
    "urslf": "yourself",
    "yourslef": "yourself",
    "selfharm": "self harm",
    "selfharming": "self harming",
    "od": "overdose",
    "odd on": "overdosed on",
    "oding": "overdosing",
    "ded": "dead",
    # Common misspellings.
    "suicde": "suicide",
    "sucide": "suicide",
    "suiside": "suicide",
    "suicid": "suicide",
    "suicied": "suicide",
    "suacide": "suicide",
    "sucidal": "suicidal",
    "suicdal": "suicidal",
    "suisidal": "suicidal",
    "sucicidal": "suicidal",
    "suicidial": "suicidal",
    "suicidle": "suicidal",
    "suicidel": "suicidal",
    "dissapear": "disappear",
    "dissappear": "disappear",
    "disapear": "disappear",
    "unalive yourself": "kill yourself",
    "unalive urself": "kill yourself",
    "unalive urslf": "kill yourself",
    "being unalive": "being dead",
    "be unalive": "be dead",
    "w o": "without",
    "wd": "would",
    "unalive him": "kill him",
    "unalive her": "kill her",
    "unalive them": "kill them",
    "unalive": "kill myself",
    "myslef": "myself",
    "killin": "killing",
    "thinkin": "thinking",
    "abt": "about",
    # Common medicines people name when they mean an overdose: read as "pills", so that the
    # lexicon's "took many pills" also covers "took 20 xanax" without a phrase per medicine.
    "sertraline": "pills",
    "citalopram": "pills",
    "fluoxetine": "pills",
    "xanax": "pills",
    "tylenol": "pills",
    "ibuprofen": "pills",
    "oxys": "pills",
    "sleeping pills": "pills",
    "sleeping tablets": "pills",
    **dict.fromkeys(
        [
            "paracetamol",
            "acetaminophen",
            "panadol",
            "co codamol",
            "cocodamol",
            "codeine",
            "aspirin",
            "advil",
            "nurofen",
            "naproxen",
            "amitriptyline",
            "quetiapine",
            "seroquel",
            "olanzapine",
            "lithium",
            "lamotrigine",
            "zopiclone",
            "zolpidem",
            "ambien",
            "diazepam",
            "valium",
            "clonazepam",
            "lorazepam",
            "temazepam",
            "tramadol",
            "oxycodone",
            "morphine",
            "prozac",
            "zoloft",
            "lexapro",
            "escitalopram",
            "mirtazapine",
            "venlafaxine",
            "propranolol",
            "pregabalin",
            "gabapentin",
            "nytol",
            "benadryl",
        ],
        "pills",
    ),
    "mysefl": "myself",
    "mysef": "myself",
    "meself": "myself",
    "kil": "kill",
    "kil myself": "kill myself",
    "hurt my self": "hurt myself",
    "kill my self": "kill myself",
    "my self": "myself",
    "your self": "yourself",
    "overdoes": "overdose",
    "overdosse": "overdose",
    "paracetemol": "paracetamol",
    "paracetamole": "paracetamol",
    "tylenal": "tylenol",
    "tonite": "tonight",
    "2nite": "tonight",
    "2night": "tonight",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "wanna": "want to",
    "wana": "want to",
    "gonna": "going to",
    "gunna": "going to",
    "gona": "going to",
    "finna": "going to",
    "tryna": "trying to",
    "gotta": "got to",
    "dunno": "dont know",
    "cuz": "because",
    "bc": "because",
    "ppl": "people",
    "u": "you",
    "ur": "your",
    "r": "are",
    "n": "and",
    "rn": "right now",
    "atm": "right now",
    "idk": "i dont know",
    "idc": "i dont care",
    "idw": "i dont want",
    "idwt": "i dont want to",
    "dont wanna": "dont want to",
    "i m": "im",
    "imma": "im going to",
    "ima": "im going to",
    "bf": "boyfriend",
    "gf": "girlfriend",
    "nvm": "never mind",
    "w": "with",
    "b4": "before",
    "y": "why",
    "any more": "anymore",
}


def _scan_automaton() -> ahocorasick.Automaton:
    """Slang keys, plus the hints for the costlier stages, in one automaton."""
    automaton = ahocorasick.Automaton()
    letters = "abcdefghijklmnopqrstuvwxyz"
    for letter in letters:
        # Three of a letter in a row ("myyyself"): the stretched-letters stage has work.
        automaton.add_word(letter * 3, ("stretched", 0, ""))
        for following in letters:
            for gap in (" ", "  ", "   "):
                # Two one-letter words in a row ("k i l l"): the spaced-letters stage has work.
                automaton.add_word(f" {letter}{gap}{following} ", ("spaced", 0, ""))
    for key, replacement in SLANG.items():
        automaton.add_word(f" {key} ", ("slang", len(key), replacement))
    automaton.make_automaton()
    return automaton


# Everything but letters and digits becomes a space in a search copy of the text, so that
# automaton keys padded with spaces only match whole words (never "od" inside "good").
WORD_SEARCH_TABLE = str.maketrans(
    {chr(code): " " for code in range(128) if not chr(code).isalnum() or chr(code).isupper()}
)


def word_search_copy(text: str) -> str:
    """A same-length copy of ASCII ``text``, padded with one space on each side."""
    return f" {text.translate(WORD_SEARCH_TABLE)} "


# One automaton for every slang key: a regex alternation would try each key at each position.
_SCAN_AUTOMATON = _scan_automaton()


def _scan(text: str) -> tuple[set[str], list[tuple[int, int, str]]]:
    """The stages the text needs, and the slang in it, from one automaton pass."""
    hints: set[str] = set()
    slang: list[tuple[int, int, str]] = []
    for end_index, (kind, length, replacement) in _SCAN_AUTOMATON.iter(word_search_copy(text)):
        if kind != "slang":
            hints.add(kind)
            continue
        # The key " kms " ends at end_index in the padded copy, so "kms" ends at
        # end_index - 1 there, which is end_index - 2 in the text itself.
        end = end_index - 1
        slang.append((end - length, end, replacement))
    return hints, slang


def _slang_replacements(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The longest slang keys, left to right, without overlaps."""
    found.sort(key=lambda item: (item[0], item[0] - item[1]))
    chosen: list[tuple[int, int, str]] = []
    reach = 0
    for start, end, replacement in found:
        if start >= reach:
            chosen.append((start, end, replacement))
            reach = end
    return chosen


# --- 9. numbers ---------------------------------------------------------------------------

# A number alone, or after "x" as in a count ("x50").
_STANDALONE_NUMBER = re.compile(
    r"(?:(?<![a-z0-9.,])|(?<=(?<![a-z0-9])x))[0-9]{2,}(?![a-z0-9]|[.,][0-9])"
)

_COUNT_AFTER_X = re.compile(r"(?<![a-z0-9])xmany\b")


def _replace_number(found: re.Match[str]) -> str:
    """Years read as ``someyear`` (a past marker), other numbers of ten or more as ``many``."""
    value = int(found.group())
    if len(found.group()) == 4 and 1950 <= value <= 2099:
        return "someyear"
    return "many" if value >= 10 else found.group()


# --- 10. white space ----------------------------------------------------------------------

_WHITESPACE_RUN = re.compile(r"[ \n]{2,}")


def _segment(letters: str, vocabulary: Collection[str]) -> str | None:
    """Split a run of letters into vocabulary words, preferring fewer, longer words."""
    length = len(letters)
    best: list[list[str] | None] = [None] * (length + 1)
    best[0] = []
    for end in range(1, length + 1):
        for start in range(max(0, end - 24), end):
            words = best[start]
            piece = letters[start:end]
            if words is None or piece not in vocabulary:
                continue
            current = best[end]
            if current is None or len(words) + 1 < len(current):
                best[end] = [*words, piece]
    words = best[length]
    return " ".join(words) if words else None


def _stretch_candidates(word: str) -> Iterator[str]:
    """Each way to shorten runs of three or more letters to two or one."""
    runs = list(_LETTER_RUN.finditer(word))[:4]
    for lengths in product((2, 1), repeat=len(runs)):
        parts: list[str] = []
        position = 0
        for run, keep in zip(runs, lengths, strict=True):
            parts.append(word[position : run.start()])
            parts.append(run.group(1) * keep)
            position = run.end()
        parts.append(word[position:])
        yield "".join(parts)


def _resolve_in_word_punctuation(token: str, vocabulary: Collection[str]) -> str:
    """Join a word broken by punctuation, or resolve a censored one against the vocabulary."""
    if "*" in token:
        # Each run of stars stands for about as many hidden letters ("s*icide", "f**k").
        censored = re.compile(
            _PUNCTUATION_RUN.sub(
                lambda run: f"[a-z]{{1,{len(run.group()) + 1}}}" if "*" in run.group() else "",
                token,
            )
        )
        for word in sorted(vocabulary):
            if censored.fullmatch(word):
                return word
    joined = _PUNCTUATION_RUN.sub("", token)
    if "." not in token:
        return joined
    pieces = [piece for piece in _PUNCTUATION_RUN.split(token) if piece]
    if all(len(piece) == 1 for piece in pieces) or joined in vocabulary:
        return joined
    # "done.i" is more likely two sentences without a space than one word.
    return _PUNCTUATION_RUN.sub(lambda run: " . " if "." in run.group() else "", token)


def _in_word_punctuation_spans(
    text: str, vocabulary: Collection[str]
) -> list[tuple[int, int, str]]:
    """Words holding punctuation, found from the punctuation outwards, with their readings."""
    spans: list[tuple[int, int, str]] = []
    reach = 0
    for hint in _IN_WORD_HINT.finditer(text):
        if hint.start() < reach:
            continue
        # Walk back over the word (a few characters) to where it starts.
        start = hint.start()
        while start > reach and text[start - 1] in _WORD_OR_PUNCTUATION:
            start -= 1
        while text[start] in _PUNCTUATION_CHARACTERS:
            start += 1
        word = _IN_WORD_PUNCTUATION.match(text, start)
        if word is None or word.end() <= hint.start():
            continue
        spans.append((start, word.end(), _resolve_in_word_punctuation(word.group(), vocabulary)))
        reach = word.end()
    return spans


_PUNCTUATION_CHARACTERS = frozenset(".*'`^")
_WORD_OR_PUNCTUATION = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.*'`^")


def normalise(text: str, vocabulary: Collection[str] = frozenset()) -> NormalisedText:
    """Normalise ``text`` for matching; ``vocabulary`` holds the words the lexicon knows."""
    stages: list[StageMap] = []

    def apply(
        pattern: re.Pattern[str], current: str, replace: Callable[[re.Match[str]], str]
    ) -> str:
        rewritten, stage = _rewrite(pattern, current, replace)
        if stage is not None:
            stages.append(stage)
        return rewritten

    def keep(result: tuple[str, StageMap | None]) -> str:
        if result[1] is not None:
            stages.append(result[1])
        return result[0]

    if not text.isascii():
        text = apply(_NON_ASCII, text, _replace_non_ascii)
    if "I" in text:
        text = _CAPITAL_I_AS_L.sub("l", text)
    text = text.lower().translate(_WHITESPACE_TO_SPACE)

    def replace_leet(found: re.Match[str]) -> str:
        word = found.group()
        as_i = word.translate(_LEET)
        if "1" in word and as_i not in vocabulary:
            as_l = word.translate(_LEET_ONE_AS_L).translate(_LEET)
            if as_l in vocabulary:
                return as_l
        return as_i

    # Leetspeak and the separators keep the length, so they need no stage map.
    shape = _shape(text)
    if "a0" in shape or "a@" in shape or ("$" in text and _DOLLAR_HINT.search(text)):
        text = _LEET_WORD.sub(replace_leet, text)
        shape = _shape(text)
    if "'" in text:
        # The commonest case by far ("don't", "i'd"), without the general stage's work.
        text = keep(_rewrite_spans(text, _apostrophes_in_words(text)))
        shape = _shape(text)
    # A mark with a letter or digit on each side ("s.u.i", "s*icide").
    if (
        ("'a" in shape or "'0" in shape)
        and ("a'" in shape or "0'" in shape)
        and _IN_WORD_HINT.search(text)
    ):
        text = keep(_rewrite_spans(text, _in_word_punctuation_spans(text, vocabulary)))
    text = text.translate(_SEPARATORS_TO_SPACE)

    def replace_spaced(found: re.Match[str]) -> str:
        letters = found.group().replace(" ", "")
        return _segment(letters, vocabulary) or letters

    hints, slang = _scan(text)
    changed_from = len(stages)
    if "spaced" in hints:
        text = apply(_SPACED_LETTERS, text, replace_spaced)

    def replace_stretched(found: re.Match[str]) -> str:
        word = found.group()
        shortest = word
        for candidate in _stretch_candidates(word):
            if candidate in vocabulary or candidate in SLANG:
                return candidate
            shortest = candidate
        return shortest

    if "stretched" in hints:
        text = apply(_STRETCHED_WORD, text, replace_stretched)
    if len(stages) > changed_from:
        slang = _scan(text)[1]
    text = keep(_rewrite_spans(text, _slang_replacements(slang)))
    if "00" in _shape(text):
        text = apply(_STANDALONE_NUMBER, text, _replace_number)
        text = apply(_COUNT_AFTER_X, text, lambda found: "x " + found.group()[1:])
    if "  " in text or "\n" in text:
        text = apply(_WHITESPACE_RUN, text, lambda found: "\n" if "\n" in found.group() else " ")
    return NormalisedText(text, tuple(stages))


_WORD = re.compile(r"[a-z0-9]+")


def vocabulary_words(phrases: Collection[str]) -> frozenset[str]:
    """The words of already normalised phrases, for the stages that need known words."""
    return frozenset(word for phrase in phrases for word in _WORD.findall(phrase))
