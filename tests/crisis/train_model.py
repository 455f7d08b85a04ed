"""Train the crisis risk model (moderation/crisis/model.py) and write moderation/crisis/model.tsv.

Run: ``.venv/bin/python tests/crisis/train_model.py [--sets devset holdout ...] [--extra F]``.
Needs scikit-learn (a dev dependency); the shipped model is read without it.

It first scores each held-out set with ``assess`` and a model trained on the other sets
(leave one set out), so the printed
figures are for text the model did not see; then it trains on every set given and writes
the model file. ``--extra`` adds files in the same format, such as reviewed moderator
feedback from ``manage.py crisis_feedback_export``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from moderation.crisis import RiskModel, assess, default_lexicon  # noqa: E402
from moderation.crisis.model import MODEL_FILE  # noqa: E402
from tests.crisis.eval import Example, figures, read_devset, say, score  # noqa: E402

HERE = Path(__file__).parent
DEFAULT_SETS = ("devset", "holdout", "holdout2", "holdout3", "everyday", "everyday2")
HELD_OUT_FOLDS = ("holdout", "holdout2", "holdout3")
MODEL_VERSION = "1"
MIN_DOCUMENT_FREQUENCY = 2  # a word seen once teaches nothing general
C = 8.0


@dataclass(frozen=True)
class Trained:
    """The vectoriser and the two classifiers (any risk; a risk for moderators)."""

    vectors: TfidfVectorizer
    any_risk: LogisticRegression
    moderator_risk: LogisticRegression

    def features(self) -> dict[str, tuple[float, float, float]]:
        """Each feature's idf and two weights, in the order model.tsv lists them."""
        return {
            feature: (
                float(self.vectors.idf_[column]),
                float(self.any_risk.coef_[0][column]),
                float(self.moderator_risk.coef_[0][column]),
            )
            for feature, column in sorted(self.vectors.vocabulary_.items())
        }

    def intercepts(self) -> tuple[float, float]:
        return float(self.any_risk.intercept_[0]), float(self.moderator_risk.intercept_[0])

    def risk_model(self, thresholds: tuple[float, float]) -> RiskModel:
        """The model as ``assess`` uses it, without writing a file."""
        return RiskModel(
            self.features(),
            version=MODEL_VERSION,
            intercepts=self.intercepts(),
            thresholds=thresholds,
        )


def vectoriser() -> TfidfVectorizer:
    """The features model.py computes: word unigrams and bigrams, sublinear tf-idf, l2."""
    return TfidfVectorizer(
        ngram_range=(1, 2),
        sublinear_tf=True,
        token_pattern=r"[a-z0-9]+",
        lowercase=False,
        min_df=MIN_DOCUMENT_FREQUENCY,
    )


def fit(examples: list[Example]) -> Trained:
    """Train on labelled examples, over the text as the lexicon's normaliser leaves it."""
    normalise = default_lexicon().normalise
    vectors = vectoriser()
    matrix = vectors.fit_transform([normalise(example.text).text for example in examples])
    any_risk = [example.expected != "none" for example in examples]
    moderator_risk = [example.expected in ("high", "imminent") for example in examples]
    any_model, moderator_model = (
        LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(matrix, labels)
        for labels in (any_risk, moderator_risk)
    )
    return Trained(vectors, any_model, moderator_model)


def leave_one_set_out(sets: dict[str, list[Example]], thresholds: tuple[float, float]) -> None:
    """Print each held-out fold's figures with ``assess`` using a model trained without it."""
    for fold in HELD_OUT_FOLDS:
        if fold not in sets:
            continue
        trained = fit([example for name, rows in sets.items() if name != fold for example in rows])
        scores = score(sets[fold], _severity_with(trained.risk_model(thresholds)))
        say(figures(fold, scores) + " (lexicon tuned on this fold; model not)")


def _severity_with(model: RiskModel) -> Callable[[str], str]:
    return lambda text: assess(text, model=model).severity


def write_model(
    path: Path, trained: Trained, *, thresholds: tuple[float, float], trained_on: Iterable[str]
) -> None:
    intercept_any, intercept_moderator = trained.intercepts()
    lines = [
        "# Kindred crisis risk model: logistic regression over word unigrams and bigrams.",
        "# Written by tests/crisis/train_model.py; read by moderation/crisis/model.py.",
        f"# trained_on: {' '.join(trained_on)}",
        f"# version: {MODEL_VERSION}",
        f"# intercept_any: {intercept_any:.6f}",
        f"# intercept_moderator: {intercept_moderator:.6f}",
        f"# threshold_any: {thresholds[0]}",
        f"# threshold_moderator: {thresholds[1]}",
        "# feature<TAB>idf<TAB>weight_any<TAB>weight_moderator",
    ]
    lines.extend(
        f"{feature}\t{idf:.6f}\t{weight_any:.6f}\t{weight_moderator:.6f}"
        for feature, (idf, weight_any, weight_moderator) in trained.features().items()
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", default=list(DEFAULT_SETS))
    parser.add_argument("--extra", nargs="*", type=Path, default=[])
    parser.add_argument("--threshold-any", type=float, default=0.6)
    parser.add_argument("--threshold-moderator", type=float, default=0.7)
    parser.add_argument("--output", type=Path, default=MODEL_FILE)
    parser.add_argument("--skip-folds", action="store_true", help="only train and write")
    arguments = parser.parse_args(argv)
    thresholds = (arguments.threshold_any, arguments.threshold_moderator)
    sets = {name: read_devset(HERE / f"{name}.tsv") for name in arguments.sets}
    for extra in arguments.extra:
        sets[extra.stem] = read_devset(extra)
    say(f"train_model: {sum(map(len, sets.values()))} labelled lines from {len(sets)} files")
    if not arguments.skip_folds:
        leave_one_set_out(sets, thresholds)
    trained = fit([example for rows in sets.values() for example in rows])
    write_model(arguments.output, trained, thresholds=thresholds, trained_on=sets)
    say(f"wrote {arguments.output} ({len(trained.vectors.vocabulary_)} features)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
