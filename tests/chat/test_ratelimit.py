"""Token-bucket arithmetic, without Django."""

import pytest

from chat.ratelimit import Bucket, bucket_take, slow_mode_wait


def take_many(count: int, *, start: float = 0.0, step: float = 0.0) -> list[bool]:
    bucket = None
    allowed = []
    for n in range(count):
        decision = bucket_take(bucket, now=start + n * step, burst=5, refill_seconds=2)
        bucket = decision.bucket
        allowed.append(decision.allowed)
    return allowed


def test_a_burst_of_five_then_refusal() -> None:
    assert take_many(7) == [True] * 5 + [False, False]


def test_one_more_every_two_seconds_after_the_burst() -> None:
    assert take_many(12, step=1.0) == [True] * 9 + [False, True, False]


def test_retry_after_says_when_the_next_token_comes() -> None:
    bucket = Bucket(tokens=0.25, updated=10.0)
    decision = bucket_take(bucket, now=10.0, burst=5, refill_seconds=2)
    assert not decision.allowed
    assert decision.retry_after == pytest.approx(1.5)


def test_an_idle_bucket_refills_only_up_to_the_burst() -> None:
    decision = bucket_take(Bucket(tokens=0, updated=0), now=3600, burst=5, refill_seconds=2)
    assert decision.bucket.tokens == 4


def test_a_clock_going_backwards_adds_nothing() -> None:
    decision = bucket_take(Bucket(tokens=0, updated=100), now=50, burst=5, refill_seconds=2)
    assert not decision.allowed


@pytest.mark.parametrize(
    ("last_sent", "now", "seconds", "wait"),
    [(None, 10, 30, 0), (0, 10, 30, 20), (0, 31, 30, 0), (5, 6, 0, 0)],
)
def test_slow_mode_wait(last_sent: float | None, now: float, seconds: int, wait: float) -> None:
    assert slow_mode_wait(last_sent, now=now, slow_mode_seconds=seconds) == wait


def test_the_module_needs_no_django() -> None:
    import subprocess
    import sys

    code = "import sys, chat.ratelimit; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
