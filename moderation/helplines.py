"""Helpline data: read and check the shipped data file, and the shapes pages render.

Pure Python (no Django import), so the file can be checked anywhere, and the loader takes
the model class as an argument so the data migration can hand it a historical model. Which
rows a page shows is decided in ``moderation.selectors``; this module only knows the data.

Policy of the data file (see its ``_comment``): a wrong number is worse than none, so a
country whose lines the team was not sure of has an emergency number and no lines, and
pages then lead with the international directory.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

DATA_FILE = Path(__file__).resolve().parent / "data" / "helplines.json"

EMERGENCY_NAME = "Emergency services"
DIRECTORY_FALLBACK_NAME = "Find A Helpline"
DIRECTORY_FALLBACK_WEB = "https://findahelpline.com"
DIRECTORY_NOTE = "Free, confidential crisis lines in many countries, in one checked directory."

# Field lengths of moderation.models.Helpline: checked here so a load never fails half-way.
MAX_LENGTHS = {
    "country_name": 60,
    "name": 120,
    "phone_display": 40,
    "dial": 30,
    "sms": 120,
    "sms_number": 30,
    "sms_keyword": 30,
    "hours": 80,
    "languages": 80,
    "notes": 300,
}

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_DIAL = re.compile(r"^\+?[0-9*#]{3,20}$")
_EMERGENCY = re.compile(r"^[0-9]{2,6}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")

# Country names that read with "the" in running text ("in the Netherlands").
NAMES_WITH_THE = frozenset(
    {
        "Bahamas", "Central African Republic", "Czech Republic", "Dominican Republic",
        "Gambia", "Maldives", "Netherlands", "Philippines", "United Arab Emirates",
        "United Kingdom", "United States",
    }
)  # fmt: skip

# Names for the language codes the data file uses; any other code is shown as it is.
LANGUAGE_NAMES = {
    "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek", "en": "English",
    "es": "Spanish", "fi": "Finnish", "fr": "French", "he": "Hebrew", "hi": "Hindi",
    "is": "Icelandic", "it": "Italian", "ja": "Japanese", "ko": "Korean", "mi": "Māori",
    "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "sv": "Swedish",
    "th": "Thai", "tl": "Tagalog", "uk": "Ukrainian", "zh": "Chinese",
}  # fmt: skip


class HelplineDataError(ValueError):
    """The data file cannot be used; ``problems`` lists every reason, not just the first."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class HelplineEntry:
    """One crisis line, emergency number or directory, as stored and as shown."""

    country: str
    name: str
    country_name: str = ""
    phone_display: str = ""
    dial: str = ""
    sms: str = ""
    sms_number: str = ""
    sms_keyword: str = ""
    web_chat: str = ""
    web: str = ""
    hours: str = ""
    languages: tuple[str, ...] = ()
    is_emergency: bool = False
    source: str = ""
    last_checked: date | None = None
    notes: str = ""
    position: int = 0

    @property
    def kind(self) -> str:
        """``line``, ``emergency`` or ``directory`` (an international entry)."""
        if self.is_emergency:
            return "emergency"
        return "line" if self.country else "directory"

    @property
    def tel_href(self) -> str:
        # "#" ends a URI, so a dial string such as "*4141#" must escape it.
        return f"tel:{quote(self.dial, safe='+*')}" if self.dial else ""

    @property
    def sms_label(self) -> str:
        """What to show for texting: the file's own words, or "Text <number>"."""
        if not self.sms:
            return ""
        if self.sms.lower().startswith(("text ", "sms ")):
            return self.sms
        return f"Text {self.sms}"

    @property
    def sms_href(self) -> str:
        if not self.sms_number:
            return ""
        body = f"?body={quote(self.sms_keyword)}" if self.sms_keyword else ""
        return f"sms:{self.sms_number}{body}"

    @property
    def language_names(self) -> tuple[str, ...]:
        return tuple(LANGUAGE_NAMES.get(code, code) for code in self.languages)

    def model_fields(self) -> dict[str, Any]:
        """The values of a ``moderation.models.Helpline`` row."""
        return {
            "country": self.country,
            "country_name": self.country_name,
            "name": self.name,
            "phone_display": self.phone_display,
            "dial": self.dial,
            "sms": self.sms,
            "sms_number": self.sms_number,
            "sms_keyword": self.sms_keyword,
            "web_chat": self.web_chat,
            "web": self.web,
            "hours": self.hours,
            "languages": ",".join(self.languages),
            "is_emergency": self.is_emergency,
            "source": self.source,
            "last_checked": self.last_checked,
            "notes": self.notes,
            "position": self.position,
        }

    @classmethod
    def from_row(cls, row: Any) -> HelplineEntry:
        """From a ``Helpline`` model row (or anything with the same attributes)."""
        return cls(
            country=row.country,
            country_name=row.country_name,
            name=row.name,
            phone_display=row.phone_display,
            dial=row.dial,
            sms=row.sms,
            sms_number=row.sms_number,
            sms_keyword=row.sms_keyword,
            web_chat=row.web_chat,
            web=row.web,
            hours=row.hours,
            languages=tuple(code for code in row.languages.split(",") if code),
            is_emergency=row.is_emergency,
            source=row.source,
            last_checked=row.last_checked,
            notes=row.notes,
            position=row.position,
        )

    def as_frame_resource(self) -> dict[str, str]:
        """JSON for the chat ``support`` frame: what to show and tap, nothing internal."""
        return {
            "kind": self.kind,
            "name": self.name,
            "phone_display": self.phone_display,
            "dial": self.dial,
            "tel": self.tel_href,
            "sms": self.sms_label,
            "sms_href": self.sms_href,
            "web_chat": self.web_chat,
            "web": self.web,
            "hours": self.hours,
            "notes": self.notes,
        }


