"""A mailing's life after "send": schedule, expand, drip, pause, resume, cancel, finish.

Every change of status is a compare-and-set on the mailing row, so a double click (two
POSTs of "send") starts one expansion; the expansion itself is exactly-once anyway
(expansion.py). Nothing here commits.

The hourly cap spreads the outbox rows' ``next_attempt_at`` over hourly slots; the beat task
``mailings.tick`` enqueues each slot once it is due (the outbox sweeper would also find them,
but only a minute late and at most SWEEP_BATCH rows a sweep).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import Select, exists, func, select, update

from organizer.db import after_commit, utcnow
from organizer.extensions import db
from organizer.mail.models import EmailStatus, OutboundEmail
from organizer.mail.services import enqueue_after_commit
from organizer.mailings.models import Mailing, MailingRecipient, MailingStatus, RecipientStatus

EXPAND_TASK = "mailings.expand"
# Where a paused mailing's queued rows wait: no claim or sweep takes a row due this late.
HOLD = datetime(9000, 1, 1, tzinfo=UTC)
CANCELLED = "cancelled"
_ENQUEUE_CHUNK = 5000


def _enqueue_expansion(mailing_id: int) -> None:
    celery = current_app.extensions["celery"]
    after_commit(db.session, lambda: celery.send_task(EXPAND_TASK, args=[mailing_id], retry=False))


def _move(
    mailing: Mailing, frm: tuple[MailingStatus, ...], to: MailingStatus, **values: object
) -> bool:
    """Compare-and-set the status; True for exactly one caller."""
    now = utcnow()
    changed = db.session.execute(
        update(Mailing)
        .where(Mailing.id == mailing.id, Mailing.status.in_(frm))
        .values(status=to, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    db.session.refresh(mailing)
    return bool(changed)


def send(mailing: Mailing, at: datetime | None, hourly_cap: int | None) -> bool:
    """Send now (``at`` empty or past) or schedule; False when it was already sent."""
    now = utcnow()
    if at is not None and at > now:
        return _move(
            mailing,
            (MailingStatus.DRAFT,),
            MailingStatus.SCHEDULED,
            scheduled_at=at,
            hourly_cap=hourly_cap,
        )
    moved = _move(
        mailing,
        (MailingStatus.DRAFT,),
        MailingStatus.SENDING,
        started_at=now,
        scheduled_at=None,
        hourly_cap=hourly_cap,
    )
    if moved:
        _enqueue_expansion(mailing.id)
    return moved


def start_due() -> list[int]:
    """Scheduled mailings whose time has come start sending (one caller wins each)."""
    now = utcnow()
    due = list(
        db.session.scalars(
            select(Mailing.id).where(
                Mailing.status == MailingStatus.SCHEDULED, Mailing.scheduled_at <= now
            )
        )
    )
    started = []
    for mailing_id in due:
        mailing = db.session.get_one(Mailing, mailing_id)
        if _move(mailing, (MailingStatus.SCHEDULED,), MailingStatus.SENDING, started_at=now):
            _enqueue_expansion(mailing_id)
            started.append(mailing_id)
    return started


def _queued_rows(mailing_id: int) -> Select[int]:
    return (
        select(OutboundEmail.id)
        .join(MailingRecipient, MailingRecipient.email_id == OutboundEmail.id)
        .where(
            MailingRecipient.mailing_id == mailing_id, OutboundEmail.status == EmailStatus.QUEUED
        )
    )


def pause(mailing: Mailing) -> bool:
    if not _move(mailing, (MailingStatus.SENDING,), MailingStatus.PAUSED):
        return False
    db.session.execute(
        update(OutboundEmail)
        .where(OutboundEmail.id.in_(_queued_rows(mailing.id)))
        .values(next_attempt_at=HOLD, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return True


def resume(mailing: Mailing) -> bool:
    if not _move(mailing, (MailingStatus.PAUSED,), MailingStatus.SENDING):
        return False
    ids = list(db.session.scalars(_queued_rows(mailing.id).order_by(OutboundEmail.id)))
    cap = mailing.hourly_cap or len(ids) or 1
    now = utcnow()
    for hour, start in enumerate(range(0, len(ids), cap)):
        slot = ids[start : start + cap]
        db.session.execute(
            update(OutboundEmail)
            .where(OutboundEmail.id.in_(slot))
            .values(next_attempt_at=now + timedelta(hours=hour) if hour else None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if hour == 0:
            for chunk in range(0, len(slot), _ENQUEUE_CHUNK):
                enqueue_after_commit(slot[chunk : chunk + _ENQUEUE_CHUNK])
    if mailing.expanded_at is None:
        _enqueue_expansion(mailing.id)
    return True


def cancel(mailing: Mailing) -> bool:
    """Stop for good: what is still queued is marked failed ("cancelled"); what a worker is
    sending at this instant still goes (the report counts it as sent)."""
    active = (MailingStatus.SCHEDULED, MailingStatus.SENDING, MailingStatus.PAUSED)
    now = utcnow()
    if not _move(mailing, active, MailingStatus.CANCELLED, finished_at=now):
        return False
    db.session.execute(
        update(OutboundEmail)
        .where(OutboundEmail.id.in_(_queued_rows(mailing.id)))
        .values(status=EmailStatus.FAILED, last_error=CANCELLED, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(MailingRecipient)
        .where(
            MailingRecipient.mailing_id == mailing.id,
            MailingRecipient.status == RecipientStatus.QUEUED,
            MailingRecipient.email_id.in_(
                select(OutboundEmail.id).where(
                    OutboundEmail.last_error == CANCELLED,
                    OutboundEmail.status == EmailStatus.FAILED,
                )
            ),
        )
        .values(status=RecipientStatus.CANCELLED, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return True


def release_due(window_seconds: float) -> list[int]:
    """Enqueue the drip slots that became due within the last ``window_seconds``."""
    now = utcnow()
    ids = list(
        db.session.scalars(
            select(OutboundEmail.id)
            .where(
                OutboundEmail.status == EmailStatus.QUEUED,
                OutboundEmail.kind == "mailing",
                OutboundEmail.next_attempt_at <= now,
                OutboundEmail.next_attempt_at > now - timedelta(seconds=window_seconds),
            )
            .order_by(OutboundEmail.id)
        )
    )
    for chunk in range(0, len(ids), _ENQUEUE_CHUNK):
        enqueue_after_commit(ids[chunk : chunk + _ENQUEUE_CHUNK])
    return ids


def sync_recipients(mailing_id: int) -> None:
    """Carry the outbox's outcomes to the recipients (bounces and complaints, which arrive
    later, are set by the mail hooks and are not overwritten here)."""
    now = utcnow()
    for email_status, recipient_status in (
        (EmailStatus.SENT, RecipientStatus.SENT),
        (EmailStatus.FAILED, RecipientStatus.FAILED),
    ):
        db.session.execute(
            update(MailingRecipient)
            .where(
                MailingRecipient.mailing_id == mailing_id,
                MailingRecipient.status == RecipientStatus.QUEUED,
                exists().where(
                    OutboundEmail.id == MailingRecipient.email_id,
                    OutboundEmail.status == email_status,
                ),
            )
            .values(status=recipient_status, updated_at=now)
            .execution_options(synchronize_session=False)
        )


def finish_done() -> list[int]:
    """Sending mailings that are fully expanded and have nothing left in the outbox are sent."""
    finished = []
    recently = utcnow() - timedelta(hours=1)
    for mailing in db.session.scalars(
        select(Mailing).where(
            Mailing.expanded_at.is_not(None),
            Mailing.status.in_((MailingStatus.SENDING, MailingStatus.PAUSED))
            | (
                Mailing.status.in_((MailingStatus.CANCELLED, MailingStatus.SENT))
                & (Mailing.finished_at > recently)
            ),
        )
    ):
        sync_recipients(mailing.id)
        if mailing.status != MailingStatus.SENDING:
            continue
        pending = db.session.scalar(
            select(func.count())
            .select_from(OutboundEmail)
            .join(MailingRecipient, MailingRecipient.email_id == OutboundEmail.id)
            .where(
                MailingRecipient.mailing_id == mailing.id,
                OutboundEmail.status.in_((EmailStatus.QUEUED, EmailStatus.SENDING)),
            )
        )
        if not pending and _move(
            mailing, (MailingStatus.SENDING,), MailingStatus.SENT, finished_at=utcnow()
        ):
            finished.append(mailing.id)
    return finished


def stalled_expansions(stale_seconds: float) -> list[int]:
    """Sending mailings whose expansion has not moved for a while: a killed worker's task
    comes back through here too (besides acks_late). Each batch touches ``updated_at``; a
    second expansion of the same mailing would only wait on the first one's row lock."""
    before = utcnow() - timedelta(seconds=stale_seconds)
    return list(
        db.session.scalars(
            select(Mailing.id).where(
                Mailing.status == MailingStatus.SENDING,
                Mailing.expanded_at.is_(None),
                Mailing.updated_at < before,
            )
        )
    )


@dataclass(frozen=True)
class Progress:
    total: int
    queued: int
    sent: int
    failed: int

    @property
    def done(self) -> int:
        return self.sent + self.failed


def progress(mailing: Mailing) -> Progress:
    counts = dict(
        db.session.execute(
            select(OutboundEmail.status, func.count())
            .join(MailingRecipient, MailingRecipient.email_id == OutboundEmail.id)
            .where(MailingRecipient.mailing_id == mailing.id)
            .group_by(OutboundEmail.status)
        ).all()
    )
    queued = counts.get(EmailStatus.QUEUED, 0) + counts.get(EmailStatus.SENDING, 0)
    sent, failed = counts.get(EmailStatus.SENT, 0), counts.get(EmailStatus.FAILED, 0)
    return Progress(max(mailing.recipient_count, queued + sent + failed), queued, sent, failed)
