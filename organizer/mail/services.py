"""The outbox: queue in the caller's transaction, enqueue after commit, deliver exactly once.

DESIGN.md decision 1. Nothing here commits: the request or the task base class does.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, or_, select, update

from organizer.db import after_commit, utcnow
from organizer.extensions import db
from organizer.mail.models import EmailStatus, OutboundAttachment, OutboundEmail
from organizer.mail.rendering import render_email
from organizer.mail.transport import get_transport

log = logging.getLogger(__name__)

DELIVER_TASK = "mail.deliver"
DELIVER_BATCH_TASK = "mail.deliver_batch"
# Ids per batch task: one Celery message and one claim per batch rather than per email,
# while a worker that dies mid-batch leaves at most this many claims to the stale sweep.
DELIVER_BATCH = 100
SWEEP_BATCH = 1000
# Celery may run a retry a hair before the instant we stored; this much early is still due.
DUE_TOLERANCE = timedelta(seconds=1)


@dataclass(frozen=True)
class Attachment:
    filename: str
    mime_type: str  # "application/pdf"
    content: bytes


def queue_email(
    *,
    to: str,
    template: str,
    locale: str,
    kind: str | None = None,
    context: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    idempotency_key: str | None = None,
    related: tuple[str, int] | None = None,
    attachments: Sequence[Attachment] = (),
) -> OutboundEmail:
    """Write the message to the outbox; its delivery is enqueued once the transaction commits."""
    if idempotency_key is not None:
        existing = db.session.scalar(
            select(OutboundEmail).where(OutboundEmail.idempotency_key == idempotency_key)
        )
        if existing is not None:
            return existing
    rendered = render_email(template, locale, **(context or {}))
    email = OutboundEmail(
        to_addr=to,
        subject=rendered.subject,
        text_body=rendered.text,
        html_body=rendered.html,
        headers=headers or {},
        message_id=make_msgid(domain=_mail_domain()),
        kind=kind or template,
        locale=locale,
        related_type=related[0] if related else None,
        related_id=related[1] if related else None,
        idempotency_key=idempotency_key,
        status=EmailStatus.QUEUED,
        attachments=[
            OutboundAttachment(
                position=position,
                filename=item.filename,
                mime_type=item.mime_type,
                sha256=hashlib.sha256(item.content).hexdigest(),
                content=item.content,
            )
            for position, item in enumerate(attachments)
        ],
    )
    db.session.add(email)
    db.session.flush()
    enqueue_after_commit([email.id])
    return email


def _mail_domain() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "cahier.invalid"


def enqueue_after_commit(email_ids: list[int]) -> None:
    """After the commit, one task per email, or one per DELIVER_BATCH emails when many."""
    celery = current_app.extensions["celery"]

    def enqueue() -> None:
        # retry=False: with Redis down, fail at once and leave the rows to the sweeper
        # rather than hold the request open.
        if len(email_ids) == 1:
            celery.send_task(DELIVER_TASK, args=[email_ids[0]], retry=False)
            return
        for start in range(0, len(email_ids), DELIVER_BATCH):
            batch = list(email_ids[start : start + DELIVER_BATCH])
            celery.send_task(DELIVER_BATCH_TASK, args=[batch], retry=False)

    after_commit(db.session, enqueue)


def claim(email_id: int) -> bool:
    """Compare-and-set queued → sending. True for exactly one caller per due attempt."""
    return claim_many([email_id]) == [email_id]


def claim_many(email_ids: list[int]) -> list[int]:
    """Compare-and-set queued → sending for each due row; the ids this caller won, in order."""
    now = utcnow()
    claimed = db.session.scalars(
        update(OutboundEmail)
        .where(
            OutboundEmail.id.in_(email_ids),
            OutboundEmail.status == EmailStatus.QUEUED,
            or_(
                OutboundEmail.next_attempt_at.is_(None),
                OutboundEmail.next_attempt_at <= now + DUE_TOLERANCE,
            ),
        )
        .values(
            status=EmailStatus.SENDING,
            claimed_at=now,
            attempts=OutboundEmail.attempts + 1,
            updated_at=now,
        )
        .returning(OutboundEmail.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed)


@dataclass(frozen=True)
class DeliveryResult:
    status: EmailStatus
    retry_in: float | None = None


def deliver(email_id: int) -> DeliveryResult:
    """Send a claimed message and record the outcome. Call only after a successful claim."""
    email = db.session.get(OutboundEmail, email_id, populate_existing=True)
    if email is None or email.status != EmailStatus.SENDING:
        raise LookupError(f"outbound email {email_id} is not claimed")
    try:
        get_transport().send(build_message(email))
    except (smtplib.SMTPException, OSError) as exc:
        return _record_failure(email, exc)
    email.status = EmailStatus.SENT
    email.sent_at = utcnow()
    email.last_error = None
    # The id and kind only: addresses are personal data and stay out of logs.
    log.info("email %s (%s) sent", email.id, email.kind)
    return DeliveryResult(EmailStatus.SENT)


def build_message(email: OutboundEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = email.to_addr
    message["Subject"] = email.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = email.message_id
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (email.headers or {}).items():
        message[name] = value
    message.set_content(email.text_body)
    message.add_alternative(email.html_body, subtype="html")
    for item in email.attachments:
        maintype, _, subtype = item.mime_type.partition("/")
        message.add_attachment(
            item.content, maintype=maintype, subtype=subtype or "octet-stream",
            filename=item.filename,
        )  # fmt: skip
    # After the parts: setting content clears every Content-* header.
    message["Content-Language"] = email.locale
    return message


def _is_permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _record_failure(email: OutboundEmail, exc: Exception) -> DeliveryResult:
    email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if _is_permanent(exc) or email.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        email.status = EmailStatus.FAILED
        log.warning("email %s failed for good: %s", email.id, email.last_error)
        return DeliveryResult(EmailStatus.FAILED)
    delay = retry_delay(email.attempts)
    email.status = EmailStatus.QUEUED
    email.next_attempt_at = utcnow() + timedelta(seconds=delay)
    log.info("email %s will be retried in %.1fs: %s", email.id, delay, email.last_error)
    return DeliveryResult(EmailStatus.QUEUED, retry_in=delay)


def retry_delay(attempts: int) -> float:
    base = float(current_app.config["MAIL_RETRY_BASE_SECONDS"])
    cap = float(current_app.config["MAIL_RETRY_MAX_SECONDS"])
    return float(min(cap, base * 2 ** max(0, attempts - 1)))


def sweep() -> list[int]:
    """Requeue what the broker lost: due rows still queued a while after they were due,
    and claims abandoned by a worker that died mid-send."""
    now = utcnow()
    stale_before = now - timedelta(seconds=current_app.config["OUTBOX_STALE_CLAIM_SECONDS"])
    db.session.execute(
        update(OutboundEmail)
        .where(OutboundEmail.status == EmailStatus.SENDING, OutboundEmail.claimed_at < stale_before)
        .values(status=EmailStatus.QUEUED, next_attempt_at=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    due_before = now - timedelta(seconds=current_app.config["OUTBOX_SWEEP_AGE_SECONDS"])
    ids = list(
        db.session.scalars(
            select(OutboundEmail.id)
            .where(
                OutboundEmail.status == EmailStatus.QUEUED,
                func.coalesce(OutboundEmail.next_attempt_at, OutboundEmail.created_at)
                <= due_before,
            )
            .order_by(OutboundEmail.id)
            .limit(SWEEP_BATCH)
        )
    )
    if ids:
        enqueue_after_commit(ids)
    return ids