DIRECTORY_FALLBACK = HelplineEntry(
    country="",
    name=DIRECTORY_FALLBACK_NAME,
    web=DIRECTORY_FALLBACK_WEB,
    source=DIRECTORY_FALLBACK_WEB,
    notes=DIRECTORY_NOTE,
)


@dataclass(frozen=True)
class HelplineSet:
    """What a page or the chat ``support`` frame shows for one region.

    ``country`` is "" when the region is unknown to the data: then ``lines`` is empty,
    ``emergency`` is None and the international directory is the main option.
    """

    country: str = ""
    country_name: str = ""
    lines: tuple[HelplineEntry, ...] = ()
    emergency: HelplineEntry | None = None
    international: tuple[HelplineEntry, ...] = (DIRECTORY_FALLBACK,)

    @property
    def place(self) -> str:
        """The country's name as it reads after "in": "in the United Kingdom"."""
        if self.country_name in NAMES_WITH_THE:
            return f"the {self.country_name}"
        return self.country_name

    @property
    def is_international(self) -> bool:
        return not self.country

    @property
    def directory(self) -> HelplineEntry:
        """The international directory to send people to when no line fits."""
        return next((entry for entry in self.international if entry.web), DIRECTORY_FALLBACK)

    @property
    def entries(self) -> tuple[HelplineEntry, ...]:
        """Everything, in the order the support card shows it."""
        emergency = (self.emergency,) if self.emergency is not None else ()
        return (*self.lines, *emergency, *self.international)

    def as_frame_resources(self) -> list[dict[str, str]]:
        """The ``resources`` list of the chat ``support`` frame (JSON, no ids)."""
        return [entry.as_frame_resource() for entry in self.entries]


# --- Reading the data file --------------------------------------------------------------


@dataclass(frozen=True)
class HelplineData:
    """The checked content of the data file: every row it holds, in file order."""

    version: date
    entries: tuple[HelplineEntry, ...]

    @property
    def countries(self) -> dict[str, str]:
        """Country code to name, for every country in the file."""
        return {entry.country: entry.country_name for entry in self.entries if entry.country}


