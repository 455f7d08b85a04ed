"""Evaluate the crisis detector on the labelled development set, against a naive baseline.

Run: ``.venv/bin/python tests/crisis/eval.py [--errors] [path/to/devset.tsv]``. Exits 1 when
a target is missed (or the file is absent), 0 otherwise.
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

from moderation.crisis import SEVERITIES, assess  # noqa: E402 - needs ROOT on sys.path

DEVSET = Path(__file__).with_name("devset.tsv")
TARGETS = {"recall_any_alert": 0.95, "recall_moderator_alert": 0.90, "specificity": 0.95}

# What a first attempt often looks like: a handful of phrases found as substrings.
NAIVE_PHRASES = (
    "suicide",
    "suicidal",
    "kill myself",
    "want to die",
    "end my life",
    "self harm",
    "cut myself",
    "overdose",
    "hurt myself",
    "better off dead",
)
_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Example:
    """One labelled line of the development set."""

    line: int
    text: str
    expected: str
    note: str


@dataclass(frozen=True)
class Scores:
    """The three figures the targets are set on, and what they were computed from."""

    recall_any_alert: float
    recall_moderator_alert: float
    specificity: float
    count: int
    errors: tuple[tuple[Example, str], ...]

    def meets_targets(self) -> bool:
        """Whether every figure reaches its target."""
        return all(getattr(self, name) >= target for name, target in TARGETS.items())


def read_devset(path: Path = DEVSET) -> list[Example]:
    """Read ``text<TAB>expected<TAB>note`` lines, skipping blank and ``#`` lines."""
    examples = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        fields = raw.split("\t")
        if len(fields) < 2 or fields[1].strip() not in _RANK:
            raise ValueError(f"{path.name}:{number}: expected text<TAB>severity[<TAB>note]")
        note = fields[2].strip() if len(fields) > 2 else ""
        examples.append(Example(number, fields[0], fields[1].strip(), note))
    return examples


def detector_severity(text: str) -> str:
    """The detector's severity for one text: the lexicon, and the risk model behind it."""
    return assess(text).severity


def lexicon_severity(text: str) -> str:
    """The lexicon's severity alone, without the risk model."""
    return assess(text, use_model=False).severity


def naive_severity(text: str) -> str:
    """The baseline: "high" when any of ten phrases is a substring of the lower-cased text."""
    lowered = text.lower()
    return "high" if any(phrase in lowered for phrase in NAIVE_PHRASES) else "none"


def score(examples: Iterable[Example], predict: Callable[[str], str]) -> Scores:
    """Recall of any alert, recall of moderator alerts and specificity of ``predict``."""
    any_alert = [0, 0]
    moderator_alert = [0, 0]
    negatives = [0, 0]
    errors: list[tuple[Example, str]] = []
    count = 0
    for example in examples:
        count += 1
        predicted = predict(example.text)
        expected_rank, predicted_rank = _RANK[example.expected], _RANK[predicted]
        if expected_rank == 0:
            negatives[1] += 1
            negatives[0] += predicted_rank == 0
        else:
            any_alert[1] += 1
            any_alert[0] += predicted_rank >= 1
        if expected_rank >= 2:
            moderator_alert[1] += 1
            moderator_alert[0] += predicted_rank >= 2
        wrong = (expected_rank == 0) != (predicted_rank == 0) or (expected_rank >= 2) != (
            predicted_rank >= 2
        )
        if wrong:
            errors.append((example, predicted))
    return Scores(
        recall_any_alert=any_alert[0] / any_alert[1] if any_alert[1] else 1.0,
        recall_moderator_alert=(
            moderator_alert[0] / moderator_alert[1] if moderator_alert[1] else 1.0
        ),
        specificity=negatives[0] / negatives[1] if negatives[1] else 1.0,
        count=count,
        errors=tuple(errors),
    )


def figures(name: str, scores: Scores) -> str:
    return (
        f"{name:<9} recall_any_alert={scores.recall_any_alert:.3f} "
        f"recall_moderator_alert={scores.recall_moderator_alert:.3f} "
        f"specificity={scores.specificity:.3f} count={scores.count}"
    )


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def main(argv: list[str] | None = None) -> int:
    """Print the figures for the detector and the baseline; 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("devset", nargs="?", type=Path, default=DEVSET)
    parser.add_argument("--errors", action="store_true", help="list misclassified lines")
    arguments = parser.parse_args(argv)
    if not arguments.devset.exists():
        sys.stderr.write(f"no development set at {arguments.devset}\n")
        return 1
    examples = read_devset(arguments.devset)
    detector = score(examples, detector_severity)
    baseline = score(examples, naive_severity)
    say(figures("detector", detector))
    say(figures("lexicon", score(examples, lexicon_severity)))
    say(figures("baseline", baseline))
    targets = " ".join(f"{name}>={target}" for name, target in TARGETS.items())
    say(f"targets   {targets}: {'met' if detector.meets_targets() else 'MISSED'}")
    if arguments.errors:
        for example, predicted in detector.errors:
            say(
                f"{arguments.devset.name}:{example.line}\texpected={example.expected}"
                f"\tpredicted={predicted}\t{example.text}"
            )
    return 0 if detector.meets_targets() else 1


if __name__ == "__main__":
    sys.exit(main())
