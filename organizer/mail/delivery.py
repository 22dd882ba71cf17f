"""Claim, send, record: the worker's side of the outbox, in SQLAlchemy Core.

A drain sends hundreds of emails a second, so this path loads no ORM object: one
``UPDATE … RETURNING`` claims a batch with every column its messages need, the attachments
of the few rows that have any come in one more query, and so do the shared bodies of a
mailing's rows (``organizer.mail.bodies``), filled here; each outcome is one ``UPDATE``.
Nothing here commits: the task does, once per message (see ``workers/mail.py``), on a batch's
autocommit connection in the statement itself.
"""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, cast

import psycopg
from flask import current_app
from psycopg.pq import DiagnosticField, ExecStatus
from sqlalchemy import Connection, Table, bindparam, exists, func, or_, select, update
from sqlalchemy.orm import scoped_session
from sqlalchemy.orm.util import identity_key

from organizer.db import utcnow
from organizer.extensions import db
from organizer.mail import bodies, feedback
from organizer.mail.listmail import envelope_sender_for
from organizer.mail.mime import (
    Attachment,
    Outgoing,
    build_bytes,
    build_message,
    envelope_sender,
    fast_path,
)
from organizer.mail.models import EmailStatus, OutboundAttachment, OutboundEmail
from organizer.mail.transport import get_transport
from organizer.ops.logs import request_id_var

# The outbox's log lines keep the logger name that operators (and alerts) search for.
log = logging.getLogger("organizer.mail.services")

# Celery may run a retry a hair before the instant we stored; this much early is still due.
DUE_TOLERANCE = timedelta(seconds=1)

_email = cast(Table, OutboundEmail.__table__)
_file = cast(Table, OutboundAttachment.__table__)
_c = _email.c
_HAS_FILES = exists().where(_file.c.email_id == _c.id).correlate(_email).label("has_attachments")
_FIELDS = (_c.id, _c.to_addr, _c.subject, _c.text_body, _c.html_body, _c.headers,
           _c.message_id, _c.kind, _c.locale, _c.attempts, _c.body_id, _c.merge_values,
           _HAS_FILES)  # fmt: skip
Executor = Connection | scoped_session[Any]


@dataclass(frozen=True)
class DeliveryResult:
    status: EmailStatus
    retry_in: float | None = None


def _claim(ids: Sequence[int]) -> Any:
    now = utcnow()
    return (
        update(_email)
        .where(
            _c.id.in_(bindparam("ids", list(ids), expanding=True)),
            _c.status == EmailStatus.QUEUED,
            or_(_c.next_attempt_at.is_(None), _c.next_attempt_at <= now + DUE_TOLERANCE),
        )
        .values(
            status=EmailStatus.SENDING, claimed_at=now, attempts=_c.attempts + 1, updated_at=now
        )
    )


def claim_many(email_ids: Sequence[int]) -> list[int]:
    """Compare-and-set queued → sending for each due row; the ids this caller won, in order."""
    return sorted(db.session.scalars(_claim(email_ids).returning(_c.id)))


def claim_batch(email_ids: Sequence[int]) -> list[Outgoing]:
    """``claim_many``, returning what each won message is built from, in id order."""
    rows = db.session.execute(_claim(email_ids).returning(*_FIELDS)).all()
    return _with_attachments(sorted(rows, key=lambda row: row.id))


def load_claimed(email_id: int) -> Outgoing | None:
    rows = db.session.execute(
        select(*_FIELDS).where(_c.id == email_id, _c.status == EmailStatus.SENDING)
    ).all()
    found = _with_attachments(rows)
    return found[0] if found else None


def _with_attachments(rows: Sequence[Any]) -> list[Outgoing]:
    shared = bodies.load({r.body_id for r in rows if r.body_id is not None})
    emails = []
    for r in rows:
        text, html = (
            (r.text_body, r.html_body) if r.body_id is None
            else shared[r.body_id].fill(r.merge_values)
        )  # fmt: skip
        emails.append(
            Outgoing(id=r.id, to_addr=r.to_addr, subject=r.subject, text_body=text,
                     html_body=html, headers=r.headers or {}, message_id=r.message_id,
                     kind=r.kind, locale=r.locale, attempts=r.attempts)
        )  # fmt: skip
    with_files = [r.id for r in rows if r.has_attachments]
    if not with_files:
        return emails
    files: dict[int, list[Attachment]] = {}
    for email_id, filename, mime_type, content in db.session.execute(
        select(_file.c.email_id, _file.c.filename, _file.c.mime_type, _file.c.content)
        .where(_file.c.email_id.in_(with_files))
        .order_by(_file.c.email_id, _file.c.position)
    ):
        files.setdefault(email_id, []).append(Attachment(filename, mime_type, content))
    return [replace(e, attachments=tuple(files[e.id])) if e.id in files else e for e in emails]


