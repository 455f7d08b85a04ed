"""The crisis risk model: the shipped file, pure-Python scoring, and how assess uses it."""

from pathlib import Path

import pytest

from moderation.crisis import MODEL_CATEGORY, assess, default_lexicon, default_model
from moderation.crisis.model import MIN_EVIDENCE, ModelError, RiskScores, read_model
from tests.crisis import train_model
from tests.crisis.eval import read_devset


def test_the_shipped_model_loads_with_its_thresholds() -> None:
    model = default_model()
    assert len(model) > 1000
    assert model.version
    assert 0 < model.threshold_any < 1
    assert 0 < model.threshold_moderator < 1


def test_scoring_matches_scikit_learn_on_the_training_sets() -> None:
    """model.tsv is what train_model.py writes for the sets it names; scores agree.

    If this fails after the labelled sets or the normaliser changed, retrain:
    ``.venv/bin/python tests/crisis/train_model.py``.
    """
    trained = train_model.fit(
        [
            example
            for name in train_model.DEFAULT_SETS
            for example in read_devset(Path(__file__).with_name(f"{name}.tsv"))
        ]
    )
    normalise = default_lexicon().normalise
    model = default_model()
    texts = [
        "sorted the will and found the cat a new home",
        "i keep staring at the medicine cabinet",
        "lovely walk with the dog today",
        "tired tired tired of everything",  # a repeated word: sublinear tf
        "",
    ]
    for text in texts:
        folded = normalise(text).text
        matrix = trained.vectors.transform([folded])
        expected = (
            trained.any_risk.predict_proba(matrix)[0, 1],
            trained.moderator_risk.predict_proba(matrix)[0, 1],
        )
        scores = model.score(folded)
        assert scores.any_risk == pytest.approx(expected[0], abs=1e-4)
        assert scores.moderator_risk == pytest.approx(expected[1], abs=1e-4)


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ("everyone would be fine if i wasnt in the picture anymore", "concern"),
        ("i keep looking at the bottle of pills in the cupboard and counting them", "high"),
        ("i keep thinking about the train tracks near my house", "high"),
        ("had a lovely walk with the dog and made soup for tea", "none"),
        ("thinking about the holiday again", "none"),
    ],
)
def test_the_model_reads_what_no_phrase_lists(text: str, severity: str) -> None:
    assessment = assess(text)
    assert all(match.severity == "none" for match in assessment.matches)  # no phrase counts
    assert assessment.model_scores is not None
    assert assessment.severity == severity
    assert assessment.raised_by_model == (severity != "none")
    if severity != "none":
        assert assessment.categories == (MODEL_CATEGORY,)
        assert assessment.model_version == default_model().version
    assert assess(text, use_model=False).severity == "none"


@pytest.mark.parametrize(
    "text",
    [
        "I'm not suicidal anymore",  # negated
        "go kill yourself loser",  # harassment of someone else
        "my brother told me he has been cutting",  # someone else
        "> I want to die — we are here for you",  # quoted
    ],
)
def test_the_model_does_not_second_guess_phrases_set_aside(text: str) -> None:
    assessment = assess(text)
    assert assessment.matches_set_aside
    assert assessment.model_scores is None
    assert assessment.severity == "none"


def test_the_model_is_not_asked_when_a_phrase_already_counts() -> None:
    assessment = assess("I want to kill myself")
    assert assessment.severity == "high"
    assert assessment.model_scores is None
    assert not assessment.raised_by_model


def test_thresholds_map_scores_to_a_severity() -> None:
    model = default_model()
    assert model.severity(RiskScores(0.99, model.threshold_moderator)) == "high"
    assert model.severity(RiskScores(model.threshold_any, 0.0)) == "concern"
    assert model.severity(RiskScores(model.threshold_any - 0.01, 0.0)) == "none"
    # Too few known words to judge, however high the scores.
    assert model.severity(RiskScores(0.99, 0.99, MIN_EVIDENCE - 1)) == "none"


def test_one_known_word_is_too_little_to_judge() -> None:
    assessment = assess("zorbmoon tonight")  # only "tonight" is known to the model
    assert assessment.model_scores is not None
    assert assessment.model_scores.evidence < MIN_EVIDENCE
    assert assessment.severity == "none"


def test_a_broken_model_file_is_refused_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "model.tsv"
    path.write_text("# version: 1\n# intercept_any: 0\nword\tnot-a-number\t1\t1\n")
    with pytest.raises(ModelError, match=r"model\.tsv:3"):
        read_model(path)
    path.write_text("# version: 1\nword\t1\t1\t1\n")
    with pytest.raises(ModelError, match="header"):
        read_model(path)
