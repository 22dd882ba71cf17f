"""Event times: local wall time in the host's zone to UTC and back, and display in the
reader's language (Babel) but always in the event's own timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import format_datetime, format_time
from flask_babel import get_locale

# A 24-hour clock everywhere: a screening time must never be read as its twelve-hour twin.
HOUR = "HH:mm"


class LocalTimeError(ValueError):
    """A wall time that does not exist in the zone (the hour skipped when clocks go forward)."""


class AmbiguousTimeError(ValueError):
    """A wall time that occurs twice (the hour repeated when clocks go back); ``instants``
    are its two UTC readings, the first (fold 0) then the second (fold 1)."""

    def __init__(self, instants: tuple[datetime, datetime]) -> None:
        super().__init__("ambiguous local time")
        self.instants = instants


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    # Only canonical Area/City names; "posix/..." and "Etc/GMT+3" only confuse people.
    names = (n for n in available_timezones() if "/" in n and not n.startswith(("posix", "right")))
    return tuple(
        sorted(n for n in names if not n.startswith("Etc/") and not n.startswith("SystemV"))
    )


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def is_timezone(name: str) -> bool:
    return name == "UTC" or name in timezone_names()


def to_utc(day: date, wall: time, tz_name: str, fold: int | None = None) -> datetime:
    """The UTC instant of a wall time in ``tz_name``. In the repeated hour when clocks go
    back, the occurrence ``fold`` names (0 the first, 1 the second), and without it an
    :class:`AmbiguousTimeError`; in the skipped hour when they go forward, an error."""
    tz = zone(tz_name)
    first = datetime.combine(day, wall).replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = datetime.combine(day, wall).replace(tzinfo=tz, fold=1).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) != datetime.combine(day, wall):
        raise LocalTimeError(f"{day} {wall} does not exist in {tz_name}")
    if first == second:
        return first
    if fold is None:
        raise AmbiguousTimeError((first, second))
    return second if fold else first


def local(instant: datetime, tz_name: str) -> datetime:
    return instant.astimezone(zone(tz_name))


def _locale(locale: str | None) -> str:
    return locale or str(get_locale() or "en")


def format_when(instant: datetime, tz_name: str, locale: str | None = None) -> str:
    """'Saturday 24 October 2026, 19:00', in the event's zone and the reader's language."""
    return _full(instant, tz_name, _locale(locale))


def _full(instant: datetime, tz_name: str, locale: str) -> str:
    moment = local(instant, tz_name)
    day = format_datetime(moment, "EEEE d MMMM y", tzinfo=zone(tz_name), locale=locale)
    hour = format_time(moment, HOUR, tzinfo=zone(tz_name), locale=locale)
    return f"{day}, {hour}"


def format_range(starts: datetime, ends: datetime, tz_name: str, locale: str | None = None) -> str:
    """'Saturday 24 October 2026, 19:00 to 21:30 (Europe/Paris)', with an en dash."""
    loc = _locale(locale)
    end_hour = format_time(local(ends, tz_name), HOUR, tzinfo=zone(tz_name), locale=loc)
    same_day = local(starts, tz_name).date() == local(ends, tz_name).date()
    end = end_hour if same_day else _full(ends, tz_name, loc)
    return f"{_full(starts, tz_name, loc)} \u2013 {end} ({tz_name})"
