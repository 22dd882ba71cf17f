"""Finding screenings: the public listings with their filters, a host's own events, the
organizers' queue, and the roll-up of reports shown on the campaign page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, func, select

from organizer.accounts.models import User
from organizer.campaigns.models import Campaign
from organizer.dates import start_of_next_day
from organizer.events import clock
from organizer.events.models import Event, EventMode, EventReport, EventStatus, Visibility
from organizer.extensions import db

UPCOMING_LIMIT = 100
PAST_LIMIT = 30
LISTED = (EventStatus.APPROVED, EventStatus.COMPLETED)


@dataclass(frozen=True)
class Filters:
    country: str = ""
    city: str = ""
    mode: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @property
    def active(self) -> bool:
        return bool(self.country or self.city or self.mode or self.date_from or self.date_to)


def _listed(campaign: Campaign | None) -> Select[Event]:
    statement = (
        select(Event)
        .join(Campaign, Campaign.id == Event.campaign_id)
        .where(
            Event.status.in_(LISTED),
            Event.visibility == Visibility.PUBLIC,
            Campaign.first_published_at.is_not(None),
        )
    )
    if campaign is not None:
        statement = statement.where(Event.campaign_id == campaign.id)
    return statement


def _filtered(statement: Select[Event], filters: Filters) -> Select[Event]:
    if filters.country:
        statement = statement.where(Event.country == filters.country.upper())
    if filters.city.strip():
        statement = statement.where(func.lower(Event.city) == filters.city.strip().lower())
    if filters.mode in {m.value for m in EventMode}:
        statement = statement.where(Event.mode == EventMode(filters.mode))
    if filters.date_from:
        statement = statement.where(Event.starts_at >= _midnight(filters.date_from))
    if filters.date_to:
        statement = statement.where(Event.starts_at < start_of_next_day(filters.date_to))
    return statement


def _midnight(day: date) -> datetime:
    # A day with no place attached is read in UTC; a screening's own day may differ by hours.
    return datetime.combine(day, time(), tzinfo=UTC)


def upcoming(campaign: Campaign | None, filters: Filters) -> list[Event]:
    statement = _filtered(_listed(campaign), filters).where(Event.ends_at > clock.now())
    statement = statement.order_by(Event.starts_at, Event.id).limit(UPCOMING_LIMIT)
    return list(db.session.scalars(statement))


def past(campaign: Campaign | None, filters: Filters) -> list[Event]:
    statement = _filtered(_listed(campaign), filters).where(Event.ends_at <= clock.now())
    statement = statement.order_by(Event.starts_at.desc(), Event.id.desc()).limit(PAST_LIMIT)
    return list(db.session.scalars(statement))


def countries(campaign: Campaign | None) -> list[str]:
    statement = _listed(campaign).with_only_columns(Event.country).where(Event.country != "")
    return sorted(set(db.session.scalars(statement.distinct())))


def feed_events(campaign: Campaign) -> list[Event]:
    """A campaign's feed: listed events from a month back, and cancelled ones, so that a
    subscribed calendar sees the cancellation."""
    since = clock.now() - timedelta(days=31)
    statement = (
        select(Event)
        .where(
            Event.campaign_id == campaign.id,
            Event.visibility == Visibility.PUBLIC,
            Event.status.in_((*LISTED, EventStatus.CANCELLED)),
            Event.ends_at > since,
        )
        .order_by(Event.starts_at)
        .limit(500)
    )
    return list(db.session.scalars(statement))


def hosted_by(user: User) -> list[Event]:
    statement = select(Event).where(Event.host_id == user.id).order_by(Event.starts_at.desc())
    return list(db.session.scalars(statement))


def hosts_any(user_id: int) -> bool:
    return db.session.scalar(select(Event.id).where(Event.host_id == user_id).limit(1)) is not None


def for_organizers(campaign: Campaign) -> list[Event]:
    statement = select(Event).where(Event.campaign_id == campaign.id)
    return list(db.session.scalars(statement.order_by(Event.starts_at.desc()).limit(500)))


@dataclass(frozen=True)
class Rollup:
    screenings: int
    attendees: int
    upcoming: int


def rollup(campaign: Campaign) -> Rollup:
    """Screenings held and reported, people who came, and screenings still to come."""
    held, attendees = db.session.execute(
        select(func.count(EventReport.id), func.coalesce(func.sum(EventReport.attendee_count), 0))
        .join(Event, Event.id == EventReport.event_id)
        .where(Event.campaign_id == campaign.id, Event.status == EventStatus.COMPLETED)
    ).one()
    coming = db.session.scalar(
        select(func.count(Event.id)).where(
            Event.campaign_id == campaign.id,
            Event.status == EventStatus.APPROVED,
            Event.starts_at > clock.now(),
        )
    )
    return Rollup(int(held or 0), int(attendees or 0), int(coming or 0))
