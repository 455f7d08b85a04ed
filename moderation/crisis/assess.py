"""Assess one message: lexicon matches, read in their sentence's context, and a severity."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import NamedTuple

from moderation.crisis.lexicon import (
    CONTEXT_CATEGORIES,
    SEVERITY_RANK,
    Lexicon,
    PhraseHit,
    default_lexicon,
)
from moderation.crisis.model import RiskModel, RiskScores, default_model

__all__ = ["MODEL_CATEGORY", "RULES", "Assessment", "Match", "assess"]

# The category reported when the risk model, not a phrase, raised the severity.
MODEL_CATEGORY = "indirect_risk"

RULES: tuple[str, ...] = (
    "negated",
    "past",
    "third_person",
    "second_person",
    "idiom",
    "quoted",
    "title",
    "combined",
)
# Any of these rules means the words are not the writer's own present risk.
_SUPPRESSING_RULES = frozenset(RULES) - {"combined"}
_NOT_THE_WRITERS_WORDS = frozenset({"quoted", "title", "idiom", "negated"})

# Thoughts of acting on it, which method or timing words turn into a plan.
_PLANNABLE_THOUGHTS = frozenset({"suicidal_ideation", "plan_or_means"})
_MEANS_ONLY_THOUGHTS = frozenset({"self_harm"})
_THOUGHTS = _PLANNABLE_THOUGHTS | _MEANS_ONLY_THOUGHTS

_FIRST_PERSON = frozenset({"i", "im", "ive", "id", "ill", "me", "myself"})
_SECOND_PERSON = frozenset(
    {"you", "youre", "youve", "youd", "youll", "your", "yourself", "yourselves"}
)
_THIRD_PERSON = frozenset(
    [
        "he",
        "she",
        "they",
        "hes",
        "shes",
        "theyre",
        "theyve",
        "theyd",
        "hed",
        "shed",
        "shell",
        "hell",
        "him",
        "her",
        "them",
        "his",
        "their",
        "who",
        "someone",
        "somebody",
        "anyone",
        "everyone",
        "person",
        "people",
        "friend",
        "mate",
        "bestie",
        "buddy",
        "brother",
        "sister",
        "sis",
        "bro",
        "mum",
        "mom",
        "mam",
        "mother",
        "dad",
        "father",
        "parent",
        "son",
        "daughter",
        "kid",
        "child",
        "children",
        "teen",
        "teenager",
        "partner",
        "boyfriend",
        "girlfriend",
        "husband",
        "wife",
        "flatmate",
        "roommate",
        "housemate",
        "cousin",
        "aunt",
        "uncle",
        "grandad",
        "grandpa",
        "grandma",
        "granny",
        "nan",
        "nana",
        "colleague",
        "coworker",
        "patient",
        "client",
        "student",
        "character",
        "classmate",
        "neighbour",
        "neighbor",
        "man",
        "woman",
        "men",
        "women",
        "guy",
        "girl",
        "boy",
        "lady",
        "driver",
        "cat",
        "dog",
        "kitten",
        "puppy",
    ]
)
_REFLEXIVE_PERSON = {
    "myself": "first",
    "yourself": "second",
    "yourselves": "second",
    "himself": "third",
    "herself": "third",
    "themselves": "third",
    "themself": "third",
}
# Each subject word and the person it makes a match about; first person wins a tie, then
# second ("friends" and "sisters" count as third person as well).
_PERSON_OF_WORD = {
    **{word + "s": "third" for word in _THIRD_PERSON},
    **dict.fromkeys(_THIRD_PERSON, "third"),
    **dict.fromkeys(_SECOND_PERSON, "second"),
    **dict.fromkeys(_FIRST_PERSON, "first"),
}
_SECOND_PERSON_WORD = re.compile(
    r"(?<![a-z0-9])(?:" + "|".join(sorted(_SECOND_PERSON, key=len, reverse=True)) + r")(?![a-z0-9])"
)
_NEGATORS = frozenset(
    [
        "not",
        "never",
        "no",
        "dont",
        "doesnt",
        "didnt",
        "wont",
        "wouldnt",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "havent",
        "hasnt",
        "hadnt",
        "shouldnt",
        "zero",
        "nor",
    ]
)
# Words after a negator that keep it from negating what follows ("not sure I can go on",
# "no one would miss me", "don't think I'll be around").
_NEGATION_RELEASES = frozenset(
    [
        "sure",
        "just",
        "only",
        "one",
        "that",
        "being",
        "asking",
        "think",
        "know",
        "longer",
        "even",
        "matter",
    ]
)
_NEGATION_RELEASE_BEFORE = frozenset({"why"})  # "why don't you just go die"

_TOKEN = re.compile(r"[a-z0-9]+")
_SENTENCE_END = re.compile(r"[.!?;\n]+")
# The words before a match, and the marks that end a clause, in one pass.
_WORD_OR_CLAUSE_MARK = re.compile(r"[a-z0-9]+|[,:()]")
_CLAUSE_BREAKS = frozenset(
    [",", ":", "(", ")", "but", "and", "though", "although", "because", "so", "if", "when"]
)
_ASKING = frozenset(["asked", "asks", "ask", "asking"])
_SPEECH_VERBS = frozenset(
    ["says", "said", "saying", "texted", "texts", "wrote", "writes", "posted", "posts", "tweeted"]
)
_FAREWELLS = frozenset(["goodbye", "bye", "farewell", "thank", "thanks"])
_PREPOSITIONS = frozenset(["to", "for", "with", "at", "from", "by", "than", "like", "about"])
_POSSESSIVES = frozenset(["my", "his", "her", "their", "our", "your", "the", "a"])
_CLAUSE_OPENING = re.compile(r"(?:if|when)\b")

_QUOTE_LINE = re.compile(r"(?m)^[ \t]*>[^\n]*")
_QUOTE_REPLY_SEPARATOR = re.compile(r"\s[\u2014\u2013-]+\s")
# Text in double quotes, or in single quotes that are not apostrophes ('i won't be here').
_QUOTED = re.compile(
    r"[\"\u201c\u201d]([^\"\u201c\u201d\n]{1,300})[\"\u201c\u201d]"
    r"|(?<![A-Za-z0-9])['\u2018]((?:[^'\u2018\u2019\n]|(?<=[A-Za-z])['\u2019](?=[A-Za-z])){2,300}?)"
    r"['\u2019](?![A-Za-z0-9])"
)
# A first-person word before the opening quote, in the same sentence: the writer's words.
_OWN_WORDS_LEAD = re.compile(r"(?i)\b(?:i|im|i'm|ive|i've|me|myself|my head|my brain)\b[^.!?\n]*$")
_QUOTED_WORD = re.compile(r"[A-Za-z][A-Za-z']*")

_CLUSTER = 40  # characters within which three method or time phrases read as a plan
_CLUSTER_SIZE = 3
_LOOK_BEHIND = 120  # characters of the sentence read before a match to find its subject
_NEGATION_WINDOW = 4  # words before a match that a negator may stand in


class Match(NamedTuple):
    """A lexicon phrase found in the text, with offsets into the original text.

    A named tuple rather than a dataclass: a long message makes a dozen of these per call.
    """

    phrase: str
    text: str
    start: int
    end: int
    category: str
    severity: str
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assessment:
    """The severity of a message, the risk categories it shows and the matches behind them."""

    severity: str
    categories: tuple[str, ...]
    matches: tuple[Match, ...]
    lexicon_version: str
    # Risk phrases were found but their context set them all aside (negated, quoted,
    # someone else's …): the model is not asked to second-guess that reading.
    matches_set_aside: bool = False
    # Set when the model was asked (no risk phrase at all), with the version it came from.
    model_scores: RiskScores | None = None
    model_version: str = ""

    @property
    def raised_by_model(self) -> bool:
        """Whether the severity comes from the risk model rather than from a phrase."""
        return MODEL_CATEGORY in self.categories

    @property
    def shows_support(self) -> bool:
        """Whether the writer should be shown support resources."""
        return self.severity != "none"

    @property
    def alerts_moderators(self) -> bool:
        """Whether moderators should be alerted at once."""
        return self.severity in ("high", "imminent")


@dataclass(slots=True)
class _Reading:
    """A risk hit while its context is worked out."""

    hit: PhraseHit
    original_start: int
    original_end: int
    sentence: int
    rules: list[str]
    severity: str


def _outermost(hits: list[PhraseHit]) -> list[PhraseHit]:
    """Drop hits inside a longer hit: "going to jump off the bridge" speaks for "bridge"."""
    ordered = sorted(hits, key=lambda hit: (hit.start, -hit.end))
    kept: list[PhraseHit] = []
    reach = -1
    for hit in ordered:
        if hit.end <= reach:
            continue
        kept.append(hit)
        reach = hit.end
    return kept


class _Spans:
    """Short spans sorted by start, for overlap and containment tests in logarithmic time."""

    __slots__ = ("ends", "reach", "starts")

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [start for start, _ in ordered]
        self.ends = [end for _, end in ordered]
        # No span starting further back than the longest one can reach a position.
        self.reach = max((end - start for start, end in ordered), default=0)

    def _candidates(self, start: int, end: int) -> range:
        last = bisect_right(self.starts, end - 1)
        first = bisect_right(self.starts, start - self.reach)
        return range(first, last)

    def overlap(self, start: int, end: int) -> bool:
        """Whether a span overlaps ``start:end``."""
        if not self.starts:
            return False
        return any(start < self.ends[index] for index in self._candidates(start, end))

    def contain(self, start: int, end: int) -> bool:
        """Whether a span holds all of ``start:end``."""
        if not self.starts:
            return False
        # The nearest span starting before it may be a long quoted line; check it as well.
        nearest = bisect_right(self.starts, start) - 1
        candidates = [*self._candidates(start, end), nearest] if nearest >= 0 else []
        return any(self.starts[index] <= start and end <= self.ends[index] for index in candidates)


def _quoted_spans(original: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Spans quoting someone else, and spans naming a work, in the original text."""
    quoted: list[tuple[int, int]] = []
    titles: list[tuple[int, int]] = []
    if ">" in original:
        for line in _QUOTE_LINE.finditer(original):
            # "> their words — my reply": the reply after the dash is the writer's own.
            separator = _QUOTE_REPLY_SEPARATOR.search(original, line.start(), line.end())
            quoted.append((line.start(), separator.start() if separator else line.end()))
    if (
        '"' in original
        or "\u201c" in original
        or "\u2018" in original
        # An opening single quote follows a space or starts the text; apostrophes do not.
        or " '" in original
        or original.startswith("'")
    ):
        for found in _QUOTED.finditer(original):
            words = _QUOTED_WORD.findall(found.group(1) or found.group(2))
            significant = [word for word in words[1:] if len(word) > 3]
            title_case = len(words) >= 2 and all(
                word[0].isupper() for word in [words[0], *significant]
            )
            if title_case:
                titles.append(found.span())
            elif not _OWN_WORDS_LEAD.search(original, max(0, found.start() - 40), found.start()):
                # I keep thinking "i want to die" quotes the writer's own thought.
                quoted.append(found.span())
    return quoted, titles


