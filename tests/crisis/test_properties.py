"""assess() never raises and stays fast on arbitrary and very long input."""

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.crisis import SEVERITIES, assess

CRISIS_WORDS = st.sampled_from(
    ["kill", "myself", "k1ll", "die", "💊", "tonight", "not", "s.u.i", "> ", '"', "\n", "kms"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_assess_never_raises_on_arbitrary_unicode(text: str) -> None:
    assessment = assess(text)
    assert assessment.severity in SEVERITIES
    for match in assessment.matches:
        assert text[match.start : match.end] == match.text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(CRISIS_WORDS, st.text(max_size=5)), max_size=60).map(" ".join))
def test_offsets_hold_on_mixed_crisis_text(text: str) -> None:
    for match in assess(text).matches:
        assert 0 <= match.start <= match.end <= len(text)
        assert text[match.start : match.end] == match.text


@settings(max_examples=5, deadline=None)
@given(st.text(min_size=1, max_size=50))
def test_assess_is_bounded_on_100_kb(chunk: str) -> None:
    text = (chunk + " I want to k1ll mys3lf tonight 💊 ") * (100_000 // (len(chunk) + 34) + 1)
    started = time.perf_counter()
    assess(text[:100_000])
    assert time.perf_counter() - started < 5.0