@cache
def helplines_shipped() -> HelplineData:
    """The shipped data file, read once: what pages fall back on when the database fails."""
    return helplines_read()


def helplines_read(path: Path = DATA_FILE) -> HelplineData:
    """Read and check the data file; raise ``HelplineDataError`` listing every problem."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise HelplineDataError([f"{path}: {error}"]) from error
    return helplines_parse(raw)


def helplines_parse(raw: Any) -> HelplineData:
    """Check decoded data-file content and turn it into rows (emergency numbers included)."""
    checker = _Checker()
    if not isinstance(raw, Mapping):
        raise HelplineDataError(["the file must hold a JSON object"])
    version = checker.iso_date(raw.get("version"), "version") or date.min
    entries: list[HelplineEntry] = []
    international = raw.get("international")
    if isinstance(international, Mapping):
        entries.append(checker.international(international, version))
    else:
        checker.problem("international: missing")
    countries = raw.get("countries")
    if not isinstance(countries, list) or not countries:
        checker.problem("countries: must be a non-empty list")
        countries = []
    seen: set[str] = set()
    for index, country in enumerate(countries):
        where = f"countries[{index}]"
        if not isinstance(country, Mapping):
            checker.problem(f"{where}: must be an object")
            continue
        code = country.get("country")
        if isinstance(code, str) and code in seen:
            checker.problem(f"{where}: {code} appears twice")
        seen.add(str(code))
        entries.extend(checker.country(country, where, version))
    keys = [_key(entry) for entry in entries]
    for key in {key for key in keys if keys.count(key) > 1}:
        checker.problem(f"{key}: two entries with the same country, name and number")
    checker.raise_if_any()
    return HelplineData(version=version, entries=tuple(entries))


def _key(entry: HelplineEntry) -> tuple[str, bool, str, str]:
    # Names repeat within a country (TelefonSeelsorge has three numbers), so the number counts.
    return (entry.country, entry.is_emergency, entry.name, entry.dial)


class _Checker:
    """Collects every problem in the file, so one run shows all that needs fixing."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def raise_if_any(self) -> None:
        if self.problems:
            raise HelplineDataError(self.problems)

    def text(self, value: Any, where: str, *, required: bool = False, limit: str = "") -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.problem(f"{where}: must be text")
            return ""
        value = value.strip()
        if required and not value:
            self.problem(f"{where}: missing")
        if limit and len(value) > MAX_LENGTHS[limit]:
            self.problem(f"{where}: longer than {MAX_LENGTHS[limit]} characters")
        return value

    def url(self, value: Any, where: str, *, required: bool = False) -> str:
        text = self.text(value, where, required=required)
        if text and not re.match(r"^https://[^\s/]+\.[^\s]+$", text):
            self.problem(f"{where}: must be an https:// address")
        return text

    def iso_date(self, value: Any, where: str) -> date | None:
        if not isinstance(value, str):
            self.problem(f"{where}: must be a date (YYYY-MM-DD)")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problem(f"{where}: {value!r} is not a date (YYYY-MM-DD)")
            return None

    def international(self, raw: Mapping[str, Any], version: date) -> HelplineEntry:
        where = "international"
        web = self.url(raw.get("web"), f"{where}.web", required=True)
        return HelplineEntry(
            country="",
            name=self.text(raw.get("name"), f"{where}.name", required=True, limit="name"),
            web=web,
            source=self.url(raw.get("source"), f"{where}.source") or web,
            # The file's "note" is written for maintainers; people see this instead.
            notes=DIRECTORY_NOTE,
            last_checked=self._checked(raw, where, version),
        )

    def country(self, raw: Mapping[str, Any], where: str, version: date) -> Iterable[HelplineEntry]:
        code = self.text(raw.get("country"), f"{where}.country", required=True)
        if code and not _COUNTRY.match(code):
            self.problem(f"{where}.country: {code!r} is not an ISO 3166 code such as GB")
        where = f"{where} ({code})"
        name = self.text(
            raw.get("country_name"), f"{where}.country_name", required=True, limit="country_name"
        )
        emergency = self.text(raw.get("emergency"), f"{where}.emergency", required=True)
        if emergency and not _EMERGENCY.match(emergency):
            self.problem(f"{where}.emergency: {emergency!r} is not a short number")
        lines = raw.get("lines")
        if not isinstance(lines, list):
            self.problem(f"{where}.lines: must be a list (empty when unsure)")
            lines = []
        for position, line in enumerate(lines):
            if isinstance(line, Mapping):
                yield self.line(line, f"{where}.lines[{position}]", code, name, position)
            else:
                self.problem(f"{where}.lines[{position}]: must be an object")
        if emergency:
            # The file dates its emergency numbers only through its version.
            yield HelplineEntry(
                country=code,
                country_name=name,
                name=EMERGENCY_NAME,
                phone_display=emergency,
                dial=emergency,
                hours="24/7",
                is_emergency=True,
                notes=self.text(
                    raw.get("emergency_notes"), f"{where}.emergency_notes", limit="notes"
                ),
                last_checked=self._checked(raw, where, version),
            )

    def line(
        self, raw: Mapping[str, Any], where: str, country: str, country_name: str, position: int
    ) -> HelplineEntry:
        name = self.text(raw.get("name"), f"{where}.name", required=True, limit="name")
        where = f"{where} {name!r}"
        phone_display = self.text(
            raw.get("phone_display"), f"{where}.phone_display", limit="phone_display"
        )
        dial = self.text(raw.get("dial"), f"{where}.dial", limit="dial")
        if bool(phone_display) != bool(dial):
            self.problem(f"{where}: phone_display and dial go together")
        if dial and not _DIAL.match(dial):
            self.problem(f"{where}.dial: {dial!r} must be digits (with + * # only)")
        # A typo between what is shown and what is dialled would send people elsewhere.
        if dial and re.sub(r"[^0-9*#+]", "", phone_display) != dial:
            self.problem(f"{where}: phone_display {phone_display!r} does not match dial {dial!r}")
        sms = sms_number = sms_keyword = ""
        raw_sms = raw.get("sms")
        if isinstance(raw_sms, Mapping):
            sms = self.text(
                raw_sms.get("display"), f"{where}.sms.display", required=True, limit="sms"
            )
            sms_number = self.text(
                raw_sms.get("number"), f"{where}.sms.number", required=True, limit="sms_number"
            )
            sms_keyword = self.text(
                raw_sms.get("keyword"), f"{where}.sms.keyword", limit="sms_keyword"
            )
            if sms_number and not sms_number.isdigit():
                self.problem(f"{where}.sms.number: {sms_number!r} must be digits")
        elif raw_sms is not None:
            self.problem(f"{where}.sms: must be null or an object")
        web_chat = self.url(raw.get("web_chat"), f"{where}.web_chat")
        if not (dial or sms_number or web_chat):
            self.problem(f"{where}: needs a way to get in touch (phone, text or web chat)")
        languages = raw.get("languages") or []
        if not isinstance(languages, list) or not all(
            isinstance(code, str) and _LANGUAGE.match(code) for code in languages
        ):
            self.problem(f"{where}.languages: must be a list of language codes such as 'en'")
            languages = []
        elif len(",".join(languages)) > MAX_LENGTHS["languages"]:
            self.problem(f"{where}.languages: too many")
        return HelplineEntry(
            country=country,
            country_name=country_name,
            name=name,
            phone_display=phone_display,
            dial=dial,
            sms=sms,
            sms_number=sms_number,
            sms_keyword=sms_keyword,
            web_chat=web_chat,
            web=self.url(raw.get("web"), f"{where}.web"),
            hours=self.text(raw.get("hours"), f"{where}.hours", limit="hours"),
            languages=tuple(languages),
            source=self.url(raw.get("source"), f"{where}.source", required=True),
            last_checked=self.iso_date(raw.get("last_checked"), f"{where}.last_checked"),
            notes=self.text(raw.get("notes"), f"{where}.notes", limit="notes"),
            position=position,
        )

    def _checked(self, raw: Mapping[str, Any], where: str, version: date) -> date | None:
        if raw.get("last_checked") is None:
            return version if version != date.min else None
        return self.iso_date(raw["last_checked"], f"{where}.last_checked")


