"""Day boundaries that hold at the edge of the calendar.

A filter "until 9999-12-31" means "until the end of time"; computing the midnight after it
would overflow Python's dates. So would a local time on 9999-12-31 in a zone behind UTC, so
dates people enter are held to :data:`LATEST_DAY`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

# The last day whose every local time still has a UTC equivalent and a next day.
LATEST_DAY = date.max - timedelta(days=2)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def start_of_next_day(day: date) -> datetime:
    """The UTC midnight that ends ``day``, or the last moment there is for the last days."""
    if day >= date.max - timedelta(days=1):
        return datetime.max.replace(tzinfo=UTC)
    return start_of_day(day + timedelta(days=1))
