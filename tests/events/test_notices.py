"""Guests hear about changes (with the updated calendar entry); hosts hear about RSVPs,
one by one or in a daily digest claimed by the beat task."""

from __future__ import annotations

from datetime import timedelta

from babel.dates import format_datetime
from icalendar import Calendar

from organizer.events import hosting, notices
from organizer.events.hosting import EventDetails
from organizer.events.models import EventMode, RSVPStatus
from organizer.events.times import local, zone
from organizer.extensions import db
from tests.events.conftest import confirmed_guest
from tests.factories import EventFactory
from tests.support.mail import emails_to


def _details(event, **changes):
    starts, ends = local(event.starts_at, event.timezone), local(event.ends_at, event.timezone)
    values = dict(
        title=event.title, description=event.description, start_date=starts.date(),
        start_time=starts.time(), end_date=ends.date(), end_time=ends.time(),
        timezone=event.timezone, mode=event.mode, capacity=event.capacity,
        venue_name=event.venue_name, street_address=event.street_address, city=event.city,
        postal_code=event.postal_code, country=event.country, online_link=event.online_link,
    )  # fmt: skip
    values.update(changes)
    return EventDetails(**values)


def _ics(email):
    (attachment,) = [a for a in email.attachments if a.mime_type == "text/calendar"]
    (entry,) = Calendar.from_ical(attachment.content).walk("VEVENT")
    return entry


def test_a_new_start_time_reaches_every_guest_with_the_new_calendar_entry(ctx):
    event = EventFactory(capacity=1)
    going = confirmed_guest(event, "going@example.org", locale="fr")
    waiting = confirmed_guest(event, "waiting@example.org")
    assert (going.status, waiting.status) == (RSVPStatus.GOING, RSVPStatus.WAITLISTED)
    old_start = event.starts_at
    later = local(event.starts_at + timedelta(hours=1), event.timezone)
    hosting.update_event(event, _details(event, start_time=later.time()))
    db.session.flush()

    (to_going,) = emails_to("going@example.org", "event_changed")
    (to_waiting,) = emails_to("waiting@example.org", "event_changed")
    old_fr = format_datetime(local(old_start, event.timezone), "EEEE d MMMM y",
                             tzinfo=zone(event.timezone), locale="fr")  # fmt: skip
    assert old_fr in to_going.text_body  # the date in the guest's own language
    assert f"{later:%H:%M}" in to_going.text_body and "→" in to_going.text_body
    for email in (to_going, to_waiting):
        entry = _ics(email)
        assert str(entry["UID"]).startswith(f"screening-{event.uid}@")
        assert int(entry["SEQUENCE"]) == event.sequence == 1
        assert entry.decoded("DTSTART") == event.starts_at


def test_a_new_link_is_told_to_going_guests_only(ctx):
    event = EventFactory(mode=EventMode.ONLINE, online_link="https://meet.example.org/a", city="",
                         country="", capacity=1)  # fmt: skip
    confirmed_guest(event, "going@example.org")
    confirmed_guest(event, "waiting@example.org")
    hosting.update_event(event, _details(event, online_link="https://meet.example.org/b"))
    (email,) = emails_to("going@example.org", "event_changed")
    assert "https://meet.example.org/a → https://meet.example.org/b" in email.text_body
    assert emails_to("waiting@example.org", "event_changed") == []  # never saw the link


def test_a_title_change_sends_no_change_notice(ctx):
    event = EventFactory()
    confirmed_guest(event, "going@example.org")
    hosting.update_event(event, _details(event, title="Another title"))
    assert emails_to("going@example.org", "event_changed") == []


def test_the_rsvp_confirmation_carries_the_calendar_entry(ctx):
    event = EventFactory()
    confirmed_guest(event, "going@example.org")
    (email,) = emails_to("going@example.org", "rsvp_going")
    assert str(_ics(email)["UID"]).startswith(f"screening-{event.uid}@")


def test_the_host_hears_of_each_rsvp_or_of_all_in_one_digest(ctx):
    each = EventFactory()
    confirmed_guest(each, "a@example.org", name="Ada")
    (notice,) = emails_to(each.host.email, "event_rsvp_notice")
    assert "Ada" in notice.text_body

    daily = EventFactory(rsvp_digest=True)
    confirmed_guest(daily, "b@example.org", name="Bea")
    confirmed_guest(daily, "c@example.org", name="Cy", party_size=2)
    assert emails_to(daily.host.email, "event_rsvp_notice") == []
    assert notices.send_digests() == 1
    (digest,) = emails_to(daily.host.email, "event_rsvp_notice")
    assert "Bea" in digest.text_body and "Cy" in digest.text_body
    assert "2 people" in digest.text_body and digest.subject.startswith("2 new RSVPs")
    assert notices.send_digests() == 0  # claimed once