def deliver(email_id: int) -> DeliveryResult:
    """Send a claimed message and record the outcome. Call only after a successful claim."""
    email = load_claimed(email_id)
    if email is None:
        raise LookupError(f"outbound email {email_id} is not claimed")
    result = deliver_claimed(email)
    # The row changed under the ORM's feet: a caller holding it must see the new state.
    cached = db.session.identity_map.get(identity_key(OutboundEmail, email_id))
    if cached is not None:
        db.session.expire(cached)
    return result


def deliver_claimed(
    email: Outgoing, conn: Connection | None = None, *, log_sent: bool = True
) -> DeliveryResult:
    """Send a claimed message and record the outcome, through ``conn`` when given (a batch
    holds one connection rather than check one out, and ping it, for every message).
    ``log_sent=False``: the caller logs the sent ones together (a line each was a twentieth
    of a mailing drain's CPU); failures and retries are always logged here."""
    mail_from = current_app.config["MAIL_FROM"]
    transport = get_transport()
    record = conn if conn is not None else db.session
    sender = envelope_sender_for(email.kind, email.id, envelope_sender(mail_from))
    try:
        if fast_path(email):
            transport.send_raw(sender, email.to_addr, build_bytes(email, mail_from))
        else:
            transport.send(build_message(email, mail_from), sender)
    except (smtplib.SMTPException, OSError) as exc:
        return _record_failure(record, email, exc)
    _mark_sent(record, email.id)
    if log_sent:
        # The id and kind only: addresses are personal data and stay out of logs.
        log.info("email %s (%s) sent", email.id, email.kind)
    return DeliveryResult(EmailStatus.SENT)


_SENT = (
    update(_email)
    .where(_c.id == bindparam("email_id"))
    .values(status=EmailStatus.SENT, sent_at=bindparam("now"), last_error=None,
            updated_at=bindparam("now"))
)  # fmt: skip
# The transaction that records "sent" commits asynchronously on PostgreSQL: if the
# database machine itself crashes in the next fraction of a second, the marker is lost, the
# row stays "sending" and the stale-claim sweep sends the message again, which is the same
# at-least-once window as a worker killed between the SMTP exchange and this commit. A
# killed worker or a restarted PostgreSQL loses nothing; the claim still commits
# synchronously. set_config(…, true) is SET LOCAL inside the statement, which saves a
# round trip per message.
_SENT_ASYNC = _SENT.where(func.set_config("synchronous_commit", "off", True).is_not(None))


# The same statement for libpq itself, prepared on the connection: on an autocommit
# connection (a batch's, workers/mail.py) it is the whole record of a sent message, one
# round trip. psycopg's cursor machinery around it (adapting, the prepared-statement cache)
# cost 90 µs of CPU a message, the statement through libpq alone 43 µs.
_SENT_NAME = b"cahier_outbox_sent"
_SENT_SQL = (
    b"UPDATE outbound_email SET status = 'sent', sent_at = $1, last_error = NULL, "
    b"updated_at = $1 WHERE id = $2 AND set_config('synchronous_commit', 'off', true) IS NOT NULL"
)
# What PostgreSQL answers for a statement name this connection has not prepared yet.
_NOT_PREPARED = "26000"


def _mark_sent(record: Executor, email_id: int) -> None:
    now = utcnow()
    if isinstance(record, Connection) and record.dialect.name == "postgresql":
        driver = record.connection.driver_connection
        if getattr(driver, "autocommit", False):
            _mark_sent_libpq(driver.pgconn, now.isoformat().encode(), email_id)  # type: ignore[union-attr]
            return
    dialect = record.dialect if isinstance(record, Connection) else record.get_bind().dialect
    record.execute(
        _SENT_ASYNC if dialect.name == "postgresql" else _SENT, {"email_id": email_id, "now": now}
    )


