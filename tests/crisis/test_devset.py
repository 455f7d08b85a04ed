"""The detector meets its targets on the labelled development set."""

import pytest

from tests.crisis.eval import DEVSET, TARGETS, detector_severity, naive_severity, read_devset, score


@pytest.fixture(scope="module")
def examples() -> list:
    if not DEVSET.exists():
        pytest.skip(f"no development set at {DEVSET} (it is written separately)")
    return read_devset(DEVSET)


def test_detector_meets_targets_on_devset(examples: list) -> None:
    scores = score(examples, detector_severity)
    misses = "\n".join(
        f"line {example.line}: expected {example.expected}, got {predicted}: {example.text}"
        for example, predicted in scores.errors
    )
    for name, target in TARGETS.items():
        assert getattr(scores, name) >= target, f"{name}={getattr(scores, name):.3f}\n{misses}"


def test_detector_beats_the_naive_baseline(examples: list) -> None:
    detector = score(examples, detector_severity)
    baseline = score(examples, naive_severity)
    assert detector.recall_any_alert > baseline.recall_any_alert
    assert detector.specificity >= baseline.specificity