def _person(text: str, hit: PhraseHit, before: list[str], sentence_end: int) -> str:
    """Who a match is about: "first", "second" or "third" person.

    ``before`` holds the words (and clause marks) before the match in its sentence.
    """
    person = _person_of_phrase(text[hit.start : hit.end], hit.entry.category)
    if person is not None:
        return person
    for index in range(len(before) - 1, -1, -1):
        person = _PERSON_OF_WORD.get(before[index])
        if person is None:
            continue
        # "giving my games to my cousin, won't need them": a person after a preposition
        # is an object, not who the match is about.
        if person == "third" and _after_preposition(before, index):
            continue
        return person
    # No subject before it: an imperative aimed at "you" ("jump off a bridge, nobody would
    # miss you"), or the writer speaking of themselves.
    if _SECOND_PERSON_WORD.search(text, hit.end, min(sentence_end, hit.end + _LOOK_BEHIND)):
        return "second"
    return "first"


@lru_cache(maxsize=8192)
def _person_of_phrase(phrase: str, category: str) -> str | None:
    """The person a phrase speaks of by its own words, if it does."""
    phrase_words = _TOKEN.findall(phrase)
    if phrase_words[0] in _FAREWELLS:
        # "goodbye everyone", "thank you all for everything": the writer takes leave.
        return "first"
    for word in phrase_words:
        person = _REFLEXIVE_PERSON.get(word)
        if person is not None:
            return person
    if category == "plan_or_means" and not _SECOND_PERSON.isdisjoint(phrase_words):
        # "it was nice knowing you": a plan phrase that speaks to the readers.
        return "first"
    # "better off without me", "i want to die": the phrase itself is about the writer, and
    # so are the writer's means and belongings ("is getting my dog", "all my pills").
    if any(word in _FIRST_PERSON for word in phrase_words) or (
        "my" in phrase_words and category == "plan_or_means"
    ):
        return "first"
    return None


