"""What the audience builder offers for each filter, from the group's own data, and how a
chosen condition reads back as a sentence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel import Locale
from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from organizer.campaigns.models import Campaign, Revision
from organizer.events.models import Event
from organizer.extensions import db
from organizer.mailings.models import Mailing, MailingContent, MailingStatus
from organizer.signatures.models import Pledge
from organizer.supporters.audience import Condition
from organizer.supporters.models import Supporter, Tag

LABELS = {
    "campaign": _l("Signed the campaign"),
    "revision": _l("Signed the revision"),
    "country": _l("Lives in"),
    "language": _l("Speaks"),
    "pledge": _l("Committed to the pledge"),
    "event_going": _l("Is going to the screening"),
    "event_attended": _l("Attended the screening"),
    "joined_before": _l("Joined before"),
    "joined_after": _l("Joined after"),
    "tag": _l("Is tagged"),
    "mailing_received": _l("Received the mailing"),
}
DATE_KINDS = ("joined_before", "joined_after")


@dataclass(frozen=True)
class FilterRow:
    kind: str
    label: str
    choices: list[tuple[str, str]]  # empty for a date


def _locale() -> Locale:
    return Locale.parse(str(get_locale() or "en"))


def language_name(code: str) -> str:
    return _locale().languages.get(code, code)


def country_name(code: str) -> str:
    return _locale().territories.get(code.upper(), code)


def _campaigns(group_id: int) -> list[Campaign]:
    return list(
        db.session.scalars(
            select(Campaign).where(Campaign.group_id == group_id).order_by(Campaign.title)
        )
    )


def choices(group_id: int, mailing_id: int | None = None) -> dict[str, list[tuple[str, str]]]:
    campaigns = _campaigns(group_id)
    ids = [c.id for c in campaigns]
    title = {c.id: c.title for c in campaigns}
    revisions = db.session.scalars(
        select(Revision)
        .where(Revision.campaign_id.in_(ids), Revision.published_at.is_not(None))
        .order_by(Revision.campaign_id, Revision.number)
    )
    pledges = db.session.scalars(select(Pledge).where(Pledge.campaign_id.in_(ids)))
    events = db.session.scalars(
        select(Event).where(Event.campaign_id.in_(ids)).order_by(Event.starts_at)
    )
    tags = db.session.scalars(select(Tag).where(Tag.group_id == group_id).order_by(Tag.name))
    mailings = db.session.execute(
        select(Mailing.id, MailingContent.subject)
        .join(MailingContent, MailingContent.mailing_id == Mailing.id)
        .where(
            Mailing.group_id == group_id,
            Mailing.id != (mailing_id or 0),
            Mailing.status.in_(
                (
                    MailingStatus.SENDING,
                    MailingStatus.SENT,
                    MailingStatus.PAUSED,
                    MailingStatus.CANCELLED,
                )
            ),
        )
        .order_by(Mailing.id.desc(), MailingContent.id)
    ).all()
    seen: dict[int, str] = {}
    for mid, subject in mailings:
        seen.setdefault(mid, subject)
    countries, languages = _spoken(group_id)
    events_list = [(str(e.id), f"{e.title} ({title.get(e.campaign_id, '')})") for e in events]
    return {
        "campaign": [(str(c.id), c.title) for c in campaigns],
        "revision": [
            (
                str(r.id),
                str(
                    _l(
                        "%(title)s, revision %(number)s",
                        title=title[r.campaign_id],
                        number=r.number,
                    )
                ),
            )
            for r in revisions
        ],
        "country": sorted(((c, country_name(c)) for c in countries), key=lambda p: p[1]),
        "language": sorted(((c, language_name(c)) for c in languages), key=lambda p: p[1]),
        "pledge": [(str(p.id), p.text[:80]) for p in pledges],
        "event_going": events_list,
        "event_attended": events_list,
        "joined_before": [],
        "joined_after": [],
        "tag": [(str(t.id), t.name) for t in tags],
        "mailing_received": [(str(mid), subject or f"#{mid}") for mid, subject in seen.items()],
    }


def _spoken(group_id: int) -> tuple[list[str], list[str]]:
    countries = db.session.scalars(
        select(Supporter.country)
        .where(Supporter.group_id == group_id, Supporter.country.is_not(None))
        .distinct()
    )
    languages = db.session.scalars(
        select(Supporter.language).where(Supporter.group_id == group_id).distinct()
    )
    return [c for c in countries if c], [lang for lang in languages if lang]


def rows(group_id: int, mailing_id: int | None = None) -> list[FilterRow]:
    found = choices(group_id, mailing_id)
    return [
        FilterRow(kind, str(LABELS[kind]), found[kind])
        for kind in LABELS
        if kind in DATE_KINDS or found[kind]
    ]


def describe(condition: Condition, found: dict[str, list[tuple[str, str]]]) -> str:
    """ "Lives in France", "Joined before 1 March 2026"…"""
    if condition.kind in DATE_KINDS:
        value = format_date(date.fromisoformat(condition.value), "long")
    elif condition.kind == "country":
        value = country_name(condition.value)
    elif condition.kind == "language":
        value = language_name(condition.value)
    else:
        value = dict(found.get(condition.kind, [])).get(condition.value, f"#{condition.value}")
    return str(_l("%(filter)s: %(value)s", filter=LABELS[condition.kind], value=value))
