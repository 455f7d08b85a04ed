"""Lexicon phrase patterns: alternatives, optional words and gaps (moderation/crisis/patterns.py)."""

import pytest

from moderation.crisis import LexiconEntry, LexiconError, assess, load_lexicon
from moderation.crisis.patterns import MAX_FORMS, PatternError, expand, parts


def test_alternatives_and_optional_words_expand_to_every_form() -> None:
    assert expand("(took|swallowed) [all] my pills") == [
        "took my pills",
        "took all my pills",
        "swallowed my pills",
        "swallowed all my pills",
    ]


def test_optional_group_may_offer_several_words() -> None:
    assert expand("i [just|really] want out") == [
        "i want out",
        "i just want out",
        "i really want out",
    ]


def test_gaps_split_a_pattern_into_parts_expanded_one_by_one() -> None:
    assert parts("(cut|burned) ... my (arm|wrist)") == [
        ["cut", "burned"],
        ["my arm", "my wrist"],
    ]
    assert parts("plain phrase") == [["plain phrase"]]


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(a|(b|c))", "nested"),
        ("(a|b", "unbalanced"),
        ("a|b", "unbalanced"),
        ("(a|) b", "empty alternative"),
        ("[] b", "empty option"),
        ("... my arm", "starts or ends with a gap"),
        ("cut ...", "starts or ends with a gap"),
        ("(a ... b)", "cannot"),
    ],
)
def test_malformed_patterns_are_refused_with_a_reason(pattern: str, reason: str) -> None:
    with pytest.raises(PatternError):
        parts(pattern)
    with pytest.raises(LexiconError):
        LexiconEntry(pattern, "self_harm", "high")


def test_a_pattern_that_expands_too_far_is_refused() -> None:
    ten = "(" + "|".join(f"w{index}" for index in range(10)) + ")"
    pattern = " ".join([ten] * 4)  # 10,000 forms
    assert MAX_FORMS < 10**4
    with pytest.raises(PatternError, match="forms"):
        expand(pattern)


GAPPED = LexiconEntry("(cut|burned) ... my (arm|wrist)", "self_harm", "high")
OPTIONAL = LexiconEntry("i [just] (wanna|want to) vanish", "suicidal_ideation", "concern")


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon([GAPPED, OPTIONAL])


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ("i cut the top of my arm again", "high"),  # a gap of three words
        ("i burned my wrist", "high"),  # no gap at all
        ("i cut. my arm is fine", "none"),  # a sentence break between the parts
        ("cut bread and then the big loaf fell on my arm", "none"),  # too far apart
        ("my arm got cut", "none"),  # the parts in the wrong order
        ("i just want to vanish", "concern"),
        ("i wanna vanish", "concern"),
    ],
)
def test_patterns_match_in_messages(lexicon, text: str, severity: str) -> None:
    assert assess(text, lexicon=lexicon, use_model=False).severity == severity


def test_a_gapped_match_spans_both_parts_in_the_original_text(lexicon) -> None:
    text = "Yesterday I CUT the top of my ARM again."
    (match,) = [
        match for match in assess(text, lexicon=lexicon).matches if match.phrase == GAPPED.phrase
    ]
    assert match.text == "CUT the top of my ARM"
    assert text[match.start : match.end] == match.text


def test_context_rules_read_a_gapped_match_like_any_other(lexicon) -> None:
    for text in ("i havent cut my arm in a year", "she cut the top of my arm"):
        assessment = assess(text, lexicon=lexicon)
        assert assessment.severity == "none"
        assert assessment.matches_set_aside