def _after_preposition(words: list[str], index: int) -> bool:
    """Whether ``words[index]`` follows a preposition ("to him", "for my mum")."""
    if index >= 1 and words[index - 1] in _PREPOSITIONS:
        return True
    return index >= 2 and words[index - 1] in _POSSESSIVES and words[index - 2] in _PREPOSITIONS


def _reported_speech(before: list[str]) -> bool:
    """ "my friend keeps saying kms": someone else's words, reported by the writer."""
    for index in range(len(before) - 1, max(len(before) - 4, -1), -1):
        if before[index] not in _SPEECH_VERBS:
            continue
        for word in reversed(before[:index]):
            person = _PERSON_OF_WORD.get(word)
            if person is not None:
                return person == "third"
        return False
    return False


def _reported_question(before: list[str]) -> bool:
    """ "asked (me) if …": a question someone else asked, not the writer's statement."""
    if _ASKING.isdisjoint(before):
        return False
    for index, word in enumerate(before):
        if word in _ASKING and any(
            following in ("if", "whether") for following in before[index + 1 : index + 3]
        ):
            return True
    return False


def _negated(text: str, hit: PhraseHit, before: list[str]) -> bool:
    """A negator in the few words before the match, within its clause."""
    if _NEGATORS.isdisjoint(before[-_NEGATION_WINDOW:]):
        return False
    if _CLAUSE_OPENING.match(text, hit.start):
        # "I wouldn't be sad if I never woke up": the phrase opens a clause of its own.
        return False
    clause_start = 0
    for index in range(len(before) - 1, -1, -1):
        if before[index] in _CLAUSE_BREAKS:
            clause_start = index + 1
            break
    words = before[clause_start:]
    window_start = max(0, len(words) - _NEGATION_WINDOW)
    for index in range(window_start, len(words)):
        if words[index] not in _NEGATORS:
            continue
        following = words[index + 1] if index + 1 < len(words) else ""
        preceding = words[index - 1] if index > 0 else ""
        if following in _NEGATION_RELEASES or preceding in _NEGATION_RELEASE_BEFORE:
            continue
        return True
    return False


