"""The fixed topic vocabulary, jurisdiction codes, and the text normalization hashes rely on."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import pycountry
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from organizer.i18n import territory_name

TOPICS: dict[str, LazyString] = {
    "privacy": _l("Privacy"),
    "consumer": _l("Consumer protection"),
    "competition": _l("Competition"),
    "elections": _l("Elections"),
    "transparency": _l("Transparency"),
    "online-safety": _l("Online safety"),
    "child-safety": _l("Child safety"),
    "telecom": _l("Telecoms"),
    "legislature": _l("Legislature"),
}

# "EU" stands for the 27 member states (DESIGN.md, regulators).
EU = "EU"


def country_name(code: str) -> str:
    """A jurisdiction's name in the reader's language ("EU" too: CLDR names it)."""
    return territory_name(code)


def is_jurisdiction(code: str) -> bool:
    return code == EU or pycountry.countries.get(alpha_2=code) is not None


def normalize_topics(topics: Iterable[str]) -> list[str]:
    """Vocabulary order, no duplicates: the same choice always hashes the same."""
    chosen = set(topics)
    return [topic for topic in TOPICS if topic in chosen]


def normalize_jurisdictions(codes: Iterable[str]) -> list[str]:
    return sorted({code.strip().upper() for code in codes if code.strip()})


def parse_jurisdictions(raw: str) -> list[str]:
    return normalize_jurisdictions(re.split(r"[\s,;]+", raw))


def normalize_text(text: str) -> str:
    """One spelling per text: NFC, Unix line ends, no trailing spaces, trimmed."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def section_letter(index: int) -> str:
    """A, B, … Z, then AA, AB, … like spreadsheet columns."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
