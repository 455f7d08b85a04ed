"""The XSS corpus (tests/security/xss_payloads.txt) as Python strings."""

from functools import cache
from pathlib import Path

PAYLOADS_FILE = Path(__file__).with_name("xss_payloads.txt")
CONTROLS = {"{{NL}}": "\n", "{{CR}}": "\r", "{{TAB}}": "\t", "{{FF}}": "\f"}


def _is_comment(line: str) -> bool:
    return not line or line == "#" or line.startswith("# ")


@cache
def xss_payloads() -> tuple[str, ...]:
    """Every payload of the corpus, in file order, with control characters put back."""
    payloads = []
    for line in PAYLOADS_FILE.read_text(encoding="utf-8").split("\n"):
        if _is_comment(line):
            continue
        for token, character in CONTROLS.items():
            line = line.replace(token, character)
        payloads.append(line)
    return tuple(payloads)
