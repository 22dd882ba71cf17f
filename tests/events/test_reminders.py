"""Reminders 24 h and 2 h before, each sent once; none for a cancelled event or RSVP."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from organizer.events import hosting, reminders, rsvp
from organizer.events.hosting import EventDetails
from organizer.events.models import EventMode, Reminder, ReminderKind, ReminderStatus
from organizer.extensions import db
from tests.events.conftest import confirmed_guest
from tests.factories import EventFactory
from tests.support.mail import emails_to


def _rows(guest):
    rows = db.session.scalars(select(Reminder).where(Reminder.rsvp_id == guest.id))
    return {r.kind: r for r in rows}


def test_going_guests_get_two_reminder_rows(event):
    guest = confirmed_guest(event, "a@example.org")
    rows = _rows(guest)
    assert rows[ReminderKind.DAY_BEFORE].due_at == event.starts_at - timedelta(hours=24)
    assert rows[ReminderKind.TWO_HOURS].due_at == event.starts_at - timedelta(hours=2)


def test_waitlisted_guests_get_none_until_promoted(event):
    first = confirmed_guest(event, "a@example.org", 5)
    waiting = confirmed_guest(event, "b@example.org", 1)
    assert _rows(waiting) == {}
    rsvp.cancel(first)
    assert set(_rows(waiting)) == set(ReminderKind)


def test_a_reminder_is_sent_once_when_due(event):
    guest = confirmed_guest(event, "a@example.org")
    day_before = event.starts_at - timedelta(hours=24)
    assert reminders.send_due(now=day_before - timedelta(seconds=1)) == 0
    assert reminders.send_due(now=day_before) == 1
    assert reminders.send_due(now=day_before + timedelta(minutes=1)) == 0
    (sent,) = emails_to("a@example.org", "event_reminder")
    assert "tomorrow" in sent.text_body
    assert _rows(guest)[ReminderKind.DAY_BEFORE].status == ReminderStatus.SENT
    assert reminders.send_due(now=event.starts_at - timedelta(hours=2)) == 1
    assert len(emails_to("a@example.org", "event_reminder")) == 2


def test_no_reminder_after_the_rsvp_is_cancelled(event):
    guest = confirmed_guest(event, "a@example.org")
    rsvp.cancel(guest)
    assert reminders.send_due(now=event.starts_at - timedelta(minutes=90)) == 0
    assert not emails_to("a@example.org", "event_reminder")
    assert {r.status for r in _rows(guest).values()} == {ReminderStatus.SKIPPED}


def test_no_reminder_after_the_event_is_cancelled(event):
    confirmed_guest(event, "a@example.org")
    hosting.cancel_event(event, "The hall is flooded.")
    assert reminders.send_due(now=event.starts_at - timedelta(minutes=90)) == 0
    assert not emails_to("a@example.org", "event_reminder")
    (cancelled,) = emails_to("a@example.org", "event_cancelled")
    assert "flooded" in cancelled.text_body


def test_a_cancellation_between_claim_runs_is_respected_even_if_rows_were_pending(event):
    guest = confirmed_guest(event, "a@example.org")
    # As if the cancellation had not reached the reminder rows: the send checks again.
    guest.status = rsvp.RSVPStatus.CANCELLED
    db.session.flush()
    assert reminders.send_due(now=event.starts_at - timedelta(minutes=90)) == 0


def test_reminders_follow_the_event_when_it_moves(event):
    guest = confirmed_guest(event, "a@example.org")
    moved = event.starts_at + timedelta(days=2)
    local_start = moved.astimezone(ZoneInfo(event.timezone))
    local_end = local_start + timedelta(hours=2)
    hosting.update_event(
        event,
        EventDetails(
            title=event.title, description="", start_date=local_start.date(),
            start_time=local_start.time(), end_date=local_end.date(), end_time=local_end.time(),
            timezone=event.timezone, mode=EventMode.IN_PERSON, capacity=event.capacity,
            city=event.city, country=event.country,
        ),
    )  # fmt: skip
    assert _rows(guest)[ReminderKind.DAY_BEFORE].due_at == moved - timedelta(hours=24)


def test_the_reminder_speaks_the_guests_language_and_the_events_time(ctx):
    start = datetime(2031, 6, 12, 17, 0, tzinfo=UTC)  # 19:00 in Paris (summer time)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=2))
    confirmed_guest(event, "fr@example.org", locale="fr")
    reminders.send_due(now=start - timedelta(hours=24))
    (sent,) = emails_to("fr@example.org", "event_reminder")
    assert sent.locale == "fr"  # the catalogue has no French for these strings yet
    assert "19:00" in sent.text_body and "jeudi 12 juin 2031" in sent.text_body


def test_dst_19h_paris_on_the_day_clocks_go_back(ctx, app):
    """25 October 2026: Paris leaves summer time at 03:00. 19:00 that evening is 18:00 UTC,
    and 24 hours earlier is 18:00 UTC on the 24th (20:00 local, still summer time)."""
    app.config["CLOCK_OFFSET_SECONDS"] = (
        datetime(2026, 10, 1, tzinfo=UTC) - datetime.now(UTC)
    ).total_seconds()
    try:
        event = EventFactory(capacity=10)
        details = EventDetails(
            title="Autumn screening", description="", start_date=date(2026, 10, 25),
            start_time=time(19, 0), end_date=date(2026, 10, 25), end_time=time(21, 0),
            timezone="Europe/Paris", mode=EventMode.IN_PERSON, capacity=10, city="Paris",
            country="FR",
        )  # fmt: skip
        hosting.update_event(event, details)
        assert event.starts_at == datetime(2026, 10, 25, 18, 0, tzinfo=UTC)
        guest = confirmed_guest(event, "dst@example.org")
        due = _rows(guest)[ReminderKind.DAY_BEFORE].due_at
        assert due == datetime(2026, 10, 24, 18, 0, tzinfo=UTC)
        assert reminders.send_due(now=due - timedelta(seconds=1)) == 0
        assert reminders.send_due(now=due) == 1
        (sent,) = emails_to("dst@example.org", "event_reminder")
        assert "Sunday 25 October 2026, 19:00" in sent.text_body
    finally:
        app.config["CLOCK_OFFSET_SECONDS"] = 0.0


def test_dst_19h_paris_on_the_day_clocks_go_forward(ctx):
    from organizer.events.times import format_range, to_utc

    start = to_utc(date(2027, 3, 28), time(19, 0), "Europe/Paris")
    assert start == datetime(2027, 3, 28, 17, 0, tzinfo=UTC)
    assert format_range(start, start + timedelta(hours=2), "Europe/Paris", "en").startswith(
        "Sunday 28 March 2027, 19:00"
    )
