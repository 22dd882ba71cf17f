"""Mail about a screening that is not the guest's own doing: the change notice sent to
guests when the time, place or online link moves, and the host's RSVP notices (one per RSVP,
or a daily digest whose rows a beat task claims, DESIGN.md decision 2).

Each change notice carries the updated calendar entry: same UID, higher SEQUENCE.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from organizer.db import utcnow
from organizer.events.calendars import event_calendar
from organizer.events.links import manage_url
from organizer.events.models import RSVP, Event, RSVPStatus
from organizer.events.publicview import EventView, guest_view, public_view
from organizer.extensions import db
from organizer.mail.services import Attachment, queue_email
from organizer.urls import external_url

HOLDING = (RSVPStatus.GOING, RSVPStatus.WAITLISTED)
DIGEST_BATCH = 500


@dataclass(frozen=True)
class Before:
    """The event as each kind of guest saw it before an edit."""

    guest: EventView
    public: EventView


def before_edit(event: Event) -> Before:
    return Before(guest_view(event), public_view(event))


def ics_attachment(view: EventView) -> Attachment:
    return Attachment(f"screening-{view.id}.ics", "text/calendar", event_calendar(view))


def changed_parts(old: EventView, new: EventView) -> list[str]:
    """Which of "time", "place" and "link" a guest who saw ``old`` would see change."""
    parts = []
    if (old.starts_at, old.ends_at, old.timezone) != (new.starts_at, new.ends_at, new.timezone):
        parts.append("time")
    if (old.is_in_person, old.place, old.country) != (new.is_in_person, new.place, new.country):
        parts.append("place")
    if old.online_link != new.online_link:
        parts.append("link")
    return parts


def tell_guests_of_change(event: Event, before: Before) -> int:
    """Email every going and waitlisted guest what changed for them. Returns the count."""
    views = {True: (before.guest, guest_view(event)), False: (before.public, public_view(event))}
    told = 0
    for guest in _holding(event):
        old, new = views[guest.status == RSVPStatus.GOING]
        parts = changed_parts(old, new)
        if not parts:
            continue
        queue_email(
            to=guest.email, template="event_changed", locale=guest.locale,
            context={"old": old, "event": new, "rsvp": guest, "parts": parts,
                     "manage_url": manage_url(guest)},
            related=("rsvp", guest.id), attachments=[ics_attachment(new)],
            idempotency_key=f"event-changed:{guest.id}:{event.sequence}",
        )  # fmt: skip
        told += 1
    return told


def _holding(event: Event) -> list[RSVP]:
    statement = select(RSVP).where(RSVP.event_id == event.id, RSVP.status.in_(HOLDING))
    return list(db.session.scalars(statement.order_by(RSVP.id)))


# --- The host's notices of new RSVPs --------------------------------------------------------


def rsvp_arrived(guest: RSVP) -> None:
    """A guest is now going or waitlisted: tell the host now, or leave it to the digest."""
    event = guest.event
    if guest.host_notified_at is not None or event.rsvp_digest:
        return
    _email_host(event, [guest])
    guest.host_notified_at = utcnow()


def _email_host(event: Event, arrivals: list[RSVP]) -> None:
    host = event.host
    queue_email(
        to=host.email, template="event_rsvp_notice", locale=host.locale,
        context={"event": event, "arrivals": arrivals,
                 "manage_url": external_url("event_host.manage", event_id=event.id)},
        related=("event", event.id),
    )  # fmt: skip


def send_digests(now: datetime | None = None, batch: int = DIGEST_BATCH) -> int:
    """Claim the RSVPs no host has heard of, and write one digest per screening; the caller
    commits once. Returns the number of digests written."""
    now = now or utcnow()
    claimed = list(
        db.session.scalars(
            select(RSVP)
            .where(RSVP.host_notified_at.is_(None), RSVP.status != RSVPStatus.PENDING)
            .order_by(RSVP.event_id, RSVP.id)
            .limit(batch)
            .with_for_update(skip_locked=True, of=RSVP)
        )
    )
    by_event: dict[int, list[RSVP]] = defaultdict(list)
    for guest in claimed:
        guest.host_notified_at = now
        if guest.status in HOLDING:
            by_event[guest.event_id].append(guest)
    for arrivals in by_event.values():
        _email_host(arrivals[0].event, arrivals)
    db.session.flush()
    return len(by_event)
