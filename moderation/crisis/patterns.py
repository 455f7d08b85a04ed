"""Phrase patterns: one lexicon line written once for the many ways people say it.

A lexicon phrase may hold:

- ``(a|b|c)``: one of the alternatives, each one or more words (``(took|swallowed) all``);
- ``[a]`` or ``[a|b]``: optional words (``i [just] want to die``);
- ``...``: a gap of up to ``GAP_WORDS`` words inside one sentence
  (``(cut|burned) ... my (arm|wrist)`` matches "cut the top of my arm").

Groups do not nest and do not hold a gap. Each part between gaps expands into at most
``MAX_FORMS`` plain forms, which go into the automaton like any phrase; the lexicon joins
parts found in order.
"""

from __future__ import annotations

import re
from itertools import product

__all__ = ["GAP", "GAP_WORDS", "MAX_FORMS", "PatternError", "expand", "parts"]

GAP = "..."
GAP_WORDS = 5
MAX_FORMS = 2000

_GROUP = re.compile(r"\(([^()\[\]]*)\)|\[([^()\[\]]*)\]")
_SPACES = re.compile(r"\s+")


class PatternError(ValueError):
    """A phrase pattern that cannot be expanded."""


def parts(pattern: str) -> list[list[str]]:
    """The plain forms of each part of ``pattern`` between its gaps, in order."""
    pieces = [piece.strip() for piece in pattern.split(GAP)]
    if len(pieces) > 1 and not all(pieces):
        raise PatternError(f"{pattern!r} starts or ends with a gap, or has two in a row")
    return [expand(piece) for piece in pieces]


def expand(pattern: str) -> list[str]:
    """Every plain form of a pattern without gaps, in order, without duplicates."""
    if GAP in pattern:
        raise PatternError(f"expand a pattern with gaps part by part: {pattern!r}")
    pieces: list[str] = []
    choices: list[list[str]] = []
    position = 0
    for group in _GROUP.finditer(pattern):
        pieces.append(pattern[position : group.start()])
        if group.group(1) is not None:
            options = [option.strip() for option in group.group(1).split("|")]
            if not all(options):
                raise PatternError(f"empty alternative in {group.group()!r}: use [...] instead")
        else:
            options = ["", *(option.strip() for option in group.group(2).split("|"))]
            if not all(options[1:]):
                raise PatternError(f"empty option in {group.group()!r}")
        choices.append(options)
        position = group.end()
    pieces.append(pattern[position:])
    if any(mark in piece for piece in pieces for mark in "()[]|"):
        raise PatternError(f"unbalanced or nested group in {pattern!r}")
    count = 1
    for options in choices:
        count *= len(options)
    if count > MAX_FORMS:
        raise PatternError(f"{pattern!r} expands to {count} forms (at most {MAX_FORMS})")
    forms: dict[str, None] = {}
    for chosen in product(*choices):
        words = [pieces[0]]
        for option, piece in zip(chosen, pieces[1:], strict=True):
            words.extend((option, piece))
        form = _SPACES.sub(" ", " ".join(words)).strip()
        if form:
            forms[form] = None
    if not forms:
        raise PatternError(f"{pattern!r} has no words")
    return list(forms)
