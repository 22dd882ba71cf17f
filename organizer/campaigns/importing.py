"""Grievance lists as JSON files, in the format of the 2018 strike fixture.

Import checks the whole file and reports every problem with where it is (the JSON path, and
"section B, demand 4" for people), so that an organizer can fix a template in one go.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from organizer.campaigns.revisions import iter_demands
from organizer.campaigns.vocabulary import (
    TOPICS,
    is_jurisdiction,
    normalize_jurisdictions,
    normalize_text,
    normalize_topics,
    section_letter,
)

MAX_BYTES = 512 * 1024
# No grievance list nests deeper than an object in a list in an object in a list; the
# parser would recurse once per bracket, and a file of brackets would exhaust the stack.
MAX_DEPTH = 16
MAX_NUMBER_DIGITS = 18
MAX_SECTIONS = 52
MAX_DEMANDS = 200
MAX_DEMAND_CHARS = 5000
TOP_KEYS = {"source", "title", "preamble", "language", "sections", "revision", "sha256"}
SECTION_KEYS = {"letter", "title", "topics", "jurisdictions", "demands"}
DEMAND_KEYS = {"text", "topics", "jurisdictions"}


@dataclass
class ImportedDemand:
    text: str
    topics: list[str]
    jurisdictions: list[str]


@dataclass
class ImportedSection:
    title: str
    topics: list[str]
    demands: list[ImportedDemand] = field(default_factory=list)
    jurisdictions: list[str] = field(default_factory=list)  # for its demands that name none


@dataclass
class ImportedText:
    preamble: str
    sections: list[ImportedSection]
    title: str = ""
    language: str = ""


@dataclass(frozen=True)
class Problem:
    where: str  # a JSON path, e.g. sections[1].demands[3].topics[0]
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class GrievanceFileError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def parse_grievance_file(raw: bytes) -> ImportedText:
    if len(raw) > MAX_BYTES:
        raise GrievanceFileError([Problem("", _("The file is larger than 512 KB."))])
    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GrievanceFileError([Problem("", _("The file is not UTF-8 text."))]) from None
    if _nesting_depth(source) > MAX_DEPTH:
        message = ngettext(
            "The file nests lists or objects more than %(num)d level deep.",
            "The file nests lists or objects more than %(num)d levels deep.",
            MAX_DEPTH,
        )
        raise GrievanceFileError([Problem("", message)])
    try:
        data = json.loads(source, parse_int=_whole_number, parse_constant=_not_a_number)
    except json.JSONDecodeError as exc:
        message = _(
            "The file is not valid JSON: %(error)s at line %(line)d, column %(column)d.",
            error=exc.msg,
            line=exc.lineno,
            column=exc.colno,
        )
        raise GrievanceFileError([Problem("", message)]) from None
    return _Reader().read(data)


class _Unreadable:
    """A value JSON allows but no field takes (a huge number, NaN): the reader then reports
    it with its path, as it does any value of the wrong type."""


def _whole_number(digits: str) -> int | _Unreadable:
    return _Unreadable() if len(digits.lstrip("-")) > MAX_NUMBER_DIGITS else int(digits)


def _not_a_number(_name: str) -> _Unreadable:
    return _Unreadable()


def _nesting_depth(source: str) -> int:
    """The deepest bracket nesting outside strings, found without recursing."""
    depth = deepest = 0
    in_string = escaped = False
    for char in source:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _storable(value: str) -> bool:
    """Text a database can store: no NUL, no lone surrogate (JSON can spell both)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(value: Any) -> str:
    """A value from the file, safe to quote back in a message."""
    return str(value).encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\0")


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def read(self, data: Any) -> ImportedText:
        if not isinstance(data, dict):
            raise GrievanceFileError([Problem("", _("The file must hold one JSON object."))])
        self.unknown_keys(data, TOP_KEYS, "")
        text = ImportedText(
            preamble=self.string(data, "preamble", "", required=False),
            sections=[],
            title=self.string(data, "title", "", required=False),
            language=self.string(data, "language", "", required=False),
        )
        sections = data.get("sections")
        if not isinstance(sections, list) or not sections:
            self.fail("sections", _("There must be a list of sections, with at least one."))
            sections = []
        if len(sections) > MAX_SECTIONS:
            self.fail(
                "sections",
                ngettext(
                    "There is more than %(num)d section.",
                    "There are more than %(num)d sections.",
                    MAX_SECTIONS,
                ),
            )
        for index, section in enumerate(sections[:MAX_SECTIONS]):
            text.sections.append(self.section(section, index))
        total = sum(len(s.demands) for s in text.sections)
        if total > MAX_DEMANDS:
            self.fail(
                "sections",
                ngettext(
                    "There is more than %(num)d demand.",
                    "There are more than %(num)d demands.",
                    MAX_DEMANDS,
                ),
            )
        if self.problems:
            raise GrievanceFileError(self.problems)
        return text

    def section(self, data: Any, index: int) -> ImportedSection:
        where = f"sections[{index}]"
        letter = section_letter(index)
        if not isinstance(data, dict):
            self.fail(where, _("Section %(letter)s must be a JSON object.", letter=letter))
            return ImportedSection("", [])
        self.unknown_keys(data, SECTION_KEYS, where)
        given = data.get("letter")
        if given is not None and given != letter:
            self.fail(
                f"{where}.letter",
                _(
                    "This section is number %(position)d, so its letter is %(letter)s, "
                    "not “%(given)s”.",
                    position=index + 1,
                    letter=letter,
                    given=_shown(given),
                ),
            )
        section = ImportedSection(
            title=self.string(data, "title", where, limit=300),
            topics=self.topics(data, where),
            jurisdictions=self.jurisdictions(data, where),
        )
        demands = data.get("demands")
        if not isinstance(demands, list) or not demands:
            self.fail(
                f"{where}.demands",
                _("Section %(letter)s needs a list of demands, with at least one.", letter=letter),
            )
            demands = []
        for d_index, demand in enumerate(demands):
            section.demands.append(self.demand(demand, f"{where}.demands[{d_index}]"))
        return section

    def demand(self, data: Any, where: str) -> ImportedDemand:
        if not isinstance(data, dict):
            self.fail(where, _("A demand must be a JSON object with a “text”."))
            return ImportedDemand("", [], [])
        self.unknown_keys(data, DEMAND_KEYS, where)
        return ImportedDemand(
            text=self.string(data, "text", where, limit=MAX_DEMAND_CHARS),
            topics=self.topics(data, where),
            jurisdictions=self.jurisdictions(data, where),
        )

    def unknown_keys(self, data: dict[str, Any], allowed: set[str], where: str) -> None:
        for key in sorted(set(data) - allowed):
            self.fail(
                _shown(f"{where}.{key}" if where else key),
                _(
                    "“%(key)s” is not a known field here. Known fields: %(known)s.",
                    key=_shown(key),
                    known=", ".join(sorted(allowed)),
                ),
            )

    def string(
        self, data: dict[str, Any], key: str, where: str, required: bool = True, limit: int = 20000
    ) -> str:
        path = f"{where}.{key}" if where else key
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(path, _("This must be a text that is not empty."))
            return ""
        if not _storable(value):
            self.fail(path, _("This text contains a character that is not allowed."))
            return ""
        if len(value) > limit:
            self.fail(
                path,
                ngettext(
                    "This text is longer than %(num)d character.",
                    "This text is longer than %(num)d characters.",
                    limit,
                ),
            )
        return normalize_text(value)

    def topics(self, data: dict[str, Any], where: str) -> list[str]:
        values = self.string_list(data, "topics", where)
        for index, topic in enumerate(values):
            if topic not in TOPICS:
                self.fail(
                    f"{where}.topics[{index}]",
                    _(
                        "“%(topic)s” is not a topic. Topics are: %(known)s.",
                        topic=topic,
                        known=", ".join(TOPICS),
                    ),
                )
        return normalize_topics(values)

    def jurisdictions(self, data: dict[str, Any], where: str) -> list[str]:
        values = self.string_list(data, "jurisdictions", where)
        for index, code in enumerate(values):
            if not is_jurisdiction(code.strip().upper()):
                self.fail(
                    f"{where}.jurisdictions[{index}]",
                    _("“%(code)s” is neither an ISO 3166 country code nor EU.", code=code),
                )
        return normalize_jurisdictions(values)

    def string_list(self, data: dict[str, Any], key: str, where: str) -> list[str]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"{where}.{key}", _("This must be a list of texts."))
            return []
        if not all(_storable(v) for v in value):
            self.fail(f"{where}.{key}", _("This text contains a character that is not allowed."))
            return []
        return value


def export_snapshot(
    snapshot: dict[str, Any],
    title: str,
    language: str,
    revision: int | None = None,
    sha256: str | None = None,
) -> dict[str, Any]:
    """The fixture's format; a published revision also names its number and hash."""
    demands_by_section: dict[str, list[dict[str, Any]]] = {}
    for demand in iter_demands(snapshot):
        item: dict[str, Any] = {"text": demand.text, "topics": list(demand.topics)}
        if demand.jurisdictions:
            item["jurisdictions"] = list(demand.jurisdictions)
        demands_by_section.setdefault(demand.section_uid, []).append(item)
    document: dict[str, Any] = {
        "title": title,
        "preamble": snapshot["preamble"],
        "language": language,
    }
    if revision is not None:
        document["revision"] = revision
        document["sha256"] = sha256
    document["sections"] = [
        {
            "letter": section_letter(index),
            "title": section["title"],
            "topics": section["topics"],
            "demands": demands_by_section.get(section["uid"], []),
        }
        for index, section in enumerate(snapshot["sections"])
    ]
    return document
