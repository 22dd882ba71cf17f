"""Our rows as OSDI resources (HAL+JSON dicts). The API's views and the webhooks' payloads
both come from here, through the pydantic models of organizer.api.schemas."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app
from sqlalchemy import String, Text, cast, select, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from organizer.api import schemas
from organizer.campaigns.models import Campaign
from organizer.campaigns.revisions import iter_sections, published_revision
from organizer.events.models import RSVP, Event, EventStatus, RSVPStatus, Visibility
from organizer.events.rsvp import places_taken
from organizer.extensions import db
from organizer.letters.models import Letter, Regulator
from organizer.mailings.models import Mailing
from organizer.mailings.services import report
from organizer.signatures.counting import totals
from organizer.signatures.models import Signature
from organizer.supporters.models import Supporter, SupporterStatus, Tag, Tagging
from organizer.urls import external_url

PREFIX = "/api/v2"
# Action Network's words for the email status.
EMAIL_STATUS = {
    SupporterStatus.SUBSCRIBED: "subscribed",
    SupporterStatus.UNSUBSCRIBED: "unsubscribed",
    SupporterStatus.BOUNCING: "bouncing",
    SupporterStatus.COMPLAINED: "spam complaint",
}
EVENT_STATUS = {
    EventStatus.PENDING: "tentative",
    EventStatus.APPROVED: "confirmed",
    EventStatus.COMPLETED: "confirmed",
    EventStatus.REJECTED: "cancelled",
    EventStatus.CANCELLED: "cancelled",
}
ATTENDANCE_STATUS = {
    RSVPStatus.PENDING: "needs action",
    RSVPStatus.GOING: "accepted",
    RSVPStatus.WAITLISTED: "tentative",
    RSVPStatus.CANCELLED: "declined",
}


def api_url(*parts: str) -> str:
    """Absolute, from BASE_URL: webhook payloads are built outside any request."""
    return current_app.config["BASE_URL"].rstrip("/") + PREFIX + "".join(f"/{p}" for p in parts)


def identifiers(public_id: str) -> list[str]:
    return [f"action_network:{public_id}"]


def _link(*parts: str) -> schemas.Link:
    return schemas.Link(href=api_url(*parts))


def _supporter_public_id(supporter_id: int | None) -> str | None:
    if supporter_id is None:
        return None
    # The views load a page's supporters first, so this is the identity map, not a query.
    supporter = db.session.get(Supporter, supporter_id)
    if supporter is None or supporter.erased_at is not None:
        return None
    return supporter.public_id


def split_name(name: str) -> tuple[str, str]:
    """Our one name field as OSDI's two: the first word, and the rest."""
    given, _space, family = name.strip().partition(" ")
    return given, family.strip()


def person_fields(s: Supporter) -> dict[str, Any]:
    """A person's fields for ``schemas.Person``."""
    given, family = split_name(s.name)
    here = api_url("people", s.public_id)
    email = [{"address": s.email, "status": EMAIL_STATUS[s.status]}] if s.email else []
    return {
        "identifiers": identifiers(s.public_id),
        "created_date": s.created_at,
        "modified_date": s.updated_at,
        "given_name": given,
        "family_name": family,
        "email_addresses": email,
        "postal_addresses": [{"postal_code": s.postal_code, "country": s.country}],
        "languages_spoken": [s.language],
        "custom_fields": s.custom_fields or {},
        "_links": {
            "self": {"href": here},
            "osdi:signatures": {"href": f"{here}/signatures"},
            "osdi:attendances": {"href": f"{here}/attendances"},
        },
    }


class utc_iso(FunctionElement[str]):
    """A timestamp as ``schemas.iso_z`` writes it (UTC, to the second, truncated, with a Z),
    written by the database: a page's 50 dates then cost Python neither a datetime nor its
    formatting."""

    type = String()
    inherit_cache = True
    name = "utc_iso"


@compiles(utc_iso, "postgresql")
def _utc_iso_postgresql(element: utc_iso, compiler: Any, **kw: Any) -> str:
    moment = compiler.process(element.clauses, **kw)
    return f"to_char({moment} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"


@compiles(utc_iso)
def _utc_iso_other(element: utc_iso, compiler: Any, **kw: Any) -> str:
    # SQLite keeps UTC timestamps as text without an offset.
    return f"strftime('%Y-%m-%dT%H:%M:%SZ', {compiler.process(element.clauses, **kw)})"


