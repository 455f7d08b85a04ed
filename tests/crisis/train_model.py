"""Train the crisis risk model (moderation/crisis/model.py) and write moderation/crisis/model.tsv.

Run: ``.venv/bin/python tests/crisis/train_model.py [--sets devset holdout ...] [--extra F]``.
Needs scikit-learn (a dev dependency); the shipped model is read without it.

It first scores each held-out set with a model trained on the other sets (leave one set
out), combined with the lexicon exactly as ``assess`` combines them, so the printed
figures are for text the model did not see; then it trains on every set given and writes
the model file. ``--extra`` adds files in the same format, such as reviewed moderator
feedback from ``manage.py crisis_feedback_export``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from moderation.crisis import assess, default_lexicon  # noqa: E402
from moderation.crisis.model import MODEL_FILE  # noqa: E402

HERE = Path(__file__).parent
DEFAULT_SETS = ("devset", "holdout", "holdout2", "holdout3", "everyday", "everyday2")
HELD_OUT_FOLDS = ("holdout", "holdout2", "holdout3")
MODEL_VERSION = "1"
MIN_DOCUMENT_FREQUENCY = 2  # a word seen once teaches nothing general
C = 8.0


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")


def read_set(path: Path) -> list[tuple[str, str]]:
    """(text, expected) pairs of a labelled file."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        rows.append((fields[0], fields[1]))
    return rows


def vectoriser() -> TfidfVectorizer:
    """The features model.py computes: word unigrams and bigrams, sublinear tf-idf, l2."""
    return TfidfVectorizer(
        ngram_range=(1, 2),
        sublinear_tf=True,
        token_pattern=r"[a-z0-9]+",
        lowercase=False,
        min_df=MIN_DOCUMENT_FREQUENCY,
    )


def fit(
    rows: list[tuple[str, str]],
) -> tuple[TfidfVectorizer, LogisticRegression, LogisticRegression]:
    """The vectoriser and the two classifiers (any risk; a risk for moderators)."""
    normalise = default_lexicon().normalise
    texts = [normalise(text).text for text, _ in rows]
    vectors = vectoriser()
    matrix = vectors.fit_transform(texts)
    any_risk = [expected != "none" for _, expected in rows]
    moderator_risk = [expected in ("high", "imminent") for _, expected in rows]
    models = [
        LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(matrix, labels)
        for labels in (any_risk, moderator_risk)
    ]
    return vectors, models[0], models[1]


def combined_severity(text: str, any_score: float, moderator_score: float, thresholds) -> str:
    """What ``assess`` reports for these model scores (see moderation/crisis/assess.py)."""
    lexical = assess(text, use_model=False)
    if lexical.severity != "none" or lexical.matches_set_aside:
        return lexical.severity
    if moderator_score >= thresholds[1]:
        return "high"
    return "concern" if any_score >= thresholds[0] else "none"


def leave_one_set_out(sets: dict[str, list[tuple[str, str]]], thresholds) -> None:
    """Print recall and specificity on each held-out fold, trained on the other sets."""
    normalise = default_lexicon().normalise
    for fold in HELD_OUT_FOLDS:
        if fold not in sets:
            continue
        train = [row for name, rows in sets.items() if name != fold for row in rows]
        vectors, any_model, moderator_model = fit(train)
        test = sets[fold]
        matrix = vectors.transform([normalise(text).text for text, _ in test])
        any_scores = any_model.predict_proba(matrix)[:, 1]
        moderator_scores = moderator_model.predict_proba(matrix)[:, 1]
        counts = {"positive": 0, "alerted": 0, "moderator": 0, "moderator_alerted": 0}
        negatives = quiet = 0
        for (text, expected), score_any, score_moderator in zip(
            test, any_scores, moderator_scores, strict=True
        ):
            severity = combined_severity(text, score_any, score_moderator, thresholds)
            if expected == "none":
                negatives += 1
                quiet += severity == "none"
                continue
            counts["positive"] += 1
            counts["alerted"] += severity != "none"
            if expected in ("high", "imminent"):
                counts["moderator"] += 1
                counts["moderator_alerted"] += severity in ("high", "imminent")
        _say(
            f"fold {fold}: recall_any_alert={counts['alerted'] / counts['positive']:.3f} "
            f"recall_moderator_alert={counts['moderator_alerted'] / counts['moderator']:.3f} "
            f"specificity={quiet / negatives:.3f} (lexicon tuned on this fold; model not)"
        )


def write_model(
    path: Path,
    vectors: TfidfVectorizer,
    any_model: LogisticRegression,
    moderator_model: LogisticRegression,
    *,
    thresholds: tuple[float, float],
    trained_on: Iterable[str],
) -> None:
    lines = [
        "# Kindred crisis risk model: logistic regression over word unigrams and bigrams.",
        "# Written by tests/crisis/train_model.py; read by moderation/crisis/model.py.",
        f"# trained_on: {' '.join(trained_on)}",
        f"# version: {MODEL_VERSION}",
        f"# intercept_any: {any_model.intercept_[0]:.6f}",
        f"# intercept_moderator: {moderator_model.intercept_[0]:.6f}",
        f"# threshold_any: {thresholds[0]}",
        f"# threshold_moderator: {thresholds[1]}",
        "# feature<TAB>idf<TAB>weight_any<TAB>weight_moderator",
    ]
    vocabulary = sorted(vectors.vocabulary_.items())
    for feature, column in vocabulary:
        lines.append(
            f"{feature}\t{vectors.idf_[column]:.6f}\t{any_model.coef_[0][column]:.6f}"
            f"\t{moderator_model.coef_[0][column]:.6f}"
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
    sets = {name: read_set(HERE / f"{name}.tsv") for name in arguments.sets}
    for extra in arguments.extra:
        sets[extra.stem] = read_set(extra)
    _say(f"train_model: {sum(map(len, sets.values()))} labelled lines from {len(sets)} files")
    if not arguments.skip_folds:
        leave_one_set_out(sets, thresholds)
    rows = [row for rows in sets.values() for row in rows]
    vectors, any_model, moderator_model = fit(rows)
    write_model(
        arguments.output,
        vectors,
        any_model,
        moderator_model,
        thresholds=thresholds,
        trained_on=sets,
    )
    _say(f"wrote {arguments.output} ({len(vectors.vocabulary_)} features)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