def _mark_sent_libpq(pgconn: Any, now: bytes, email_id: int) -> None:
    params = [now, str(email_id).encode()]
    result = pgconn.exec_prepared(_SENT_NAME, params)
    if result.status == ExecStatus.FATAL_ERROR and _sqlstate(result) == _NOT_PREPARED:
        # The first message on this connection: no bookkeeping of which connection has
        # it, since a pooled connection may be a new one under the same object.
        _check(pgconn, pgconn.prepare(_SENT_NAME, _SENT_SQL, None))
        result = pgconn.exec_prepared(_SENT_NAME, params)
    _check(pgconn, result)


def _sqlstate(result: Any) -> str:
    code = result.error_field(DiagnosticField.SQLSTATE)
    return code.decode() if code else ""


def _check(pgconn: Any, result: Any) -> None:
    """Raise what psycopg would have raised for a failed statement."""
    if result.status == ExecStatus.COMMAND_OK:
        return
    message = (result.error_message or pgconn.error_message or b"").decode(errors="replace")
    try:
        error: type[psycopg.Error] = psycopg.errors.lookup(_sqlstate(result) or "08000")
    except KeyError:  # a code newer than this psycopg
        error = psycopg.DatabaseError
    raise error(message.strip())


def log_sent_together(
    sent: Sequence[Outgoing], origins: Mapping[int, str | None] | None = None
) -> None:
    """One line per kind for the sent messages of a batch, with their ids; under the id of
    the request that wrote them (``origins``, by email id) where it is known."""
    groups: dict[tuple[str | None, str], list[str]] = {}
    for email in sent:
        origin = (origins or {}).get(email.id)
        groups.setdefault((origin, email.kind), []).append(str(email.id))
    for (origin, kind), ids in groups.items():
        token = request_id_var.set(origin) if origin else None
        try:
            log.info("emails %s (%s) sent", " ".join(ids), kind)
        finally:
            if token is not None:
                request_id_var.reset(token)


def _is_permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _record_failure(record: Executor, email: Outgoing, exc: Exception) -> DeliveryResult:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    now = utcnow()
    outcome = update(_email).where(_c.id == email.id)
    if _is_permanent(exc) or email.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        record.execute(outcome.values(status=EmailStatus.FAILED, last_error=error, updated_at=now))
        if _mailbox_refused(exc):
            _refused_for_good(email.id, error)
        log.warning("email %s (%s) failed for good: %s", email.id, email.kind, _loggable(exc))
        return DeliveryResult(EmailStatus.FAILED)
    delay = retry_delay(email.attempts)
    record.execute(
        outcome.values(
            status=EmailStatus.QUEUED,
            last_error=error,
            updated_at=now,
            next_attempt_at=now + timedelta(seconds=delay),
        )
    )
    log.info("email %s (%s) will be retried in %.1fs: %s", email.id, email.kind, delay,
             _loggable(exc))  # fmt: skip
    return DeliveryResult(EmailStatus.QUEUED, retry_in=delay)


def _mailbox_refused(exc: Exception) -> bool:
    """A 5xx about the recipient, not about us: a refused MAIL FROM (our relay's set-up) or
    a message refused for its content must not suppress the address."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return _is_permanent(exc)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return False
    if isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500:
        text = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return bool(_MAILBOX_STATUS.search(text))
    return False


# RFC 3463: 5.1.x is a bad address or mailbox, 5.2.1 a disabled one.
_MAILBOX_STATUS = re.compile(r"\b5\.(1\.\d{1,3}|2\.1)\b")


def _refused_for_good(email_id: int, error: str) -> None:
    """The address bounces. In the session, which the task commits after ``record`` (a
    batch records through its own connection)."""
    sent = feedback.sent_row(email_id)
    if sent is not None:
        feedback.apply(feedback.Outcome.HARD_BOUNCE, sent, detail=error[:500])


def _loggable(exc: Exception) -> str:
    # A server's refusal often quotes the address, which stays out of logs (it is kept in
    # the row's last_error, with the message).
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        return f"SMTPRecipientsRefused {codes}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{type(exc).__name__} {exc.smtp_code}"
    return f"{type(exc).__name__}: {exc}"


def retry_delay(attempts: int) -> float:
    base = float(current_app.config["MAIL_RETRY_BASE_SECONDS"])
    cap = float(current_app.config["MAIL_RETRY_MAX_SECONDS"])
    return float(min(cap, base * 2 ** max(0, attempts - 1)))
