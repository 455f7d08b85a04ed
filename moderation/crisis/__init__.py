"""Crisis-language detection for Kindred: pure Python, no Django.

``assess(text)`` returns an :class:`Assessment` with a severity on the Columbia-based scale
``none < concern < high < imminent``, the risk categories shown and the lexicon matches
(with offsets into the original text). See README.md in this folder for the rules.
"""

from moderation.crisis.assess import MODEL_CATEGORY, RULES, Assessment, Match, assess
from moderation.crisis.lexicon import (
    SEVERITIES,
    Lexicon,
    LexiconEntry,
    LexiconError,
    default_lexicon,
    load_lexicon,
)
from moderation.crisis.model import RiskModel, RiskScores, default_model

__all__ = [
    "MODEL_CATEGORY",
    "RULES",
    "SEVERITIES",
    "Assessment",
    "Lexicon",
    "LexiconEntry",
    "LexiconError",
    "Match",
    "RiskModel",
    "RiskScores",
    "assess",
    "default_lexicon",
    "default_model",
    "load_lexicon",
]