# What a person of a page shows: the API's pages of people read these columns and nothing
# else, in this order (person_page_item unpacks them): the status as its text, the custom
# fields as their JSON text and the dates as iso_z's text, so that a page builds no enum,
# decodes no JSON for the usual empty object, and formats no date.
PERSON_PAGE_COLUMNS: tuple[Any, ...] = (
    Supporter.id, Supporter.public_id, Supporter.name, Supporter.email,
    type_coerce(Supporter.status, String).label("status"), Supporter.postal_code,
    Supporter.country, Supporter.language,
    cast(Supporter.custom_fields, Text).label("custom_fields"),
    utc_iso(Supporter.created_at).label("created_at"),
    utc_iso(Supporter.updated_at).label("updated_at"),
)  # fmt: skip


def person_page_item(row: Any, people_url: str) -> dict[str, Any]:
    """A row of PERSON_PAGE_COLUMNS as ``schemas.Person`` dumps it (its aliases, its
    defaults, no None), ready for JSON: a page of 25 people is written without validating
    each through the model, which cost more than the rest of the page's Python.
    tests/api/test_person_page.py holds it equal to the model's dump."""
    (_id, public_id, name, email, status, postal_code, country, language, custom, created,
     modified) = row  # fmt: skip
    given, family = split_name(name)
    here = f"{people_url}/{public_id}"
    postal: dict[str, Any] = {"primary": True}
    if postal_code is not None:
        postal["postal_code"] = postal_code
    if country is not None:
        postal["country"] = country
    return {
        "identifiers": [f"action_network:{public_id}"],
        "created_date": created,
        "modified_date": modified,
        "_links": {
            "self": {"href": here},
            "osdi:signatures": {"href": f"{here}/signatures"},
            "osdi:attendances": {"href": f"{here}/attendances"},
        },
        "given_name": given,
        "family_name": family,
        "email_addresses": [
            {"address": email, "primary": True, "status": EMAIL_STATUS[status]}
        ] if email else [],
        "postal_addresses": [postal],
        "languages_spoken": [language],
        "custom_fields": _custom_fields(custom),
    }  # fmt: skip


def _custom_fields(text: str | None) -> Any:
    if not text or text == "{}":
        return {}
    return json.loads(text) or {}


def person(s: Supporter) -> dict[str, object]:
    return schemas.dump(schemas.Person.model_validate(person_fields(s)))


def tag(t: Tag) -> dict[str, object]:
    return schemas.dump(schemas.Tag(
        identifiers=identifiers(t.public_id), created_date=t.created_at,
        modified_date=t.updated_at, name=t.name,
        links={"self": _link("tags", t.public_id),
               "osdi:taggings": _link("tags", t.public_id, "taggings")},
    ))  # fmt: skip


def tagging(tg: Tagging) -> dict[str, object]:
    tag_row = db.session.get(Tag, tg.tag_id)
    assert tag_row is not None
    links = {
        "self": _link("tags", tag_row.public_id, "taggings", tg.public_id),
        "osdi:tag": _link("tags", tag_row.public_id),
    }
    person_id = _supporter_public_id(tg.supporter_id)
    if person_id is not None:
        links["osdi:person"] = _link("people", person_id)
    return schemas.dump(schemas.Tagging(
        identifiers=identifiers(tg.public_id), created_date=tg.created_at,
        modified_date=tg.created_at, links=links,
    ))  # fmt: skip


def petition_text(c: Campaign) -> str:
    revision = published_revision(c)
    if revision is None:
        return ""
    lines: list[str] = []
    for section in iter_sections(revision.snapshot):
        lines.append(f"{section.letter}. {section.title}")
        lines.extend(f"{d.label}. {d.text}" for d in section.demands)
    return "\n".join(lines)


def petition_targets(c: Campaign) -> list[str]:
    return list(db.session.scalars(
        select(Regulator.name).join(Letter, Letter.regulator_id == Regulator.id)
        .where(Letter.campaign_id == c.id).distinct().order_by(Regulator.name)
    ))  # fmt: skip


