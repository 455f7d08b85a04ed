"""Counts the security suites report at the end of a run (payloads tried, URLs checked).

Tests call `count_record`; the `pytest_terminal_summary` hook in tests/conftest.py prints
what this run recorded and writes it to artefacts/security-counts.txt.
"""

_COUNTS: dict[str, int] = {}


def count_record(name: str, value: int) -> None:
    """Add `value` to the count `name` for this run."""
    _COUNTS[name] = _COUNTS.get(name, 0) + value


def counts_recorded() -> dict[str, int]:
    """Every count recorded in this run, in the order first recorded."""
    return dict(_COUNTS)