def assess(
    text: str,
    *,
    lexicon: Lexicon | None = None,
    model: RiskModel | None = None,
    use_model: bool = True,
) -> Assessment:
    """Assess ``text`` for crisis language.

    ``lexicon`` and ``model`` default to the shipped ones; ``use_model=False`` reads the
    phrases alone (for evaluation and training).
    """
    lexicon = lexicon if lexicon is not None else default_lexicon()
    normalised = lexicon.normalise(text)
    folded = normalised.text
    hits = lexicon.find(folded)
    risk_hits: list[PhraseHit] = []
    context_hits: list[PhraseHit] = []
    for hit in hits:
        (context_hits if hit.entry.category in CONTEXT_CATEGORIES else risk_hits).append(hit)
    if not risk_hits:
        lexical = Assessment("none", (), (), lexicon.version)
        return _with_model(lexical, folded, model, use_model=use_model)
    risk_hits = _outermost(risk_hits)

    readings: list[_Reading] = []
    for hit in risk_hits:
        original_start, original_end = normalised.original_span(hit.start, hit.end)
        readings.append(_Reading(hit, original_start, original_end, 0, [], hit.entry.severity))

    # A method word or a time alone says nothing; skip the context work for those.
    if not all(map(_is_weak_signal, readings)) or _signals_cluster(readings):
        _read_in_context(text, folded, readings, context_hits)

    severity = max((reading.severity for reading in readings), key=SEVERITY_RANK.__getitem__)
    categories = set()
    for reading in readings:
        category = reading.hit.entry.category
        if reading.severity != "none" or (
            category == "harassment" and not _NOT_THE_WRITERS_WORDS.intersection(reading.rules)
        ):
            categories.add("plan_or_means" if category == "timing" else category)
    matches = tuple(
        Match(
            phrase=reading.hit.entry.phrase,
            text=text[reading.original_start : reading.original_end],
            start=reading.original_start,
            end=reading.original_end,
            category=reading.hit.entry.category,
            severity=reading.severity,
            rules=tuple(reading.rules),
        )
        for reading in readings
    )
    set_aside = any(
        reading.severity == "none"
        and (reading.hit.entry.severity != "none" or reading.hit.entry.category == "harassment")
        for reading in readings
    )
    lexical = Assessment(
        severity, tuple(sorted(categories)), matches, lexicon.version, matches_set_aside=set_aside
    )
    return _with_model(lexical, folded, model, use_model=use_model)


