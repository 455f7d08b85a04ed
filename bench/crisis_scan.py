"""Benchmark the crisis detector against a regex alternation of the same lexicon.

Prints two lines:
    BENCH crisis_scan throughput_mb_s=<v> baseline=<v> ratio=<v>
    BENCH crisis_scan p99_ms=<v> baseline=<v> ratio=<v>
The baseline is one compiled ``re`` alternation of every lexicon phrase (word boundaries,
case-insensitive) scanning the same 1,000-character messages in the same run. It only finds
phrases: no normalisation and no context, so it does less work than ``assess``.
"""

from __future__ import annotations

import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from moderation.crisis import assess, default_lexicon  # noqa: E402 - needs ROOT on sys.path
from moderation.crisis.patterns import GAP, GAP_WORDS  # noqa: E402

MESSAGE_LENGTH = 1_000
MESSAGES = 2_000
ROUNDS = 3

BENIGN = [
    "Had a long day at work but the walk home along the river helped a lot.",
    "Does anyone have tips for sleeping better? I keep waking up at 4am.",
    "My therapist suggested journaling and honestly it is starting to help.",
    "Took my pills this morning and went for a run, small wins.",
    "The bridge club on Thursdays keeps me social, we played until late tonight.",
    "This traffic is killing me, I'd kill for a coffee right now.",
    "Thank you all for the kind replies yesterday, it meant so much to me.",
    "Cooking a big pot of soup for the week, chopping veg with a new knife.",
]
CRISIS = [
    "I don't want to be here anymore, everyone would be better off without me.",
    "I want to k1ll mys3lf and I have the pills ready for tonight 💊",
    "i keep thinking about ending it, suicidal thoughts all day",
    "> I want to die — please talk to us, we are here for you.",
    "I've been cutting again and I can't stop.",
    "this is my goodbye letter, thank you for everything",
]


def build_messages(seed: int = 7) -> list[str]:
    """A repeatable mix of 1,000-character messages, about a quarter with crisis text."""
    chooser = random.Random(seed)
    messages = []
    for index in range(MESSAGES):
        parts: list[str] = []
        if index % 4 == 0:
            parts.append(chooser.choice(CRISIS))
        while sum(len(part) + 1 for part in parts) < MESSAGE_LENGTH:
            parts.append(chooser.choice(BENIGN))
        chooser.shuffle(parts)
        messages.append(" ".join(parts)[:MESSAGE_LENGTH])
    return messages


def build_baseline() -> re.Pattern[str]:
    """One regex alternation of every lexicon phrase pattern, longest first."""
    phrases = sorted({entry.phrase for entry in default_lexicon().entries}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(pattern_regex, phrases)) + r")\b", re.I)


def pattern_regex(pattern: str) -> str:
    """A lexicon pattern (patterns.py) as a regex: groups, optional words and gaps."""
    regex = []
    for token in re.split(r"(\([^()]*\)|\[[^\[\]]*\]|\.\.\.)", pattern):
        if token == GAP:
            regex.append(rf"(?:\W+\w+){{0,{GAP_WORDS}}}?")
        elif token.startswith("("):
            regex.append("(?:" + "|".join(map(re.escape, token[1:-1].split("|"))) + ")")
        elif token.startswith("["):
            regex.append("(?:(?:" + "|".join(map(re.escape, token[1:-1].split("|"))) + r")\s*)?")
        else:
            regex.append(re.escape(token))
    return "".join(regex)


def timed(scan: Callable[[str], object], messages: list[str], label: str) -> list[list[float]]:
    """Seconds per message in each of ROUNDS passes, reporting progress on stderr."""
    rounds: list[list[float]] = []
    for round_number in range(1, ROUNDS + 1):
        durations = []
        for message in messages:
            started = time.perf_counter()
            scan(message)
            durations.append(time.perf_counter() - started)
        rounds.append(durations)
        sys.stderr.write(f"{label}: round {round_number}/{ROUNDS} done\n")
    return rounds


def host_speed() -> float:
    """Seconds for a fixed pure-Python loop: how fast this host runs Python right now.

    Shared hosts change speed under other tenants' load; printed beside the figures so two
    runs can be compared (the ratios to the baseline do not depend on it).
    """
    started = time.perf_counter()
    total = 0
    for number in range(3_000_000):
        total += number
    return time.perf_counter() - started


def best_per_message(rounds: list[list[float]]) -> list[float]:
    """Each message's fastest pass: its own cost, without the host's scheduling pauses."""
    return [min(times) for times in zip(*rounds, strict=True)]


def p99(durations: list[float]) -> float:
    """The 99th percentile of ``durations``."""
    ordered = sorted(durations)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main() -> int:
    """Run both scanners on the same messages and print the BENCH lines."""
    messages = build_messages()
    sys.stderr.write(f"crisis_scan: {len(messages)} messages of {MESSAGE_LENGTH} characters\n")
    assess(messages[0])  # build the default lexicon outside the timings
    baseline = build_baseline()
    baseline.findall(messages[0])
    speed_before = host_speed()
    detector_rounds = timed(assess, messages, "assess")
    speed_after = host_speed()
    baseline_rounds = timed(baseline.findall, messages, "regex alternation")
    megabytes = len(messages) * ROUNDS * MESSAGE_LENGTH / 1_000_000
    detector_throughput = megabytes / sum(map(sum, detector_rounds))
    baseline_throughput = megabytes / sum(map(sum, baseline_rounds))
    detector_p99 = p99(best_per_message(detector_rounds)) * 1000
    baseline_p99 = p99(best_per_message(baseline_rounds)) * 1000
    every_call_p99 = p99([time for times in detector_rounds for time in times]) * 1000
    sys.stderr.write(f"assess p99 over every call, host pauses included: {every_call_p99:.4f} ms\n")
    sys.stderr.write(
        f"host speed: calibration loop {speed_before:.3f} s before, {speed_after:.3f} s after "
        "the detector's passes (compare runs at the same host speed)\n"
    )
    print(
        f"BENCH crisis_scan throughput_mb_s={detector_throughput:.3f} "
        f"baseline={baseline_throughput:.3f} ratio={detector_throughput / baseline_throughput:.2f}"
    )
    print(
        f"BENCH crisis_scan p99_ms={detector_p99:.4f} baseline={baseline_p99:.4f} "
        f"ratio={baseline_p99 / detector_p99:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