# --- Writing rows -----------------------------------------------------------------------


@dataclass(frozen=True)
class SyncResult:
    created: int
    updated: int
    removed: int
    kept: int


def helplines_sync(model: Any, data: HelplineData) -> SyncResult:
    """Make the rows marked ``from_data_file`` match ``data`` exactly; leave the others alone.

    Rows added in the admin (``from_data_file`` false) are never touched; a row the file no
    longer holds is deleted, because the team removes an entry when it stops being sure of
    it. Takes the model class so the data migration can pass its historical model; the
    caller owns the transaction. Running it twice changes nothing the second time.
    """
    # A historical model lacks fields added by later migrations: write only what it has.
    columns = {column.name for column in model._meta.get_fields()}
    existing: dict[tuple[str, bool, str, str], Any] = {}
    removed = 0
    for row in model.objects.filter(from_data_file=True).order_by("pk"):
        key = (row.country, row.is_emergency, row.name, row.dial)
        if key in existing:
            row.delete()
            removed += 1
        else:
            existing[key] = row
    created = updated = 0
    for entry in data.entries:
        values = {name: value for name, value in entry.model_fields().items() if name in columns}
        row = existing.pop(_key(entry), None)
        if row is None:
            model.objects.create(from_data_file=True, **values)
            created += 1
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
            updated += 1
    for row in existing.values():
        row.delete()
        removed += 1
    kept = model.objects.filter(from_data_file=False).count()
    return SyncResult(created=created, updated=updated, removed=removed, kept=kept)


