"""iCalendar (RFC 5545) with the icalendar library: one event, a campaign's feed, a host's
feed. Entries are written in the event's own timezone with its VTIMEZONE, keep their UID
across edits and carry the event's SEQUENCE, so calendar apps update rather than duplicate.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from urllib.parse import urlsplit

from flask import current_app
from icalendar import STATUS, Calendar, vDuration
from icalendar import Event as ICalEvent

from organizer.events import times
from organizer.events.models import EventStatus
from organizer.events.publicview import EventView
from organizer.events.vtimezone import vtimezone
from organizer.urls import external_url

PRODID = "-//Cahier//Screenings//EN"
# How often a subscribed calendar should fetch the feed again (RFC 7986, and Outlook's name).
REFRESH = timedelta(hours=6)
# A declined screening was never on; a calendar that saw it pending must drop it.
CALLED_OFF = (EventStatus.CANCELLED, EventStatus.REJECTED)


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
        status=STATUS.CANCELLED if view.status in CALLED_OFF else _status(view),
    )


def _status(view: EventView) -> STATUS:
    return STATUS.TENTATIVE if view.status == EventStatus.PENDING else STATUS.CONFIRMED


def _one_line(text: str) -> str:
    # icalendar escapes line breaks in an event's texts but not in a calendar's name; a
    # title stored before titles were single-line must not break the feed for everyone.
    return " ".join(text.splitlines())


def calendar(views: Iterable[EventView], name: str, uid: str) -> bytes:
    views = list(views)
    cal = Calendar.new(
        prodid=PRODID, method="PUBLISH", name=_one_line(name), uid=_one_line(f"{uid}@{_domain()}")
    )
    cal.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    for tzid in sorted({view.timezone for view in views}):
        cal.add_component(vtimezone(tzid, *_years(views, tzid)))
    for view in views:
        cal.add_component(_entry(view))
    return bytes(cal.to_ical())


def _years(views: list[EventView], tzid: str) -> tuple[date, date]:
    """From the first of January of the first year to that after the last year, so that
    every entry of the zone falls inside the transitions listed."""
    years = [t.year for v in views if v.timezone == tzid for t in (v.starts_at, v.ends_at)]
    return date(min(years), 1, 1), date(max(years) + 1, 1, 1)


def event_calendar(view: EventView) -> bytes:
    return calendar([view], view.title, f"screening-{view.uid}-calendar")
