"""The bulk writes of an expansion batch, in the fastest form each database offers.

PostgreSQL: ids from the sequences, then the outbox rows and the recipients with COPY (an
``INSERT`` of thousands of rows with sixteen parameters each spends most of its time in the
driver turning placeholders into PostgreSQL's). COPY cannot skip a conflict, and need not:
the batch leaves out the supporters who already are recipients, under the mailing's row
lock; a conflict anyway (the unique pair, the idempotency key) is a violation that rolls the
batch back, never a second message. SQLite (development): row by row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

from sqlalchemy import Table, select, text, update
from sqlalchemy.dialects import sqlite

from organizer.extensions import db
from organizer.mail.models import OutboundEmail
from organizer.mailings.models import MailingRecipient

_outbox = cast(Table, OutboundEmail.__table__)
_recipients = cast(Table, MailingRecipient.__table__)
OUTBOX_COLUMNS = ("to_addr", "subject", "text_body", "html_body", "headers", "message_id",
                  "kind", "locale", "related_type", "related_id", "idempotency_key", "status",
                  "attempts", "created_at", "updated_at", "next_attempt_at", "body_id",
                  "merge_values")  # fmt: skip


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def fresh(mailing_id: int, supporter_ids: Sequence[int]) -> list[int]:
    """Those of ``supporter_ids`` not yet recipients of the mailing (a rerun's batch)."""
    if not supporter_ids:
        return []
    # A range, not IN (…5,000 ids…): turning that many placeholders into PostgreSQL's took
    # the driver longer than the query. The recipients in the range that are not in the
    # batch do no harm.
    taken = set(db.session.scalars(
        select(MailingRecipient.supporter_id).where(
            MailingRecipient.mailing_id == mailing_id,
            MailingRecipient.supporter_id.between(min(supporter_ids), max(supporter_ids)),
        )
    ))  # fmt: skip
    return [s for s in supporter_ids if s not in taken]


def allocate(count: int) -> tuple[list[int], list[int]]:
    """Ids for ``count`` outbox rows and as many recipients, taken from their sequences, so
    that each row can name the other before either is written."""
    if not _postgresql():
        return [], []
    rows = db.session.execute(
        text("SELECT nextval(pg_get_serial_sequence('outbound_email', 'id')), "
             "nextval(pg_get_serial_sequence('mailing_recipient', 'id')) "
             "FROM generate_series(1, :n)"),
        {"n": count},
    ).all()  # fmt: skip
    return [r[0] for r in rows], [r[1] for r in rows]


RECIPIENT_COLUMNS = ("id", "mailing_id", "supporter_id", "email_id", "status", "created_at",
                     "updated_at")  # fmt: skip


def write(outbox: Iterable[tuple[Any, ...]], recipients: list[tuple[Any, ...]]) -> list[int]:
    """Write the batch's rows (tuples in OUTBOX_COLUMNS and RECIPIENT_COLUMNS order, ids
    included on PostgreSQL); returns the outbox ids. ``recipients`` is read once ``outbox``
    is exhausted, so a generator may fill it as it goes."""
    if _postgresql():
        db.session.execute(_LZ4)
        ids: list[int] = []
        _copy("outbound_email", ("id", *OUTBOX_COLUMNS), _noting_ids(outbox, ids))
        if ids:
            _copy("mailing_recipient", RECIPIENT_COLUMNS, recipients)
        return ids
    return _write_sqlite(list(outbox), recipients)


def _noting_ids(rows: Iterable[tuple[Any, ...]], ids: list[int]) -> Iterator[tuple[Any, ...]]:
    for row in rows:
        ids.append(row[0])
        yield row


# For a row that still goes over TOAST's 2 kB (a long subject, many headers; every row did
# while each carried its rendered bodies, 3 to 4 kB): lz4 is several times faster than the
# default pglz, which took a fifth of an expansion then. For this transaction only, and only
# where the server was built with lz4 (a SET it does not know would abort the batch).
_LZ4 = text(
    "SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings "
    "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
)


def _copy(table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    raw = db.session.connection().connection.driver_connection
    names = ", ".join(columns)
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(row)


def _write_sqlite(outbox: list[tuple[Any, ...]], recipients: list[tuple[Any, ...]]) -> list[int]:
    ids: list[int] = []
    for email, recipient in zip(outbox, recipients, strict=True):
        values = dict(zip(OUTBOX_COLUMNS, email[1:], strict=True))
        values["headers"] = json.loads(values["headers"])
        values["merge_values"] = json.loads(values["merge_values"])
        rid = db.session.execute(
            sqlite.insert(_recipients).returning(_recipients.c.id),
            dict(zip(RECIPIENT_COLUMNS[1:], recipient[1:], strict=True)),
        ).scalar_one()
        values["related_id"] = rid
        email_id = db.session.execute(
            sqlite.insert(_outbox).returning(_outbox.c.id), values
        ).scalar_one()
        db.session.execute(
            update(MailingRecipient).where(MailingRecipient.id == rid).values(email_id=email_id)
        )
        ids.append(email_id)
    return ids