def _with_model(
    lexical: Assessment, folded: str, model: RiskModel | None, *, use_model: bool
) -> Assessment:
    """Ask the risk model when the lexicon found no risk phrase at all (see model.py)."""
    if not use_model or lexical.severity != "none" or lexical.matches_set_aside:
        return lexical
    model = model if model is not None else default_model()
    scores = model.score(folded)
    severity = model.severity(scores)
    return replace(
        lexical,
        severity=severity,
        categories=(MODEL_CATEGORY,) if severity != "none" else lexical.categories,
        model_scores=scores,
        model_version=model.version,
    )


def _read_in_context(
    original: str, text: str, readings: list[_Reading], context_hits: list[PhraseHit]
) -> None:
    """Apply the context rules to each reading, then the combination rule to the message."""
    boundaries = [found.span() for found in _SENTENCE_END.finditer(text)]
    sentence_starts = [0, *(end for _, end in boundaries)]
    sentence_ends = [*(start for start, _ in boundaries), len(text)]

    def sentence_of(position: int) -> int:
        return bisect_right(sentence_starts, position) - 1

    idioms = _Spans([(hit.start, hit.end) for hit in context_hits if hit.entry.category == "idiom"])
    titles = _Spans([(hit.start, hit.end) for hit in context_hits if hit.entry.category == "title"])
    sentences_with: dict[str, set[int]] = {"benign": set(), "past": set(), "present": set()}
    for hit in context_hits:
        if hit.entry.category in sentences_with:
            sentences_with[hit.entry.category].add(sentence_of(hit.start))
    quoted_lists, titled_lists = _quoted_spans(original)
    context = _Context(
        sentence_starts,
        sentence_ends,
        idioms,
        titles,
        _Spans(quoted_lists),
        _Spans(titled_lists),
        sentences_with,
    )

    # Method and time words only matter as partners of a thought or in a cluster, so their
    # context is read only when a thought survived its own context, or they cluster.
    strong: list[_Reading] = []
    weak: list[_Reading] = []
    for reading in readings:
        (weak if _is_weak_signal(reading) else strong).append(reading)
    for reading in strong:
        _read_one(text, reading, context)
    thoughts = [
        reading
        for reading in strong
        if reading.severity != "none" and reading.hit.entry.category in _THOUGHTS
    ]
    if thoughts:
        # Nearest partners first, and no further once every thought has the partners it
        # needs: the severity cannot change after that, and in a long message most method
        # and time words sit in unrelated sentences.
        weak.sort(key=lambda reading: min(abs(reading.hit.start - t.hit.start) for t in thoughts))
        read: list[_Reading] = []
        live = list(thoughts)
        for reading in weak:
            _read_one(text, reading, context, first_rules_only=True)
            read.append(reading)
            if _SUPPRESSING_RULES.isdisjoint(reading.rules):
                live.append(reading)
                if len(_combinations(live)[0]) == len(thoughts):
                    break
        _combine([*strong, *read])
        return
    if _signals_cluster(weak):
        for reading in weak:
            _read_one(text, reading, context, first_rules_only=True)
    _combine(readings)


def _is_weak_signal(reading: _Reading) -> bool:
    return reading.hit.entry.severity == "none" and reading.hit.entry.category in (
        "plan_or_means",
        "timing",
    )


@dataclass(frozen=True, slots=True)
class _Context:
    """What the context rules need to know about the message, computed once."""

    sentence_starts: list[int]
    sentence_ends: list[int]
    idioms: _Spans
    titles: _Spans
    quoted_spans: _Spans
    title_spans: _Spans
    sentences_with: dict[str, set[int]]

    def sentence_of(self, position: int) -> int:
        return bisect_right(self.sentence_starts, position) - 1


