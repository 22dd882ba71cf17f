"""VTIMEZONE components built from zoneinfo's own transitions.

icalendar's ``Timezone.from_tzinfo`` (7.3) writes a DAYLIGHT onset in the new wall time
(03:00 with TZOFFSETFROM +0100, i.e. 02:00 UTC for Paris) where RFC 5545 wants the wall time
before the change (02:00, i.e. 01:00 UTC). Here every onset is the UTC instant of the
transition read in the offset in force just before it, so each lands where zoneinfo says.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

_STEP = timedelta(days=1)
_PRECISION = timedelta(seconds=1)


def transitions(tz: ZoneInfo, first: date, last: date) -> list[datetime]:
    """The UTC instants in [first, last) at which the zone's offset changes."""
    found: list[datetime] = []
    cursor = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(last, datetime.min.time(), tzinfo=UTC)
    while cursor < end:
        step_end = min(cursor + _STEP, end)
        if _offset(tz, cursor) != _offset(tz, step_end):
            found.append(_bisect(tz, cursor, step_end))
        cursor = step_end
    return found


def _offset(tz: ZoneInfo, instant: datetime) -> timedelta:
    return instant.astimezone(tz).utcoffset() or timedelta()


def _bisect(tz: ZoneInfo, low: datetime, high: datetime) -> datetime:
    """The first instant in (low, high] with high's offset."""
    before = _offset(tz, low)
    while high - low > _PRECISION:
        middle = low + (high - low) / 2
        if _offset(tz, middle) == before:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)


def vtimezone(tzid: str, first: date, last: date) -> Timezone:
    tz = ZoneInfo(tzid)
    component = Timezone()
    component.add("TZID", tzid)
    start = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    onsets: dict[tuple[bool, timedelta, timedelta, str], list[datetime]] = defaultdict(list)
    onsets[_kind(tz, start), _offset(tz, start), _offset(tz, start), _name(tz, start)].append(
        start.astimezone(tz).replace(tzinfo=None)
    )
    for instant in transitions(tz, first, last):
        before = _offset(tz, instant - _PRECISION)
        key = (_kind(tz, instant), before, _offset(tz, instant), _name(tz, instant))
        onsets[key].append((instant + before).replace(tzinfo=None))
    for (daylight, offset_from, offset_to, name), starts in onsets.items():
        part = TimezoneDaylight() if daylight else TimezoneStandard()
        part.add("DTSTART", starts[0])
        for extra in starts[1:]:
            part.add("RDATE", extra)
        part.add("TZNAME", name)
        part.add("TZOFFSETFROM", offset_from)
        part.add("TZOFFSETTO", offset_to)
        component.add_component(part)
    return component


def _kind(tz: ZoneInfo, instant: datetime) -> bool:
    return bool(instant.astimezone(tz).dst())


def _name(tz: ZoneInfo, instant: datetime) -> str:
    return instant.astimezone(tz).tzname() or "UTC"