def petition(c: Campaign) -> dict[str, object]:
    pid = c.public_id
    return schemas.dump(schemas.Petition(
        identifiers=identifiers(pid), created_date=c.created_at, modified_date=c.updated_at,
        title=c.title, description=c.summary, petition_text=petition_text(c),
        target=[schemas.Target(name=name) for name in petition_targets(c)],
        total_signatures=totals(c.id, c.signature_goal).total,
        browser_url=external_url("campaigns.page", slug=c.slug), status=c.status.value,
        links={
            "self": _link("petitions", pid),
            "osdi:signatures": _link("petitions", pid, "signatures"),
            "osdi:record_signature_helper": _link("petitions", pid, "signatures"),
        },
    ))  # fmt: skip


def signature(sig: Signature) -> dict[str, object]:
    campaign_id = sig.campaign.public_id
    links = {
        "self": _link("petitions", campaign_id, "signatures", sig.public_id),
        "osdi:petition": _link("petitions", campaign_id),
    }
    person_id = _supporter_public_id(sig.supporter_id)
    if person_id is not None:
        links["osdi:person"] = _link("people", person_id)
    return schemas.dump(schemas.Signature(
        identifiers=identifiers(sig.public_id), created_date=sig.created_at,
        modified_date=sig.updated_at, status=sig.status.value, person_id=person_id,
        petition_id=campaign_id, referrer_data=schemas.ReferrerData(source=sig.source),
        links=links,
    ))  # fmt: skip


def _location(e: Event, full: bool) -> schemas.Location:
    coordinates = None
    if e.latitude is not None and e.longitude is not None:
        coordinates = schemas.Coordinates(latitude=e.latitude, longitude=e.longitude)
    street_shown = full or not e.hides_address
    return schemas.Location(
        venue=e.venue_name or None,
        address_lines=[e.street_address] if e.street_address and street_shown else None,
        locality=e.city or None, postal_code=e.postal_code or None, country=e.country or None,
        location=coordinates,
    )  # fmt: skip


def event(e: Event, full: bool = False) -> dict[str, object]:
    """``full``: for a token with the write scope, hidden addresses and online links too."""
    pid = e.public_id
    return schemas.dump(schemas.Event(
        identifiers=identifiers(pid), created_date=e.created_at, modified_date=e.updated_at,
        title=e.title, description=e.description, start_date=e.starts_at, end_date=e.ends_at,
        timezone=e.timezone, location=_location(e, full), status=EVENT_STATUS[e.status],
        capacity=e.capacity, total_accepted=places_taken(e),
        visibility="public" if e.visibility == Visibility.PUBLIC else "private",
        browser_url=external_url("events.detail", event_id=e.id),
        online_url=(e.online_link or None) if full else None,
        links={
            "self": _link("events", pid),
            "osdi:attendances": _link("events", pid, "attendances"),
            "osdi:record_attendance_helper": _link("events", pid, "attendances"),
        },
    ))  # fmt: skip


def attendance(r: RSVP) -> dict[str, object]:
    event_id = r.event.public_id
    links = {
        "self": _link("events", event_id, "attendances", r.public_id),
        "osdi:event": _link("events", event_id),
    }
    person_id = _supporter_public_id(r.supporter_id)
    if person_id is not None:
        links["osdi:person"] = _link("people", person_id)
    return schemas.dump(schemas.Attendance(
        identifiers=identifiers(r.public_id), created_date=r.created_at,
        modified_date=r.updated_at, status=ATTENDANCE_STATUS[r.status], person_id=person_id,
        event_id=event_id, referrer_data=schemas.ReferrerData(source=r.source), links=links,
    ))  # fmt: skip


def message(m: Mailing) -> dict[str, object]:
    content = min(m.contents, key=lambda c: c.id) if m.contents else None
    stats = report(m)
    return schemas.dump(schemas.Message(
        identifiers=identifiers(m.public_id), created_date=m.created_at,
        modified_date=m.updated_at, subject=content.subject if content else "",
        body=content.body_markdown if content else "", from_=m.from_name,
        reply_to=m.reply_to, status=m.status.value, sent_start_date=m.started_at,
        total_targeted=m.recipient_count,
        statistics=schemas.MessageStatistics(
            sent=stats.sent, failed=stats.failed, cancelled=stats.cancelled,
            bounced=stats.bounced, spam_reports=stats.complained,
            unsubscribed=stats.unsubscribed,
        ),
        links={"self": _link("messages", m.public_id)},
    ))  # fmt: skip
