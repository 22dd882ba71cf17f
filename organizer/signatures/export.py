"""CSV export of confirmed signatures, streamed in constant memory, with every cell that a
spreadsheet would run as a formula escaped.

On PostgreSQL the rows are formatted by the server (``COPY … TO STDOUT WITH (FORMAT csv)``),
which is several times faster than fetching them into Python; elsewhere (SQLite) Python's
``csv`` module writes them a thousand at a time. Both produce the same bytes: UTF-8, lines
ending in ``\\n`` (PostgreSQL's CSV writer cannot end them in ``\\r\\n``), quotes only where
needed, no cell quoted for being empty, timestamps as ``datetime.isoformat()`` writes an
aware UTC datetime (``2026-11-22T17:58:12.123456+00:00``, without the fraction when it is
zero). The Excel variant only starts with a byte-order mark: without one, Excel reads UTF-8
as Windows-1252 and shows "Élodie" as "Ã‰lodie".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Select,
    SQLColumnExpression,
    String,
    case,
    func,
    literal,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects import postgresql

from organizer.campaigns.models import Campaign, Revision
from organizer.extensions import db
from organizer.signatures.consents import Purpose, consented
from organizer.signatures.models import Signature, SignatureStatus
from organizer.sources.codes import NO_SOURCE

# The consent columns, in order, and the purpose each one reports.
CONSENT_COLUMNS = {
    "show_name": Purpose.PUBLIC_LIST,
    "receive_updates": Purpose.UPDATES,
    "name_to_authorities": Purpose.NAME_TO_AUTHORITIES,
}
HEADER = [
    "name",
    "email",
    "country",
    "postal_code",
    "language",
    *CONSENT_COLUMNS,
    "revision",
    "signed_at",
    "confirmed_at",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 1000  # rows per chunk on the Python path
COPY_CHUNK_BYTES = 64 * 1024  # COPY sends one message per row; the client gets bigger pieces
ISO_UTC = 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'
BOM = "\ufeff".encode()


def escape_cell(value: object) -> str:
    """OWASP's advice for CSV injection: a leading quote makes the cell plain text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(
    campaign: Campaign, excel: bool = False, source: str | None = None
) -> Iterator[bytes]:
    """The export as UTF-8 chunks of many lines each, header first (after a BOM for Excel);
    only the signatures that came with ``source`` when one is given (NO_SOURCE: with none)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return copy_chunks(campaign, excel, source)
    return python_chunks(campaign, excel, source)


def _confirmed(
    campaign: Campaign, columns: list[SQLColumnExpression[Any]], source: str | None = None
) -> Select[Any]:
    """The rows of the export: counted signatures, in the order they came."""
    statement = (
        select(*columns)
        .join(Revision, Revision.id == Signature.revision_id)
        .where(
            Signature.campaign_id == campaign.id,
            Signature.status == SignatureStatus.CONFIRMED,
            Signature.suspect.is_(False),
        )
        .order_by(Signature.id)
    )
    if source is None:
        return statement
    if source == NO_SOURCE:
        return statement.where(Signature.source.is_(None))
    return statement.where(Signature.source == source)


def _header(excel: bool) -> bytes:
    return (BOM if excel else b"") + (",".join(HEADER) + "\n").encode()


def _consents() -> list[SQLColumnExpression[Any]]:
    return [consented(purpose) for purpose in CONSENT_COLUMNS.values()]


# --- PostgreSQL: the server writes the CSV ----------------------------------------------------


def _sql_escaped(column: SQLColumnExpression[Any]) -> SQLColumnExpression[Any]:
    # NULLIF: COPY quotes an empty string (to tell it from NULL); Python's csv does not.
    escaped = case(
        (func.left(column, 1).in_(FORMULA_STARTS), literal("'", String) + column), else_=column
    )
    return func.nullif(escaped, "")


def _sql_yes_no(column: SQLColumnExpression[Any]) -> SQLColumnExpression[Any]:
    return case((column, "yes"), else_="no")


def _sql_iso(column: SQLColumnExpression[Any]) -> SQLColumnExpression[Any]:
    # AT TIME ZONE 'UTC' makes it independent of the session's TimeZone; isoformat() leaves
    # out a zero fraction, and ".000000+" can only be that fraction.
    formatted = func.to_char(func.timezone("UTC", column), ISO_UTC)
    return func.replace(formatted, ".000000+", "+")


def copy_statement(campaign: Campaign, source: str | None = None) -> str:
    """``COPY (SELECT …) TO STDOUT`` with the values inlined (COPY takes no parameters)."""
    columns = [
        _sql_escaped(Signature.name),
        _sql_escaped(Signature.email),
        _sql_escaped(Signature.country),
        _sql_escaped(Signature.postal_code),
        _sql_escaped(Signature.locale),
        *(_sql_yes_no(column) for column in _consents()),
        Revision.number,
        _sql_iso(Signature.created_at),
        _sql_iso(Signature.confirmed_at),
    ]
    query = _confirmed(campaign, columns, source).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    return f"COPY ({query}) TO STDOUT WITH (FORMAT csv)"


def copy_chunks(
    campaign: Campaign, excel: bool = False, source: str | None = None
) -> Iterator[bytes]:
    """The export through COPY, on the session's connection and in its transaction.

    The rest of that transaction is read-only: the export is the last thing a request does.
    """
    statement = copy_statement(campaign, source)
    db.session.execute(text("SET TRANSACTION READ ONLY"))
    driver = db.session.connection().connection.driver_connection
    assert driver is not None
    yield _header(excel)
    buffer = bytearray()
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for data in copy:
            buffer += data
            if len(buffer) >= COPY_CHUNK_BYTES:
                yield bytes(buffer)
                buffer.clear()
    if buffer:
        yield bytes(buffer)


# --- Elsewhere: Python's csv module ---------------------------------------------------------


def _iso(value: object) -> str:
    """isoformat() of the UTC instant, from a datetime or from SQLite's stored text."""
    if value is None:
        return ""
    if isinstance(value, str) and len(value) == 26 and value[10] == " ":
        # How SQLAlchemy stores a datetime in SQLite, "2026-11-22 17:58:12.123456", in UTC
        # here (UTCDateTime): cut and pasted, at a fifth of the cost of a round trip.
        fraction = "" if value.endswith(".000000") else value[19:]
        return f"{value[:10]}T{value[11:19]}{fraction}+00:00"
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.isoformat()