def _read_one(
    text: str, reading: _Reading, context: _Context, *, first_rules_only: bool = False
) -> None:
    """Apply the context rules to one reading.

    With ``first_rules_only`` (method and time words, which matter only as partners of a
    thought) the reading stops after the cheap rules when one of them sets it aside.
    """
    hit = reading.hit
    rules = reading.rules
    sentence = context.sentence_of(hit.start)
    reading.sentence = sentence
    start, end = context.sentence_starts[sentence], context.sentence_ends[sentence]
    if context.quoted_spans.contain(reading.original_start, reading.original_end):
        rules.append("quoted")
    if context.titles.overlap(hit.start, hit.end) or context.title_spans.contain(
        reading.original_start, reading.original_end
    ):
        rules.append("title")
    if context.idioms.overlap(hit.start, hit.end) or (
        hit.entry.category in ("plan_or_means", "timing")
        and not context.sentences_with["benign"].isdisjoint((sentence - 1, sentence, sentence + 1))
    ):
        rules.append("idiom")
    past = sentence in context.sentences_with["past"] and (
        sentence not in context.sentences_with["present"]
    )
    if first_rules_only and (rules or past):
        if past:
            rules.append("past")
        reading.severity = "none"
        return
    before = _WORD_OR_CLAUSE_MARK.findall(text, max(start, hit.start - _LOOK_BEHIND), hit.start)
    if "quoted" not in rules and (_reported_question(before) or _reported_speech(before)):
        rules.insert(0, "quoted")
    if _negated(text, hit, before):
        rules.append("negated")
    person = _person(text, hit, before, end)
    if person != "first":
        rules.append(f"{person}_person")
    if past:
        rules.append("past")
    if not _SUPPRESSING_RULES.isdisjoint(rules):
        reading.severity = "none"


def _combine(readings: list[_Reading]) -> None:
    """Thoughts of acting plus a method or a time in the same message make a plan.

    Active ideation (high) needs one method or time; any ideation needs both; and three
    different method, goodbye or time signals together read as a plan even without words
    of ideation ("Goodbye. 💊🪢").
    """
    live = [reading for reading in readings if _SUPPRESSING_RULES.isdisjoint(reading.rules)]
    combined, partner_pools = _combinations(live)
    if len(partner_pools) < 2 and _signals_cluster(live):
        partner_pools.update(("plan_or_means", "timing"))
    combined.extend(reading for reading in live if reading.hit.entry.category in partner_pools)
    for reading in combined:
        reading.severity = "imminent"
        if "combined" not in reading.rules:
            reading.rules.append("combined")


def _combinations(live: list[_Reading]) -> tuple[list[_Reading], set[str]]:
    """The thoughts that a partner makes a plan, and the partner pools they draw on."""
    means = [reading for reading in live if reading.hit.entry.category == "plan_or_means"]
    timing = [reading for reading in live if reading.hit.entry.category == "timing"]
    combined: list[_Reading] = []
    partner_pools: set[str] = set()
    for thought in live:
        category = thought.hit.entry.category
        active = SEVERITY_RANK[thought.hit.entry.severity] >= SEVERITY_RANK["high"]
        if category in _PLANNABLE_THOUGHTS and active:
            if _has_partner(thought, means) or _has_partner(thought, timing):
                combined.append(thought)
                partner_pools.update(("plan_or_means", "timing"))
        elif category in _MEANS_ONLY_THOUGHTS and active:
            if _has_partner(thought, means):
                combined.append(thought)
                partner_pools.add("plan_or_means")
        elif (
            category == "suicidal_ideation"
            and _has_partner(thought, means)
            and _has_partner(thought, timing)
        ):
            combined.append(thought)
            partner_pools.update(("plan_or_means", "timing"))
    return combined, partner_pools


def _signals_cluster(readings: list[_Reading]) -> bool:
    """Three different method, goodbye or time phrases close together ("Goodbye. 💊🪢")."""
    signals = [
        (reading.hit.start, reading.hit.entry.phrase)
        for reading in readings
        if reading.hit.entry.category in ("plan_or_means", "timing")
    ]
    if len({phrase for _, phrase in signals}) < _CLUSTER_SIZE:
        return False
    signals.sort()
    # A window sliding over the signals in order, counting the phrases inside it.
    in_window: dict[str, int] = {}
    first = 0
    for position, phrase in signals:
        in_window[phrase] = in_window.get(phrase, 0) + 1
        while position - signals[first][0] > _CLUSTER:
            leaving = signals[first][1]
            in_window[leaving] -= 1
            if not in_window[leaving]:
                del in_window[leaving]
            first += 1
        if len(in_window) >= _CLUSTER_SIZE:
            return True
    return False


def _has_partner(thought: _Reading, pool: list[_Reading]) -> bool:
    """Whether ``pool`` holds a reading other than ``thought`` that does not overlap it."""
    start, end = thought.hit.start, thought.hit.end
    return any(
        other is not thought and (other.hit.end <= start or other.hit.start >= end)
        for other in pool
    )
