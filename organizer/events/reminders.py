"""Reminders, DESIGN.md decision 2: a row per (RSVP, kind) with its due time, and a beat task
that claims due rows, writes the outbox row and marks the reminder sent in ONE transaction.

Claiming uses ``SELECT … FOR UPDATE SKIP LOCKED``: two beat runs at once take disjoint rows,
and a row is sent only by the transaction that commits it as sent. A worker that dies
mid-send rolls back both the outbox row and the mark, so the next run sends it, once. The
outbox idempotency key (reminder and due time) is a second guard.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from organizer.events import clock
from organizer.events.links import manage_url
from organizer.events.models import (
    RSVP,
    Event,
    EventStatus,
    Reminder,
    ReminderKind,
    ReminderStatus,
    RSVPStatus,
)
from organizer.events.publicview import guest_view
from organizer.extensions import db
from organizer.mail.services import queue_email

LEAD_TIMES = {
    ReminderKind.DAY_BEFORE: timedelta(hours=24),
    ReminderKind.TWO_HOURS: timedelta(hours=2),
}
BATCH = 200


def due_time(event: Event, kind: ReminderKind) -> datetime:
    # Absolute time: 24 h before 19:00 on the day the clocks change is 20:00 or 18:00 local
    # the day before, and that is the right instant.
    return event.starts_at - LEAD_TIMES[kind]


def schedule(guest: RSVP) -> None:
    """Arm the reminders of a guest who is now going; those already past are not sent."""
    now = clock.now()
    existing = {r.kind: r for r in _reminders(guest)}
    for kind in ReminderKind:
        due = due_time(guest.event, kind)
        reminder = existing.get(kind)
        if reminder is None:
            if due > now:
                db.session.add(Reminder(rsvp_id=guest.id, kind=kind, due_at=due))
        elif reminder.status != ReminderStatus.SENT:
            reminder.due_at = due
            reminder.status = ReminderStatus.PENDING if due > now else ReminderStatus.SKIPPED
    db.session.flush()


def _reminders(guest: RSVP) -> list[Reminder]:
    return list(db.session.scalars(select(Reminder).where(Reminder.rsvp_id == guest.id)))


def retime(event: Event) -> None:
    """The event moved: every reminder follows it, and one already sent is sent again
    before the new time (its guest planned for the old one)."""
    now = clock.now()
    rows = db.session.scalars(
        select(Reminder)
        .join(RSVP)
        .where(RSVP.event_id == event.id, RSVP.status == RSVPStatus.GOING)
    )
    for reminder in rows:
        reminder.due_at = due_time(event, reminder.kind)
        reminder.status = (
            ReminderStatus.PENDING if reminder.due_at > now else ReminderStatus.SKIPPED
        )
        reminder.sent_at = None
    db.session.flush()


def skip_for_rsvp(guest: RSVP) -> None:
    db.session.execute(
        update(Reminder)
        .where(Reminder.rsvp_id == guest.id, Reminder.status == ReminderStatus.PENDING)
        .values(status=ReminderStatus.SKIPPED)
        .execution_options(synchronize_session=False)
    )


def skip_for_event(event: Event) -> None:
    ids = select(RSVP.id).where(RSVP.event_id == event.id).scalar_subquery()
    db.session.execute(
        update(Reminder)
        .where(Reminder.rsvp_id.in_(ids), Reminder.status == ReminderStatus.PENDING)
        .values(status=ReminderStatus.SKIPPED)
        .execution_options(synchronize_session=False)
    )


def send_due(now: datetime | None = None, batch: int = BATCH) -> int:
    """Claim due reminders and write their emails; the caller commits once. Returns the
    number of emails written."""
    now = now or clock.now()
    claimed = list(
        db.session.scalars(
            select(Reminder)
            .where(Reminder.status == ReminderStatus.PENDING, Reminder.due_at <= now)
            .order_by(Reminder.due_at, Reminder.id)
            .limit(batch)
            .with_for_update(skip_locked=True, of=Reminder)
            .execution_options(populate_existing=True)
        )
    )
    sent = 0
    for reminder in claimed:
        guest = reminder.rsvp
        event = guest.event
        if not _still_wanted(guest, event, now):
            reminder.status = ReminderStatus.SKIPPED
            continue
        email = queue_email(
            to=guest.email, template="event_reminder", locale=guest.locale,
            context={"event": guest_view(event), "rsvp": guest, "kind": reminder.kind.value,
                     "manage_url": manage_url(guest)},
            related=("rsvp", guest.id),
            idempotency_key=f"event-reminder:{reminder.id}:{int(reminder.due_at.timestamp())}",
        )  # fmt: skip
        reminder.status = ReminderStatus.SENT
        reminder.sent_at = now
        reminder.email_id = email.id
        sent += 1
    db.session.flush()
    return sent


def _still_wanted(guest: RSVP, event: Event, now: datetime) -> bool:
    return (
        guest.status == RSVPStatus.GOING
        and event.status == EventStatus.APPROVED
        and event.starts_at > now
    )
