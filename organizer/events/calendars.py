"""iCalendar (RFC 5545) with the icalendar library: one event, a campaign's feed, a host's
feed. Entries are written in the event's own timezone with its VTIMEZONE, keep their UID
across edits and carry the event's SEQUENCE, so calendar apps update rather than duplicate.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import current_app
from icalendar import STATUS, Calendar
from icalendar import Event as ICalEvent

from organizer.events import times
from organizer.events.publicview import EventView
from organizer.urls import external_url

PRODID = "-//Cahier//Screenings//EN"


def _domain() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "cahier.invalid"


def uid_for(view: EventView) -> str:
    return f"screening-{view.uid}@{_domain()}"


def _entry(view: EventView) -> ICalEvent:
    url = external_url("events.detail", event_id=view.id)
    lines = [view.description] if view.description else []
    if view.online_link:
        lines.append(view.online_link)
    lines.append(url)
    return ICalEvent.new(
        uid=uid_for(view),
        summary=view.title,
        description="\n\n".join(lines),
        start=times.local(view.starts_at, view.timezone),
        end=times.local(view.ends_at, view.timezone),
        stamp=view.updated_at,
        created=view.created_at,
        last_modified=view.updated_at,
        sequence=view.sequence,
        url=url,
        location=view.place or (view.online_link if view.is_online else None) or None,
        status=STATUS.CANCELLED if view.is_cancelled else STATUS.CONFIRMED,
    )


def calendar(views: Iterable[EventView], name: str, uid: str) -> bytes:
    cal = Calendar.new(prodid=PRODID, method="PUBLISH", name=name, uid=f"{uid}@{_domain()}")
    for view in views:
        cal.add_component(_entry(view))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def event_calendar(view: EventView) -> bytes:
    return calendar([view], view.title, f"screening-{view.uid}-calendar")
