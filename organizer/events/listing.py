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
from organizer.events.models import (
    RSVP,
    Event,
    EventMode,
    EventReport,
    EventStatus,
    RSVPStatus,
    Visibility,
)
from organizer.extensions import db
from organizer.places.gazetteer import Point, distance_km

UPCOMING_LIMIT = 100
PAST_LIMIT = 30
PAGE_SIZE = 20
# Distances are computed here rather than in SQL (SQLite has no trigonometry by default);
# beyond this many screenings with a place, the nearest are still among the soonest.
NEAR_CANDIDATES = 5000
# "In person" includes hybrid screenings, and so does "online".
MODE_MATCHES = {
    EventMode.IN_PERSON.value: (EventMode.IN_PERSON, EventMode.HYBRID),
    EventMode.ONLINE.value: (EventMode.ONLINE, EventMode.HYBRID),
    EventMode.HYBRID.value: (EventMode.HYBRID,),
}
LISTED = (EventStatus.APPROVED, EventStatus.COMPLETED)


@dataclass(frozen=True)
class Filters:
    country: str = ""
    city: str = ""
    mode: str = ""
    date_from: date | None = None
    date_to: date | None = None
    # Where the visitor is (their city's centre, or their position to 2 decimals).
    near: Point | None = None

    @property
    def active(self) -> bool:
        return bool(
            self.country or self.city or self.mode or self.date_from or self.date_to or self.near
        )


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
        typed = filters.city.strip().lower()
        statement = statement.where(func.lower(Event.city).contains(typed, autoescape=True))
    if filters.mode in MODE_MATCHES:
        statement = statement.where(Event.mode.in_(MODE_MATCHES[filters.mode]))
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


@dataclass(frozen=True)
class Card:
    event: Event
    places_left: int
    distance_km: float | None = None


@dataclass(frozen=True)
class Page:
    cards: list[Card]
    number: int
    has_next: bool


def upcoming_page(campaign: Campaign | None, filters: Filters, number: int) -> Page:
    """One page of upcoming screenings: the soonest first, or the nearest when the visitor
    said where they are (then only those with a place)."""
    statement = _filtered(_listed(campaign), filters).where(Event.ends_at > clock.now())
    if filters.near is not None:
        return _nearest_page(statement, filters.near, number)
    statement = statement.order_by(Event.starts_at, Event.id)
    events = list(
        db.session.scalars(statement.offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
    )
    return Page(_cards(events[:PAGE_SIZE], {}), number, len(events) > PAGE_SIZE)


def _nearest_page(statement: Select[Event], near: Point, number: int) -> Page:
    placed = statement.where(Event.latitude.is_not(None), Event.mode.in_(MODE_MATCHES["in_person"]))
    rows = db.session.execute(
        placed.with_only_columns(Event.id, Event.latitude, Event.longitude)
        .order_by(Event.starts_at, Event.id)
        .limit(NEAR_CANDIDATES)
    ).all()
    distances = {row.id: distance_km(near, Point(row.latitude, row.longitude)) for row in rows}
    ordered = sorted(distances, key=lambda event_id: distances[event_id])
    chosen = ordered[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    events = {e.id: e for e in db.session.scalars(select(Event).where(Event.id.in_(chosen)))}
    page_events = [events[event_id] for event_id in chosen]
    return Page(_cards(page_events, distances), number, len(ordered) > number * PAGE_SIZE)


def _cards(events: list[Event], distances: dict[int, float]) -> list[Card]:
    taken = _places_taken([e.id for e in events])
    return [Card(e, max(0, e.capacity - taken.get(e.id, 0)), distances.get(e.id)) for e in events]


def _places_taken(event_ids: list[int]) -> dict[int, int]:
    if not event_ids:
        return {}
    rows = db.session.execute(
        select(RSVP.event_id, func.sum(RSVP.party_size))
        .where(RSVP.event_id.in_(event_ids), RSVP.status == RSVPStatus.GOING)
        .group_by(RSVP.event_id)
    ).all()
    return {event_id: int(total or 0) for event_id, total in rows}


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
    """Screenings held and reported, people who came, and screenings still to come: one
    statement, as the campaign page asks for it on every render."""
    held = (
        select(
            func.count(EventReport.id).label("screenings"),
            func.coalesce(func.sum(EventReport.attendee_count), 0).label("attendees"),
        )
        .join(Event, Event.id == EventReport.event_id)
        .where(Event.campaign_id == campaign.id, Event.status == EventStatus.COMPLETED)
        .subquery()
    )
    coming = (
        select(func.count(Event.id))
        .where(
            Event.campaign_id == campaign.id,
            Event.status == EventStatus.APPROVED,
            Event.starts_at > clock.now(),
        )
        .scalar_subquery()
    )
    row = db.session.execute(select(held.c.screenings, held.c.attendees, coming)).one()
    screenings, attendees, upcoming = row
    return Rollup(int(screenings or 0), int(attendees or 0), int(upcoming or 0))
