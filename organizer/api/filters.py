"""The OData subset Action Network accepts in ``filter``: ``modified_date gt '2026-01-01'``,
with ``gt``, ``lt`` and ``eq``, and clauses joined by ``and``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func

CLAUSE = re.compile(r"\s*([a-z_]+)\s+(gt|lt|eq)\s+'([^']*)'\s*", re.IGNORECASE)
AND = re.compile(r"\s+and\s+", re.IGNORECASE)


class FilterError(ValueError):
    pass


def _moment(value: str) -> tuple[datetime, timedelta]:
    """The start of what the value names and how long it lasts: a day or a second."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC), timedelta(days=1)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise FilterError(
            _l("%(value)s is not a date (write 2026-01-31 or 2026-01-31T12:00:00Z).", value=value)
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC), timedelta(seconds=1)


def _date_clause(column: Any, op: str, value: str) -> ColumnElement[bool]:
    start, length = _moment(value)
    if op == "gt":
        return column >= start + length
    if op == "lt":
        return column < start
    return (column >= start) & (column < start + length)


def _text_clause(column: Any, op: str, value: str) -> ColumnElement[bool]:
    if op != "eq":
        raise FilterError(_l("Only eq compares a text."))
    return func.lower(column) == value.strip().lower()


def parse(text: str | None, dates: Mapping[str, Any],
          texts: Mapping[str, Any] | None = None) -> list[ColumnElement[bool]]:  # fmt: skip
    """The conditions of a filter; ``dates`` and ``texts`` map its field names to columns.
    Raises FilterError with a message the client can act on."""
    if text is None or not text.strip():
        return []
    texts = texts or {}
    conditions: list[ColumnElement[bool]] = []
    for clause in AND.split(text.strip()):
        match = CLAUSE.fullmatch(clause)
        if match is None:
            raise FilterError(
                _l("The filter %(clause)s is not understood: write a field, gt, lt or eq, "
                   "and a value in single quotes, as modified_date gt '2026-01-01'.",
                   clause=clause.strip() or "''")
            )  # fmt: skip
        field, op, value = match.group(1).lower(), match.group(2).lower(), match.group(3)
        if field in dates:
            conditions.append(_date_clause(dates[field], op, value))
        elif field in texts:
            conditions.append(_text_clause(texts[field], op, value))
        else:
            known = ", ".join(sorted([*dates, *texts]))
            raise FilterError(
                _l("This collection cannot be filtered on %(field)s; it can on %(known)s.",
                   field=field, known=known)
            )  # fmt: skip
    return conditions
