"""Claim, send, record: the worker's side of the outbox, in SQLAlchemy Core.

A drain sends hundreds of emails a second, so this path loads no ORM object: one
``UPDATE … RETURNING`` claims a batch with every column its messages need, the attachments
of the few rows that have any come in one more query, and each outcome is one ``UPDATE``.
Nothing here commits: the task does, once per message (see ``workers/mail.py``).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import Table, bindparam, exists, or_, select, text, update
from sqlalchemy.orm.util import identity_key

from organizer.db import utcnow
from organizer.extensions import db
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

log = logging.getLogger(__name__)

# Celery may run a retry a hair before the instant we stored; this much early is still due.
DUE_TOLERANCE = timedelta(seconds=1)

_email = cast(Table, OutboundEmail.__table__)
_file = cast(Table, OutboundAttachment.__table__)
_c = _email.c
_HAS_FILES = exists().where(_file.c.email_id == _c.id).correlate(_email).label("has_attachments")
_FIELDS = (_c.id, _c.to_addr, _c.subject, _c.text_body, _c.html_body, _c.headers,
           _c.message_id, _c.kind, _c.locale, _c.attempts, _HAS_FILES)  # fmt: skip
# Turns the "sent" transaction's commit asynchronous on PostgreSQL (see _record_sent).
_ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO off")


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
    emails = [
        Outgoing(id=r.id, to_addr=r.to_addr, subject=r.subject, text_body=r.text_body,
                 html_body=r.html_body, headers=r.headers or {}, message_id=r.message_id,
                 kind=r.kind, locale=r.locale, attempts=r.attempts)
        for r in rows
    ]  # fmt: skip
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


def deliver_claimed(email: Outgoing) -> DeliveryResult:
    mail_from = current_app.config["MAIL_FROM"]
    transport = get_transport()
    try:
        if fast_path(email):
            transport.send_raw(
                envelope_sender(mail_from), email.to_addr, build_bytes(email, mail_from)
            )
        else:
            transport.send(build_message(email, mail_from))
    except (smtplib.SMTPException, OSError) as exc:
        return _record_failure(email, exc)
    _record_sent(email.id)
    # The id and kind only: addresses are personal data and stay out of logs.
    log.info("email %s (%s) sent", email.id, email.kind)
    return DeliveryResult(EmailStatus.SENT)


def _record_sent(email_id: int) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        # This transaction only records that the message left. Committed asynchronously,
        # it is lost only if the database machine itself crashes in the next fraction of a
        # second; the row then stays "sending" and the stale-claim sweep sends it again: the
        # same at-least-once window as a worker killed between the SMTP exchange and this
        # commit. A killed worker or a restarted PostgreSQL loses nothing. The claim is
        # still committed synchronously.
        db.session.execute(_ASYNC_COMMIT)
    now = utcnow()
    db.session.execute(
        update(_email)
        .where(_c.id == email_id)
        .values(status=EmailStatus.SENT, sent_at=now, last_error=None, updated_at=now)
    )


def _is_permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _record_failure(email: Outgoing, exc: Exception) -> DeliveryResult:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    now = utcnow()
    outcome = update(_email).where(_c.id == email.id)
    if _is_permanent(exc) or email.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        db.session.execute(
            outcome.values(status=EmailStatus.FAILED, last_error=error, updated_at=now)
        )
        log.warning("email %s (%s) failed for good: %s", email.id, email.kind, _loggable(exc))
        return DeliveryResult(EmailStatus.FAILED)
    delay = retry_delay(email.attempts)
    db.session.execute(
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
