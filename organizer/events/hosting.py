"""Hosting a screening: the campaign's screening settings, registering an event with the
terms accepted, editing it, the organizers' decision, and cancelling it.

Nothing here commits: the request does, once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from organizer.accounts.models import User
from organizer.campaigns import notify
from organizer.campaigns.models import Campaign, CampaignStatus, Membership, Role
from organizer.campaigns.permissions import Permission, can
from organizer.db import utcnow
from organizer.events import clock, notices, reminders, rsvp, times
from organizer.events.models import (
    RSVP,
    Event,
    EventMode,
    EventSettings,
    EventStatus,
    RSVPStatus,
    Visibility,
)
from organizer.extensions import db
from organizer.mail.services import queue_email
from organizer.places import gazetteer
from organizer.urls import external_url

MAX_CAPACITY = 100_000
MAX_YEARS_AHEAD = 5


class EventError(ValueError):
    """A request the rules refuse; the message is for the person (already translated).
    ``field`` names the form field it is about, so the form shows it there."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class AmbiguousStart(EventError):
    """The wall time occurs twice in the zone: the host says which of ``instants``."""

    def __init__(self, field: str, instants: tuple[datetime, datetime]) -> None:
        super().__init__(_("This time occurs twice, when the clocks go back. Which one?"), field)
        self.instants = instants


def default_terms() -> str:
    return _(
        "I will show the documentary in full, free of charge, and keep the discussion "
        "welcoming. I will not share guests' details with anyone, and I will tell the "
        "organizers how the screening went."
    )


def settings_for(campaign: Campaign) -> EventSettings:
    settings = db.session.get(EventSettings, campaign.id)
    if settings is None:
        settings = EventSettings(
            campaign_id=campaign.id, terms_text=default_terms(), terms_version=1,
            require_approval=True,
        )  # fmt: skip
        db.session.add(settings)
        db.session.flush()
    return settings


def update_settings(campaign: Campaign, terms_text: str, require_approval: bool) -> EventSettings:
    settings = settings_for(campaign)
    text = terms_text.strip()
    if not text:
        raise EventError(_("Write the terms hosts must accept."))
    if text != settings.terms_text:
        settings.terms_text = text
        settings.terms_version += 1
    settings.require_approval = require_approval
    db.session.flush()
    return settings


@dataclass
class EventDetails:
    title: str
    description: str
    start_date: date
    start_time: time
    end_date: date
    end_time: time
    timezone: str
    mode: EventMode
    capacity: int
    visibility: Visibility = Visibility.PUBLIC
    venue_name: str = ""
    street_address: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = ""
    online_link: str = ""
    is_home: bool = False
    accessibility_notes: str = ""
    # Which reading of a wall time that occurs twice (0 the first, 1 the second), once asked.
    fold: int | None = None
    # A listed city the host chose because theirs is not in the gazetteer.
    nearest_city: str = ""


def _times(details: EventDetails) -> tuple[datetime, datetime]:
    if not times.is_timezone(details.timezone):
        raise EventError(_("Choose a timezone from the list."), "timezone")
    starts = _instant(details.start_date, details.start_time, details, "start_time")
    ends = _instant(details.end_date, details.end_time, details, "end_time")
    if ends <= starts:
        raise EventError(_("The screening must end after it starts."), "end_time")
    if starts > clock.now() + timedelta(days=round(365.25 * MAX_YEARS_AHEAD)):
        raise EventError(
            ngettext(
                "A screening can start at most %(num)d year ahead.",
                "A screening can start at most %(num)d years ahead.",
                MAX_YEARS_AHEAD,
            ),
            "start_date",
        )
    return starts, ends


def _instant(day: date, wall: time, details: EventDetails, field: str) -> datetime:
    try:
        return times.to_utc(day, wall, details.timezone, details.fold)
    except times.LocalTimeError:
        raise EventError(
            _("This time does not exist in this timezone: the clocks skip it. Choose another."),
            field,
        ) from None
    except times.AmbiguousTimeError as exc:
        raise AmbiguousStart(field, exc.instants) from None


def _check(details: EventDetails) -> None:
    if not details.title.strip():
        raise EventError(_("Give the screening a title."), "title")
    if not 1 <= details.capacity <= MAX_CAPACITY:
        raise EventError(_("The capacity must be between 1 and 100,000 people."), "capacity")
    in_person = details.mode in (EventMode.IN_PERSON, EventMode.HYBRID)
    online = details.mode in (EventMode.ONLINE, EventMode.HYBRID)
    if in_person and not details.city.strip():
        raise EventError(_("Give the city of the screening."), "city")
    if in_person and not details.country.strip():
        raise EventError(_("Choose the country of the screening."), "country")
    link = details.online_link.strip()
    if online and not link.startswith(("https://", "http://")):
        raise EventError(
            _("Give the link guests will use to join online (https://...)."), "online_link"
        )


def _apply(event: Event, details: EventDetails, starts: datetime, ends: datetime) -> bool:
    """Copy the details onto the event; True when anything changed."""
    values: dict[str, Any] = {
        "title": details.title.strip(),
        "description": details.description.strip(),
        "starts_at": starts,
        "ends_at": ends,
        "timezone": details.timezone,
        "mode": details.mode,
        "venue_name": details.venue_name.strip(),
        "street_address": details.street_address.strip(),
        "city": details.city.strip(),
        "postal_code": details.postal_code.strip(),
        "country": details.country.strip().upper(),
        "online_link": details.online_link.strip(),
        "capacity": details.capacity,
        "visibility": details.visibility,
        "is_home": details.is_home,
        "accessibility_notes": details.accessibility_notes.strip(),
    }
    # Where "near me" places it is for the search only: guests see no change, so it moves
    # no calendar SEQUENCE and sends no notice.
    for name, value in _coordinates(details).items():
        setattr(event, name, value)
    changed = False
    for name, value in values.items():
        if getattr(event, name, None) != value:
            setattr(event, name, value)
            changed = True
    return changed


