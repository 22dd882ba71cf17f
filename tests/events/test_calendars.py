"""Every .ics parses with the icalendar library; UIDs survive edits, SEQUENCE rises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from organizer.events import hosting
from organizer.events.hosting import EventDetails
from organizer.events.models import EventMode, EventStatus, Visibility
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
    # At 11:00 UTC (midday in Paris), so that an hour later is the same day whenever the
    # test runs: started after 23:00 in Paris, it wrapped to the morning of the same date.
    noon = datetime.now(UTC).replace(hour=11, minute=0, second=0, microsecond=0)
    event = EventFactory(starts_at=noon + timedelta(days=7))
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
    from organizer.events.feedkeys import host_feed_token

    event = EventFactory(mode=EventMode.ONLINE, online_link="https://meet.example.org/host")
    cal = _parse(client.get(f"/events/hosts/{host_feed_token(event.host)}/screenings.ics"))
    (entry,) = cal.walk("VEVENT")
    assert "meet.example.org/host" in entry["DESCRIPTION"]
    assert client.get("/events/hosts/forged/screenings.ics").status_code == 404


def _transitions(vtimezone):
    """(UTC instant, offset before, offset after) for every onset the VTIMEZONE lists."""
    found = []
    for part in vtimezone.walk():
        if part.name not in ("STANDARD", "DAYLIGHT"):
            continue
        before, after = part.decoded("TZOFFSETFROM"), part.decoded("TZOFFSETTO")
        onsets = [part.decoded("DTSTART")]
        rdates = part.get("RDATE", [])
        for rdate in rdates if isinstance(rdates, list) else [rdates]:
            onsets += [d.dt for d in rdate.dts]
        found += [(o.replace(tzinfo=UTC) - before, before, after) for o in onsets]
    return found


@pytest.mark.parametrize("tzid", ["Europe/Paris", "America/New_York", "Australia/Sydney"])
def test_every_vtimezone_transition_lands_where_zoneinfo_puts_it(client, ctx, tzid):
    first = EventFactory(timezone=tzid)
    EventFactory(campaign=first.campaign, timezone=tzid,
                 starts_at=first.starts_at + timedelta(days=400),
                 ends_at=first.starts_at + timedelta(days=400, hours=2))  # fmt: skip
    cal = _parse(client.get(f"/c/{first.campaign.slug}/events.ics"))
    (vtimezone,) = cal.walk("VTIMEZONE")
    listed = _transitions(vtimezone)
    zone = ZoneInfo(tzid)
    changes = [t for t in listed if t[1] != t[2]]
    assert len(changes) >= 2  # the feed covers two years of clock changes
    for instant, before, after in changes:
        assert (instant - timedelta(seconds=1)).astimezone(zone).utcoffset() == before
        assert instant.astimezone(zone).utcoffset() == after
    years = {first.starts_at.year, first.starts_at.year + 1}
    covered = {i.year for i, *_ in changes}
    assert years <= covered


def test_paris_spring_forward_is_at_one_utc(client, ctx):
    event = EventFactory()
    cal = _parse(client.get(f"/events/{event.id}/event.ics"))
    spring = [t for t in _transitions(cal.walk("VTIMEZONE")[0]) if t[2] > t[1]]
    assert spring and all(instant.hour == 1 for instant, *_ in spring)


def test_declined_screenings_are_cancelled_in_the_host_feed(client, ctx):
    from organizer.events.feedkeys import host_feed_token

    declined = EventFactory(status=EventStatus.PENDING)
    hosting.decide(declined, approve=False)
    cal = _parse(client.get(f"/events/hosts/{host_feed_token(declined.host)}/screenings.ics"))
    assert [str(e["STATUS"]) for e in cal.walk("VEVENT")] == ["CANCELLED"]


def test_feeds_say_how_often_to_refresh(client, ctx):
    event = EventFactory()
    body = client.get(f"/c/{event.campaign.slug}/events.ics").get_data(as_text=True)
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H" in body
    assert "X-PUBLISHED-TTL:PT6H" in body


def test_a_rotated_host_feed_address_stops_working(client, ctx):
    from organizer.events import feedkeys

    event = EventFactory()
    old = feedkeys.host_feed_token(event.host)
    assert client.get(f"/events/hosts/{old}/screenings.ics").status_code == 200
    feedkeys.rotate(event.host)
    new = feedkeys.host_feed_token(event.host)
    assert new != old
    assert client.get(f"/events/hosts/{old}/screenings.ics").status_code == 404
    assert client.get(f"/events/hosts/{new}/screenings.ics").status_code == 200


def test_the_campaign_has_an_atom_feed_of_its_screenings(client, ctx):
    event = EventFactory()
    hidden = EventFactory(campaign=event.campaign, visibility=Visibility.UNLISTED)
    response = client.get(f"/c/{event.campaign.slug}/events.atom")
    assert response.mimetype == "application/atom+xml"
    root = ElementTree.fromstring(response.data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert titles == [event.title]
    assert hidden.title not in response.get_data(as_text=True)