# --- Regions ----------------------------------------------------------------------------

# A bare language tag names a country only where the language is a national language of
# that one country: "de" could be Germany, Austria or Switzerland, so it names none, and
# the visitor sees the international directory and the country picker instead.
SINGLE_COUNTRY_LANGUAGES = {
    "cs": "CZ", "da": "DK", "et": "EE", "fi": "FI", "he": "IL", "hu": "HU", "is": "IS",
    "ja": "JP", "ko": "KR", "lb": "LU", "nb": "NO", "nn": "NO", "no": "NO", "pl": "PL",
    "th": "TH", "uk": "UA",
}  # fmt: skip


def region_from_accept_language(header: str) -> str:
    """The country the browser's preferred language points to ("en-GB" gives GB), or "".

    Only the most preferred language counts (with its own regional variants): browsers
    often append "en-US" as a fallback, which says nothing about where someone is.
    """
    weighted: list[tuple[float, int, list[str]]] = []
    for index, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.partition(";")
        tag = tag.strip().lower().replace("_", "-")
        quality = 1.0
        match = re.search(r"q=([0-9.]+)", params)
        if match:
            try:
                quality = float(match.group(1))
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, index, tag.split("-")))
    if not weighted:
        return ""
    ordered = [subtags for _, _, subtags in sorted(weighted)]
    language = ordered[0][0]
    for subtags in ordered:
        if subtags[0] != language:
            continue
        # language[-script][-region]: the region is a two-letter subtag right after them.
        for subtag in subtags[1:3]:
            if len(subtag) == 2 and subtag.isalpha():
                return subtag.upper()
    return SINGLE_COUNTRY_LANGUAGES.get(language, "")


def country_code_clean(value: object) -> str:
    """An ISO country code in upper case, or "" for anything else."""
    if not isinstance(value, str):
        return ""
    value = value.strip().upper()
    return value if _COUNTRY.match(value) else ""