def _coordinates(details: EventDetails) -> dict[str, float | None]:
    """Where "near me" places the screening: its city, or the listed city its host chose."""
    found = None
    if details.mode.has_venue:
        found = gazetteer.find(details.city, details.country) or gazetteer.find(
            details.nearest_city, details.country
        )
    if found is None:
        return {"latitude": None, "longitude": None}
    return {"latitude": found.latitude, "longitude": found.longitude}


def register_event(
    campaign: Campaign, host: User, details: EventDetails, accepted_terms_version: int | None
) -> Event:
    if not host.is_verified:
        raise EventError(_("Verify your email address before you host a screening."))
    if not campaign.is_public or campaign.status != CampaignStatus.PUBLISHED:
        raise EventError(_("This campaign does not take new screenings."))
    settings = settings_for(campaign)
    if accepted_terms_version != settings.terms_version:
        raise EventError(
            _("Read and accept the screening terms to register your screening."), "accept_terms"
        )
    _check(details)
    starts, ends = _times(details)
    if starts <= clock.now():
        raise EventError(_("The screening must start in the future."), "start_date")
    now = utcnow()
    event = Event(
        uid=secrets.token_hex(12), campaign_id=campaign.id, host_id=host.id,
        terms_version=settings.terms_version, terms_accepted_at=now,
        status=EventStatus.PENDING if settings.require_approval else EventStatus.APPROVED,
    )  # fmt: skip
    _apply(event, details, starts, ends)
    db.session.add(event)
    _ensure_host_membership(campaign, host)
    db.session.flush()
    if event.status == EventStatus.APPROVED:
        _email_decision(event)
    else:
        notify.screening_awaits_approval(event)
    return event


def _ensure_host_membership(campaign: Campaign, host: User) -> None:
    exists = db.session.scalar(
        select(Membership.id).where(
            Membership.campaign_id == campaign.id, Membership.user_id == host.id
        )
    )
    if exists is None:
        db.session.add(Membership(campaign_id=campaign.id, user_id=host.id, role=Role.HOST))


def update_event(event: Event, details: EventDetails) -> bool:
    if event.status in (EventStatus.CANCELLED, EventStatus.REJECTED):
        raise EventError(_("A cancelled or declined screening cannot be changed."))
    _check(details)
    starts, ends = _times(details)
    event = rsvp.lock(event)
    moved = starts != event.starts_at
    before = notices.before_edit(event)
    if not _apply(event, details, starts, ends):
        return False
    event.sequence += 1
    event.updated_at = utcnow()
    db.session.flush()
    if moved:
        reminders.retime(event)
    rsvp.promote_waitlist(event)
    notices.tell_guests_of_change(event, before)
    return True


def decide(event: Event, approve: bool, note: str = "") -> None:
    if event.status != EventStatus.PENDING:
        raise EventError(_("This screening has already been decided."))
    event.status = EventStatus.APPROVED if approve else EventStatus.REJECTED
    event.decision_note = note.strip()
    event.sequence += 1
    event.updated_at = utcnow()
    db.session.flush()
    _email_decision(event)


def _email_decision(event: Event) -> None:
    host = event.host
    queue_email(
        to=host.email,
        template="event_decision",
        locale=host.locale,
        context={
            "event": event,
            "approved": event.status == EventStatus.APPROVED,
            "event_url": external_url("events.detail", event_id=event.id),
            "manage_url": external_url("event_host.manage", event_id=event.id),
        },
        related=("event", event.id),
        idempotency_key=f"event-decision:{event.id}:{event.status.value}",
    )


def cancel_event(event: Event, reason: str = "") -> int:
    """Cancel and tell every guest. Returns how many were told."""
    event = rsvp.lock(event)
    if event.status in (EventStatus.CANCELLED, EventStatus.REJECTED, EventStatus.COMPLETED):
        raise EventError(_("This screening cannot be cancelled any more."))
    event.status = EventStatus.CANCELLED
    event.cancelled_at = utcnow()
    event.sequence += 1
    event.updated_at = event.cancelled_at
    guests = db.session.scalars(
        select(RSVP).where(
            RSVP.event_id == event.id, RSVP.status.in_([RSVPStatus.GOING, RSVPStatus.WAITLISTED])
        )
    )
    told = 0
    for guest in guests:
        queue_email(
            to=guest.email, template="event_cancelled", locale=guest.locale,
            context={"event": event, "rsvp": guest, "reason": reason.strip(),
                     "other_url": external_url("events.campaign_index", slug=event.campaign.slug)},
            related=("rsvp", guest.id), idempotency_key=f"event-cancelled:{guest.id}",
        )  # fmt: skip
        told += 1
    reminders.skip_for_event(event)
    db.session.flush()
    return told


def can_manage(user: Any, event: Event) -> bool:
    """The host, and the campaign's organizers and moderators."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(event.host_id == user.id or can(user, event.campaign, Permission.MANAGE_EVENTS))


def get_event(event_id: int) -> Event | None:
    return db.session.get(Event, event_id)