def _crlf_safe(rows: list[list[Any]]) -> str:
    # Python's csv quotes only the characters of its line terminator, so with "\n" a bare CR
    # would go out unquoted (COPY quotes it). Rows with one are rare: write them with "\r\n",
    # which quotes both, and put the "\n" back.
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    lines = []
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        lines.append(buffer.getvalue()[:-2] + "\n")
    return "".join(lines)


def python_chunks(
    campaign: Campaign, excel: bool = False, source: str | None = None
) -> Iterator[bytes]:
    """The export through the ORM's connection, CHUNK rows at a time; any database."""
    yield _header(excel)
    columns: list[SQLColumnExpression[Any]] = [
        Signature.name,
        Signature.email,
        Signature.country,
        Signature.postal_code,
        Signature.locale,
        *_consents(),
        Revision.number,
        # Raw values: UTCDateTime would build two datetimes per cell only to print them.
        type_coerce(Signature.created_at, String),
        type_coerce(Signature.confirmed_at, String),
    ]
    # A Core result on the session's connection: the ORM's row machinery is not needed here.
    statement = _confirmed(campaign, columns, source).execution_options(yield_per=CHUNK)
    result = db.session.connection().execute(statement)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for part in result.partitions():
        rows = [
            [
                *(escape_cell(cell) for cell in row[:5]),
                *("yes" if given else "no" for given in row[5:8]),
                row[8],
                _iso(row[9]),
                _iso(row[10]),
            ]
            for row in part
        ]
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(rows)
        chunk = buffer.getvalue()
        yield (_crlf_safe(rows) if "\r" in chunk else chunk).encode()
