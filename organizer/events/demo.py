"""Demo screenings for `flask seed-demo`: three around the 2018 campaign (one online, one
full with a waitlist, one past with its report). Idempotent: fixed calendar UIDs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy import select

from organizer.accounts.models import User
from organizer.campaigns.models import Campaign
from organizer.db import utcnow
from organizer.events import hosting, reminders, times
from organizer.events.models import (
    RSVP,
    Event,
    EventMode,
    EventReport,
    EventStatus,
    RSVPStatus,
)
from organizer.extensions import db


@dataclass(frozen=True)
class DemoScreening:
    uid: str
    title: str
    days_from_today: int
    mode: EventMode
    capacity: int
    city: str = ""
    country: str = ""
    venue_name: str = ""
    street_address: str = ""
    online_link: str = ""
    going: tuple[int, ...] = ()
    waiting: tuple[int, ...] = ()
    report: tuple[int, str] | None = None
    timezone: str = "Europe/Paris"
    description: str = field(
        default="We watch The Great Hack together, then talk about what we can ask for."
    )


SCREENINGS = (
    DemoScreening(
        "demo-online-screening", "The Great Hack: online watch party", 10, EventMode.ONLINE,
        capacity=50, online_link="https://meet.example.org/great-hack", going=(1, 2, 1),
    ),
    DemoScreening(
        "demo-full-screening", "Screening at the Lyon library", 5, EventMode.IN_PERSON,
        capacity=6, city="Lyon", country="FR", venue_name="Bibliothèque du 1er",
        street_address="7 rue Saint-Polycarpe", going=(2, 2, 2), waiting=(1, 3),
    ),
    DemoScreening(
        "demo-past-screening", "Screening and debate in Berlin", -20, EventMode.IN_PERSON,
        capacity=40, city="Berlin", country="DE", venue_name="Kiezkino",
        street_address="Weserstraße 12", going=(2, 1, 3, 1), timezone="Europe/Berlin",
        report=(23, "Students asked how to request their own ad profile; ten signed."),
    ),
)  # fmt: skip


def seed_demo_screenings(campaign: Campaign, host: User) -> int:
    """Returns how many screenings this run created."""
    created = 0
    settings = hosting.settings_for(campaign)
    for spec in SCREENINGS:
        if db.session.scalar(select(Event.id).where(Event.uid == spec.uid)) is None:
            _create(campaign, host, spec, settings.terms_version)
            created += 1
    db.session.flush()
    return created


def _create(campaign: Campaign, host: User, spec: DemoScreening, terms_version: int) -> None:
    day = date.today() + timedelta(days=spec.days_from_today)
    starts = times.to_utc(day, time(19, 0), spec.timezone)
    event = Event(
        uid=spec.uid, campaign_id=campaign.id, host_id=host.id, title=spec.title,
        description=spec.description, starts_at=starts, ends_at=starts + timedelta(hours=2.5),
        timezone=spec.timezone, mode=spec.mode, venue_name=spec.venue_name,
        street_address=spec.street_address, city=spec.city, country=spec.country,
        online_link=spec.online_link, capacity=spec.capacity, terms_version=terms_version,
        terms_accepted_at=utcnow(), status=EventStatus.APPROVED,
    )  # fmt: skip
    db.session.add(event)
    db.session.flush()
    now = utcnow()
    for n, size in enumerate(spec.going):
        guest = _guest(event, n, size, RSVPStatus.GOING)
        if spec.days_from_today > 0:
            reminders.schedule(guest)
    for n, size in enumerate(spec.waiting, start=len(spec.going)):
        _guest(event, n, size, RSVPStatus.WAITLISTED).waitlisted_at = now + timedelta(seconds=n)
    if spec.report:
        count, notes = spec.report
        db.session.add(EventReport(event_id=event.id, attendee_count=count, notes=notes,
                                   reported_by_id=host.id))  # fmt: skip
        event.status = EventStatus.COMPLETED


def _guest(event: Event, n: int, size: int, status: RSVPStatus) -> RSVP:
    guest = RSVP(
        event_id=event.id, name=f"Demo guest {n + 1}",
        email=f"guest{n + 1}+{event.uid}@example.org", party_size=size, status=status,
        confirmed_at=utcnow(),
    )  # fmt: skip
    db.session.add(guest)
    db.session.flush()
    return guest
