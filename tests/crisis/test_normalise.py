"""Each normalisation rule, and offsets that lead back to the characters the writer typed."""

import pytest

from moderation.crisis import default_lexicon
from moderation.crisis.normalise import normalise

VOCABULARY = default_lexicon().vocabulary


@pytest.mark.parametrize(
    ("original", "normalised"),
    [
        ("I Want To DIE", "i want to die"),  # case folding
        ("Ｋｉｌｌ 𝐦𝐲𝐬𝐞𝐥𝐟", "kill myself"),  # NFKC: full-width and mathematical letters
        ("ki\u200bll my\u200dself", "kill myself"),  # zero-width characters
        ("kill \u202emyself", "kill myself"),  # bidirectional override
        ("kіll mуself", "kill myself"),  # Cyrillic homoglyphs
        ("kíll mysélf", "kill myself"),  # accents
        ("Straße", "strasse"),  # case folding that changes the length
        ("i want to k1ll mys3lf", "i want to kill myself"),  # leetspeak inside words
        ("i want to d13", "i want to die"),
        ("$uicide", "suicide"),
        ("800mg of lithium", "800mg of pills"),  # a dose is not leetspeak
        ("n0 p0int in l1ving", "no point in living"),  # a two-character word
        ("0verd0sed", "overdosed"),  # a zero for a leading o
        ("0mg today", "0mg today"),
        ("saved my co-codamol", "saved my pills"),  # medicine names read as pills
        ("s.u.i.c.i.d.e", "suicide"),  # punctuation inside a word
        ("can't stop thinking about s*icide", "cant stop thinking about suicide"),  # masked
        ("I'm done.I quit", "im done . i quit"),  # a missing space is not a word
        ("self-harm", "self harm"),  # separators
        ("k i l l myself", "kill myself"),  # spaced-out letters
        ("k i l l m y s e l f", "kill myself"),  # spaced-out letters split into words
        ("myyyyyself", "myself"),  # stretched letters
        ("killllll", "kill"),  # stretched letters keep a legitimate double
        ("feeeeel", "feel"),
        ("kilIing", "killing"),  # capital I for l
        ("i want to kms", "i want to kill myself"),  # slang
        ("thinking about sewer slide", "thinking about suicide"),
        ("wanna ctb", "want to catch the bus"),
        ("i want to unalive myself", "i want to kill myself"),
        ("been thinking about sucide", "been thinking about suicide"),  # misspelling
        ("💊💊 tonight", "pills pills tonight"),  # emoji that carry meaning
        ("got the 🪢", "got the rope"),
        ("a 🪢 and 💊", "a rope and pills"),  # spaces only where the emoji touches a word
        ("took 40 pills", "took many pills"),  # counts of ten or more
        ("took 2 pills", "took 2 pills"),
        ("💊x50", "pills x many"),
        ("back in 2019", "back in someyear"),  # years
        ("so   many\n\n\nlines", "so many\nlines"),  # white space
    ],
)
def test_each_rule_normalises(original: str, normalised: str) -> None:
    assert normalise(original, VOCABULARY).text == normalised


@pytest.mark.parametrize(
    ("original", "phrase", "expected_slice"),
    [
        ("I want to k1ll mys3lf!", "kill myself", "k1ll mys3lf"),
        ("so s.u.i.c.i.d.e.", "suicide", "s.u.i.c.i.d.e"),
        ("Ｉ ｗａｎｔ ｔｏ ｄｉｅ", "die", "ｄｉｅ"),
        ("ok kіll mуself now", "kill myself", "kіll mуself"),
        ("so k i l l m y s e l f now", "kill myself", "k i l l m y s e l f"),
        ("ugh kms", "kill myself", "kms"),
        ("I\u200b want to di\u200be", "die", "di\u200be"),
        ("💊💊 now", "pills", "💊"),
        ("took 40 pills", "many pills", "40 pills"),
        ("Straße myyyyself", "myself", "myyyyself"),
    ],
)
def test_offsets_lead_back_to_the_original(original: str, phrase: str, expected_slice: str) -> None:
    normalised = normalise(original, VOCABULARY)
    start = normalised.text.index(phrase)
    original_start, original_end = normalised.original_span(start, start + len(phrase))
    assert original[original_start:original_end] == expected_slice


def test_plain_ascii_needs_no_stage_map() -> None:
    assert normalise("nothing to see here", VOCABULARY).stages == ()


def test_common_medicine_names_read_as_pills() -> None:
    # So that "took many pills" covers "took 20 xanax" without a phrase per medicine.
    assert normalise("t00k 20 xanax").text == "took many pills"
