"""Every .ics parses with the icalendar library; UIDs survive edits, SEQUENCE rises."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from organizer.events import hosting
from organizer.events.hosting import EventDetails
from organizer.events.models import EventMode
from organizer.events.times import local
from tests.factories import EventFactory


def _parse(response):
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.get_data())


def _details(event, **changes):
    starts, ends = local(event.starts_at, event.timezone), local(event.ends_at, event.timezone)
    values = dict(
        title=event.title, description=event.description, start_date=starts.date(),
        start_time=starts.time(), end_date=ends.date(), end_time=ends.time(),
        timezone=event.timezone, mode=event.mode, capacity=event.capacity,
        venue_name=event.venue_name, street_address=event.street_address, city=event.city,
        postal_code=event.postal_code, country=event.country,
    )  # fmt: skip
    values.update(changes)
    return EventDetails(**values)


def test_the_event_ics_is_complete(client, ctx):
    event = EventFactory()
    cal = _parse(client.get(f"/events/{event.id}/event.ics"))
    assert cal["METHOD"] == "PUBLISH"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]
    (entry,) = cal.walk("VEVENT")
    assert entry["SUMMARY"] == event.title
    assert entry["URL"].endswith(f"/events/{event.id}")
    assert entry.decoded("DTSTART") == event.starts_at
    assert entry["DTSTART"].params["TZID"] == "Europe/Paris"
    assert "DTSTAMP" in entry
    assert int(entry["SEQUENCE"]) == 0


def test_uid_is_stable_and_sequence_rises_on_each_edit(client, ctx):
    event = EventFactory()
    before = _parse(client.get(f"/events/{event.id}/event.ics")).walk("VEVENT")[0]
    later = local(event.starts_at + timedelta(hours=1), event.timezone)
    hosting.update_event(event, _details(event, title="New title", start_time=later.time()))
    after = _parse(client.get(f"/events/{event.id}/event.ics")).walk("VEVENT")[0]
    hosting.update_event(event, _details(event, capacity=event.capacity + 5))
    third = _parse(client.get(f"/events/{event.id}/event.ics")).walk("VEVENT")[0]
    assert before["UID"] == after["UID"] == third["UID"]
    assert [int(e["SEQUENCE"]) for e in (before, after, third)] == [0, 1, 2]
    assert after["SUMMARY"] == "New title"
    assert after.decoded("DTSTART") == before.decoded("DTSTART") + timedelta(hours=1)


def test_an_unchanged_save_keeps_the_sequence(ctx):
    event = EventFactory()
    assert hosting.update_event(event, _details(event)) is False
    assert event.sequence == 0


def test_a_cancelled_event_is_marked_cancelled(client, ctx):
    event = EventFactory()
    hosting.cancel_event(event)
    (entry,) = _parse(client.get(f"/events/{event.id}/event.ics")).walk("VEVENT")
    assert entry["STATUS"] == "CANCELLED"
    assert int(entry["SEQUENCE"]) == 1


def test_the_campaign_feed_lists_its_public_events(client, ctx):
    first = EventFactory()
    second = EventFactory(campaign=first.campaign, mode=EventMode.ONLINE,
                          online_link="https://meet.example.org/x")  # fmt: skip
    EventFactory()  # another campaign's
    cal = _parse(client.get(f"/c/{first.campaign.slug}/events.ics"))
    uids = {str(e["UID"]) for e in cal.walk("VEVENT")}
    assert uids == {f"screening-{first.uid}@127.0.0.1", f"screening-{second.uid}@127.0.0.1"}
    assert b"meet.example.org" not in client.get(f"/c/{first.campaign.slug}/events.ics").data


def test_the_host_feed_needs_its_secret_token(client, ctx):
    from organizer.events.web import host_feed_token

    event = EventFactory(mode=EventMode.ONLINE, online_link="https://meet.example.org/host")
    cal = _parse(client.get(f"/events/hosts/{host_feed_token(event.host)}/screenings.ics"))
    (entry,) = cal.walk("VEVENT")
    assert "meet.example.org/host" in entry["DESCRIPTION"]
    assert client.get("/events/hosts/forged/screenings.ics").status_code == 404
