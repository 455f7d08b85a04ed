"""Every URL pattern of the site, walked from the URL configuration, with a concrete path.

The security suites use it so that a new URL is checked (CSRF, the authorisation matrix)
without anyone having to remember to add it.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()]|\([^()]*\))*)\)")
SAMPLES = {"int": "1", "slug": "sample", "str": "sample", "path": "sample", "uuid": ""}


@dataclass(frozen=True)
class UrlCase:
    """One URL pattern: its full route, its namespaced name (or ""), and a path that
    resolves to it with sample values (None when no sample fits)."""

    pattern: str
    path: str | None
    name: str = ""
    entry: URLPattern | None = None

    @property
    def key(self) -> str:
        """How tables refer to the pattern: its namespaced name, else its route."""
        return self.name or self.pattern


def _route_sample(match: re.Match[str], values: Mapping[str, str]) -> str:
    if match.group("name") in values:
        return values[match.group("name")]
    converter = match.group("converter") or "str"
    if converter == "uuid":
        return "12345678-1234-5678-1234-567812345678"
    return SAMPLES.get(converter, "sample")


def _regex_sample(match: re.Match[str], values: Mapping[str, str]) -> str:
    body = match.group("body")
    if match.group("name") in values and re.fullmatch(body, values[match.group("name")]):
        return values[match.group("name")]
    if re.fullmatch(r"[\w|-]+", body):  # an alternation of literals: take the first
        return body.split("|")[0]
    for candidate in ("1", "sample", "a-1", "abc"):
        if re.fullmatch(body, candidate):
            return candidate
    return "1"


def concrete_path(pattern: str, values: Mapping[str, str] | None = None) -> str:
    """A path that the pattern matches: `values` by parameter name, else sample values."""
    given = values or {}
    # Regex groups first: their `(?P<name>` would otherwise read as a route parameter.
    path = REGEX_GROUP.sub(lambda match: _regex_sample(match, given), pattern)
    path = ROUTE_PARAMETER.sub(lambda match: _route_sample(match, given), path)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path


def parameters(pattern: str) -> set[str]:
    """The names of a pattern's parameters (route converters and regex groups alike)."""
    names = {match.group("name") for match in REGEX_GROUP.finditer(pattern)}
    return names | {match.group("name") for match in ROUTE_PARAMETER.finditer(pattern)}


def resolves_to(path: str, entry: URLPattern) -> bool:
    """Whether `path` reaches `entry`'s view (and not an earlier pattern's)."""
    try:
        return resolve(path).func == entry.callback
    except Resolver404:
        return False


def url_cases() -> list[UrlCase]:
    """Every URL pattern of the site, recursively, each with a path that resolves to it."""
    cases = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
                continue
            pattern = prefix + str(entry.pattern)
            sample = concrete_path(pattern)
            path = sample if resolves_to(sample, entry) else None
            name = f"{namespace}{entry.name}" if entry.name else ""
            cases.append(UrlCase(pattern=pattern, path=path, name=name, entry=entry))

    walk(get_resolver().url_patterns, "", "")
    return cases
