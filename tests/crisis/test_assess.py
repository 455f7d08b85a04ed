"""Tables of (text, expected severity) for each context rule, and the assess() contract."""

import pytest

from moderation.crisis import (
    SEVERITIES,
    Assessment,
    LexiconEntry,
    assess,
    load_lexicon,
)

SEVERITY_BY_RULE: dict[str, list[tuple[str, str]]] = {
    "plain risk": [
        ("I want to die", "concern"),
        ("i wish i was dead", "concern"),
        ("there is no reason to live", "concern"),
        ("I can't go on like this anymore", "concern"),
        ("everyone would be better off without me", "concern"),
        ("I want to kill myself", "high"),
        ("been having suicidal thoughts all week", "high"),
        ("I keep hurting myself when I'm alone", "high"),
        ("I'm going to hurt him when I see him", "high"),
        ("I'm going to jump off the bridge after dinner", "imminent"),
        ("wrote my note and this is goodbye", "imminent"),
        ("I took 40 pills an hour ago", "imminent"),
        ("giving away my things to my friends this week", "imminent"),
    ],
    "obfuscation": [
        ("I want to k1ll mys3lf", "high"),
        ("i want to kіll myself", "high"),
        ("s u i c i d a l again", "high"),
        ("want to kill myyyyyself", "high"),
        ("thinking about sewer slide", "high"),
        ("i wanna kms", "high"),
        ("ctb tonight", "imminent"),
    ],
    "combined": [
        ("I want to kill myself. I have the rope.", "imminent"),
        ("going to kill myself tonight", "imminent"),
        ("I want to end my life, I've been saving my pills", "imminent"),
        ("thinking about suicide, I have paracetamol and it's tonight", "imminent"),
    ],
    "method words alone": [
        ("I took my pills this morning", "none"),
        ("walked across the bridge to work", "none"),
        ("bought a new rope for the tent", "none"),
        ("see you tonight!", "none"),
        ("paracetamol is fine for a headache", "none"),
    ],
    "negated": [
        ("I'm not suicidal", "none"),
        ("I would never hurt myself", "none"),
        ("I don't want to die, I want to get better", "none"),
        ("no thoughts of killing myself today", "none"),
        ("I don't want to live anymore", "concern"),
        ("no reason to live", "concern"),
        ("I can't go on", "concern"),
        ("I don't want to be here anymore", "concern"),
        ("I'm not okay, I want to kill myself", "high"),
        ("not going to lie but I want to kill myself", "high"),
    ],
    "second_person": [
        ("please don't kill yourself", "none"),
        ("kys", "none"),
        ("go kill yourself loser", "none"),
        ("if you are thinking about suicide please call a helpline", "none"),
    ],
    "third_person": [
        ("my friend says she wants to die", "none"),
        ("my brother told me he has been cutting", "none"),
        ("someone in my class is suicidal, how do I help?", "none"),
        ("my friend keeps saying kms as a joke, should I be worried?", "none"),  # reported
        ("my mum keeps saying 'i won't be around much longer'", "none"),  # single quotes
    ],
    "first_person": [
        # A person after a preposition is an object, not who the words are about.
        ("giving my games to my cousin, won't need them after friday", "imminent"),
        # A farewell is the writer's own, whoever it is addressed to.
        ("goodbye everyone, it was nice knowing you all", "imminent"),
        # Quoting one's own thought is not quoting someone else.
        ("I keep thinking 'i want to die'", "concern"),
        ('I keep telling myself "I want to die"', "concern"),
    ],
    "past": [
        ("I used to cut", "none"),
        ("2 years clean from self harm", "none"),
        ("I was suicidal years ago and it got better", "none"),
        ("I used to cut and now I'm cutting again", "high"),
    ],
    "idiom": [
        ("this traffic is killing me", "none"),
        ("I'd kill for a coffee", "none"),
        ("dying of laughter", "none"),
        ("that cake is to die for", "none"),
        ("I want to die my hair blue", "none"),
        ("you're killing it", "none"),
        ("dead tired today", "none"),
        ("I'm dying to see that film", "none"),
        ("skills group helped, my therapist is great", "none"),
    ],
    "quoted": [
        ("> I want to kill myself\nWe're here for you, please call someone.", "none"),
        ('she wrote "I want to die" in her diary', "none"),
        ("the lyric 'i wanna die young' always seemed dumb to me", "none"),
    ],
    "title": [
        ("Suicide Squad was fun", "none"),
        ("watching 13 Reasons Why", "none"),
        ('"Kill Me Softly" is a good song', "none"),
    ],
}

TABLE = [
    pytest.param(text, expected, id=f"{rule}: {text}")
    for rule, rows in SEVERITY_BY_RULE.items()
    for text, expected in rows
]


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_severity_follows_the_context_rules(text: str, expected: str) -> None:
    assert assess(text).severity == expected


def test_context_is_read_per_sentence() -> None:
    assessment = assess("My friend is doing better. I want to kill myself.")
    assert assessment.severity == "high"


def test_matches_point_at_the_original_text() -> None:
    text = "ok so I want to k1ll mys3lf!!"
    assessment = assess(text)
    assert assessment.matches
    for match in assessment.matches:
        assert text[match.start : match.end] == match.text
    assert any(match.text == "k1ll mys3lf" for match in assessment.matches)


def test_harassment_is_reported_but_does_not_raise_severity() -> None:
    assessment = assess("nobody likes you, kys")
    assert assessment.severity == "none"
    assert "harassment" in assessment.categories
    assert not assessment.shows_support
    assert not assessment.alerts_moderators


def test_support_is_not_harassment() -> None:
    assessment = assess("please don't kill yourself, we care about you")
    assert assessment.severity == "none"
    assert assessment.categories == ()


def test_imminent_combination_names_its_rule() -> None:
    assessment = assess("I want to kill myself tonight")
    assert assessment.severity == "imminent"
    assert assessment.alerts_moderators
    assert any("combined" in match.rules for match in assessment.matches)
    assert assessment.categories == ("plan_or_means", "suicidal_ideation")


def test_rules_are_reported_on_matches() -> None:
    negated = assess("I'm not suicidal").matches[0]
    assert negated.rules == ("negated",)
    assert negated.severity == "none"
    assert "past" in assess("I used to cut").matches[0].rules
    assert "third_person" in assess("my friend is suicidal").matches[0].rules


def test_assessment_shape() -> None:
    assessment = assess("I want to die")
    assert isinstance(assessment, Assessment)
    assert assessment.severity in SEVERITIES
    assert assessment.shows_support
    assert not assessment.alerts_moderators
    assert assessment.categories == ("suicidal_ideation",)
    assert assessment.lexicon_version
    assert SEVERITIES == ("none", "concern", "high", "imminent")


def test_empty_and_benign_text() -> None:
    assert assess("").severity == "none"
    assert assess("lovely walk in the park today").matches == ()


def test_admin_entries_extend_the_lexicon() -> None:
    extra = [LexiconEntry("going to the big sleep", "suicidal_ideation", "high", "slang")]
    lexicon = load_lexicon(extra)
    assert assess("I'm going to the big sleep", lexicon=lexicon).severity == "high"
    # The shipped lexicon alone has no such phrase (the risk model may still read it).
    assert assess("I'm going to the big sleep", use_model=False).severity == "none"
    assert lexicon.version != load_lexicon().version
    assert lexicon.version.startswith(load_lexicon().version)


def test_unknown_category_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown category"):
        LexiconEntry("whatever", "nonsense", "high")


def test_assess_is_deterministic() -> None:
    text = "I can't do this anymore. I have the pills and tonight is the night."
    assert assess(text) == assess(text)
