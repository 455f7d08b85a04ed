"""A small statistical risk model for what the lexicon cannot list: indirect language.

People in crisis often write around the words ("sorted the will and found the cat a new
home, I won't be around after Friday"). No phrase list covers every such sentence, so a
logistic regression over word unigrams and bigrams (tf-idf, like scikit-learn's
``TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)``) scores the normalised text.
It is trained offline by ``tests/crisis/train_model.py`` on the labelled sets in
``tests/crisis/`` and shipped as the data file ``model.tsv``; scoring here is pure Python
(no scikit-learn at run time).

Two scores come out: the chance that the writer shows any risk (``concern`` and up) and
the chance of a risk moderators must see (``high`` and up). ``assess`` asks the model only
when the lexicon found no risk phrase at all, neither one that counts nor one its context
rules set aside: explicit language with its context is the lexicon's, the rest the model's.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from moderation.crisis.normalise import word_search_copy

__all__ = ["MIN_EVIDENCE", "MODEL_FILE", "ModelError", "RiskModel", "RiskScores", "default_model"]

MODEL_FILE = Path(__file__).with_name("model.tsv")
_HEADER = re.compile(r"#\s*([a-z_]+):\s*(.+?)\s*$")
# Fewer known words and word pairs than this is too little text to judge: one known word
# alone ("zorbmoon tonight") would carry the whole normalised vector.
MIN_EVIDENCE = 3


class ModelError(ValueError):
    """A model file that cannot be used."""


@dataclass(frozen=True, slots=True)
class RiskScores:
    """The model's two probabilities for one message, and how many known features it had."""

    any_risk: float
    moderator_risk: float
    evidence: int = MIN_EVIDENCE


class RiskModel:
    """Feature weights for the two scores, and the thresholds that turn them into a severity."""

    __slots__ = (
        "_weights",
        "_words",
        "intercept_any",
        "intercept_moderator",
        "threshold_any",
        "threshold_moderator",
        "version",
    )

    def __init__(
        self,
        features: dict[str, tuple[float, float, float]],
        *,
        version: str,
        intercepts: tuple[float, float],
        thresholds: tuple[float, float],
    ) -> None:
        # For each feature: idf², idf x each weight (a feature seen once, the common case,
        # adds exactly these), and idf with the weights for repeats.
        self._weights = [
            (idf * idf, idf * weight_any, idf * weight_moderator, idf, weight_any, weight_moderator)
            for idf, weight_any, weight_moderator in features.values()
        ]
        # Each word: its unigram's index (or -1) and the words that make a bigram after it
        # with their indexes, so scoring never builds a bigram string.
        words: dict[str, tuple[int, dict[str, int] | None]] = {}
        for index, feature in enumerate(features):
            first, _, second = feature.partition(" ")
            unigram, followers = words.get(first, (-1, None))
            if second:
                followers = followers or {}
                followers[second] = index
            else:
                unigram = index
            words[first] = (unigram, followers)
        self._words = words
        self.version = version
        self.intercept_any, self.intercept_moderator = intercepts
        self.threshold_any, self.threshold_moderator = thresholds

    def __len__(self) -> int:
        return len(self._weights)

    def score(self, normalised_text: str) -> RiskScores:
        """Both probabilities for text already through the lexicon's normaliser."""
        # The words of [a-z0-9]+, as the vectoriser saw them: the same-length copy with
        # everything else blanked, split (faster than a regex over the text).
        words = self._words
        seen: list[int] = []
        followers: dict[str, int] | None = None
        for token in word_search_copy(normalised_text).split():
            if followers is not None:
                index = followers.get(token)
                if index is not None:
                    seen.append(index)
            entry = words.get(token)
            if entry is None:
                followers = None
                continue
            index, followers = entry
            if index >= 0:
                seen.append(index)
        squares = dot_any = dot_moderator = 0.0
        weights = self._weights
        counts = Counter(seen)
        evidence = len(counts)
        for index, count in counts.items():
            row = weights[index]
            if count == 1:
                squares += row[0]
                dot_any += row[1]
                dot_moderator += row[2]
                continue
            value = (1.0 + math.log(count)) * row[3]
            squares += value * value
            dot_any += value * row[4]
            dot_moderator += value * row[5]
        norm = math.sqrt(squares) or 1.0
        return RiskScores(
            _sigmoid(dot_any / norm + self.intercept_any),
            _sigmoid(dot_moderator / norm + self.intercept_moderator),
            evidence,
        )

    def severity(self, scores: RiskScores) -> str:
        """``high`` or ``concern`` when a score reaches its threshold, else ``none``."""
        if scores.evidence < MIN_EVIDENCE:
            return "none"
        if scores.moderator_risk >= self.threshold_moderator:
            return "high"
        if scores.any_risk >= self.threshold_any:
            return "concern"
        return "none"


def _sigmoid(value: float) -> float:
    if value < -60:
        return 0.0
    return 1.0 / (1.0 + math.exp(-value))


def read_model(path: Path = MODEL_FILE) -> RiskModel:
    """Read a model file written by ``tests/crisis/train_model.py``."""
    header: dict[str, str] = {}
    features: dict[str, tuple[float, float, float]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("#"):
            found = _HEADER.match(line)
            if found:
                header[found.group(1)] = found.group(2)
            continue
        if not line:
            continue
        fields = line.split("\t")
        try:
            features[fields[0]] = (float(fields[1]), float(fields[2]), float(fields[3]))
        except (IndexError, ValueError) as error:
            raise ModelError(f"{path.name}:{number}: expected feature, idf, two weights") from error
    try:
        return RiskModel(
            features,
            version=header["version"],
            intercepts=(float(header["intercept_any"]), float(header["intercept_moderator"])),
            thresholds=(float(header["threshold_any"]), float(header["threshold_moderator"])),
        )
    except (KeyError, ValueError) as error:
        raise ModelError(f"{path.name}: header incomplete ({error})") from error


@lru_cache(maxsize=1)
def default_model() -> RiskModel:
    """The shipped model, read once per process."""
    return read_model()
