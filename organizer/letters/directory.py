"""The directory of bodies: the CSV import (idempotent, line-numbered errors) and admin edits."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any

import pycountry
from flask_babel import gettext as _
from sqlalchemy import select

from organizer.campaigns.vocabulary import TOPICS, is_jurisdiction, normalize_topics
from organizer.extensions import db
from organizer.letters.models import BodyKind, Regulator

COLUMNS = ("slug", "name", "acronym", "kind", "jurisdiction", "topics", "website", "languages")
OPTIONAL_COLUMNS = ("contact_email", "postal_address", "web_form_url")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class DirectoryError(ValueError):
    """A body's details the directory refuses; the message is for the person."""


@dataclass(frozen=True)
class BodyDetails:
    slug: str
    name: str
    kind: BodyKind
    jurisdictions: list[str]
    topics: list[str]
    acronym: str = ""
    website: str = ""
    languages: list[str] = field(default_factory=list)
    # None: leave what an admin recorded; the fixture carries no contact details.
    contact_email: str | None = None
    postal_address: str | None = None
    web_form_url: str | None = None


def _split(raw: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,\s]+", raw or "") if part.strip()]


def _check_url(url: str, what: str, problems: list[str]) -> None:
    if url and not re.match(r"^https?://[^\s/]+\.[^\s]+$", url):
        problems.append(_("%(what)s must be a web address starting with https://.", what=what))


def parse_details(raw: dict[str, Any]) -> BodyDetails:
    """Validate one body's fields (from a CSV row or a form); raise with every problem found."""
    problems: list[str] = []
    slug = (raw.get("slug") or "").strip().lower()
    if not SLUG_RE.match(slug) or len(slug) > 80:
        problems.append(_("The slug must be lowercase letters, digits and hyphens."))
    name = (raw.get("name") or "").strip()
    if not name or len(name) > 300:
        problems.append(_("The name is missing or too long."))
    kind_raw = (raw.get("kind") or "").strip()
    if kind_raw not in {k.value for k in BodyKind}:
        problems.append(
            _("The kind must be regulator or legislature, not “%(kind)s”.", kind=kind_raw)
        )
    jurisdictions = sorted({code.upper() for code in _split(raw.get("jurisdiction", ""))})
    bad_places = [code for code in jurisdictions if not is_jurisdiction(code)]
    if not jurisdictions or bad_places:
        problems.append(_("Unknown jurisdiction: %(codes)s.", codes=", ".join(bad_places) or "-"))
    topics = _split(raw.get("topics", ""))
    bad_topics = [topic for topic in topics if topic not in TOPICS]
    if not topics or bad_topics:
        problems.append(_("Unknown topic: %(topics)s.", topics=", ".join(bad_topics) or "-"))
    languages = [code.lower() for code in _split(raw.get("languages", ""))]
    bad_languages = [c for c in languages if pycountry.languages.get(alpha_2=c) is None]
    if bad_languages:
        problems.append(_("Unknown language: %(codes)s.", codes=", ".join(bad_languages)))
    website = (raw.get("website") or "").strip()
    _check_url(website, _("The website"), problems)
    web_form_url = raw.get("web_form_url")
    if web_form_url is not None:
        web_form_url = web_form_url.strip()
        _check_url(web_form_url, _("The web form"), problems)
    contact_email = raw.get("contact_email")
    if contact_email is not None:
        contact_email = contact_email.strip().lower()
        if contact_email and not EMAIL_RE.match(contact_email):
            problems.append(_("The contact email is not an email address."))
    if problems:
        raise DirectoryError(" ".join(problems))
    postal = raw.get("postal_address")
    return BodyDetails(
        slug=slug,
        name=name,
        kind=BodyKind(kind_raw),
        jurisdictions=jurisdictions,
        topics=normalize_topics(topics),
        acronym=(raw.get("acronym") or "").strip()[:40],
        website=website,
        languages=list(dict.fromkeys(languages)),
        contact_email=contact_email,
        postal_address=postal.strip() if postal is not None else None,
        web_form_url=web_form_url,
    )


def get(slug: str) -> Regulator | None:
    return db.session.scalar(select(Regulator).where(Regulator.slug == slug))


def all_bodies() -> list[Regulator]:
    return list(db.session.scalars(select(Regulator).order_by(Regulator.name)))


def _apply(regulator: Regulator, details: BodyDetails) -> bool:
    """Set the given fields; True when something changed."""
    changed = False
    for name, value in asdict(details).items():
        if value is None:
            continue  # not given: keep what is recorded
        if name == "contact_email":
            value = value or None
        if getattr(regulator, name) != value:
            setattr(regulator, name, value)
            changed = True
    return changed


def save(details: BodyDetails, existing: Regulator | None = None) -> Regulator:
    """Create a body, or update ``existing`` (an admin edit); slugs stay unique."""
    clash = get(details.slug)
    if clash is not None and clash is not existing:
        raise DirectoryError(_("Another body already uses the slug “%(slug)s”.", slug=details.slug))
    regulator = existing or Regulator(slug=details.slug)
    if existing is None:
        db.session.add(regulator)
    _apply(regulator, details)
    db.session.flush()
    return regulator


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)


def import_csv(text: str) -> ImportReport:
    """Create or update one body per valid row; malformed rows are rejected with their line."""
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        report.errors.append((1, _("Missing columns: %(columns)s.", columns=", ".join(missing))))
        return report
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num
        if None in row:
            report.errors.append((line, _("This row has more fields than the header.")))
            continue
        raw = {k: v for k, v in row.items() if k in COLUMNS or (k in OPTIONAL_COLUMNS and v)}
        try:
            details = parse_details(raw)
        except DirectoryError as exc:
            report.errors.append((line, str(exc)))
            continue
        if details.slug in seen:
            report.errors.append((line, _("The slug %(slug)s appears twice.", slug=details.slug)))
            continue
        seen.add(details.slug)
        _import_one(details, report)
    db.session.flush()
    return report


def _import_one(details: BodyDetails, report: ImportReport) -> None:
    regulator = get(details.slug)
    if regulator is None:
        regulator = Regulator(slug=details.slug)
        db.session.add(regulator)
        _apply(regulator, details)
        report.created.append(details.slug)
    elif _apply(regulator, details):
        report.updated.append(details.slug)
    else:
        report.unchanged.append(details.slug)


def bundled_csv() -> str:
    return (
        resources.files("organizer.letters").joinpath("data", "regulators.csv").read_text("utf-8")
    )


def import_bundled() -> ImportReport:
    return import_csv(bundled_csv())


def by_slugs(slugs: Iterable[str]) -> dict[str, Regulator]:
    wanted = list(slugs)
    if not wanted:
        return {}
    found = db.session.scalars(select(Regulator).where(Regulator.slug.in_(wanted)))
    return {regulator.slug: regulator for regulator in found}
