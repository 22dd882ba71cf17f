"""What a bounce, a complaint or an unsubscribe does to a mailing's recipient rows, so that
the report's counts are honest. The supporter's status and the suppression list are
organizer.mail.feedback's; it calls in here through its registry (registered at app creation)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from organizer.db import utcnow
from organizer.extensions import db
from organizer.mail import feedback
from organizer.mail.models import EmailStatus, OutboundEmail
from organizer.mailings.models import Mailing, MailingRecipient, RecipientStatus

RELATED = "mailing_recipient"

_STATUS = {
    feedback.Outcome.HARD_BOUNCE: RecipientStatus.BOUNCED,
    feedback.Outcome.COMPLAINT: RecipientStatus.COMPLAINED,
}


def register() -> None:
    feedback.register_resolver(RELATED, recipient_target)
    feedback.register_listener("mailings", on_feedback)


def recipient_target(recipient_id: int) -> feedback.Target | None:
    row = db.session.execute(
        select(Mailing.group_id, MailingRecipient.supporter_id)
        .join(Mailing, Mailing.id == MailingRecipient.mailing_id)
        .where(MailingRecipient.id == recipient_id)
    ).first()
    return feedback.Target(row.group_id, row.supporter_id) if row is not None else None


def on_feedback(
    outcome: feedback.Outcome, sent: feedback.Sent | None, target: feedback.Target | None
) -> None:
    now = utcnow()
    if target is not None and target.supporter_id is not None:
        if outcome == feedback.Outcome.UNSUBSCRIBE:
            _mark_unsubscribed(target.supporter_id, now)
        if outcome != feedback.Outcome.SOFT_BOUNCE:
            _cancel_queued(target.supporter_id, now)
    if outcome == feedback.Outcome.UNSUBSCRIBE:
        return
    status = _STATUS.get(outcome)
    if status is None or sent is None or sent.related_type != RELATED or sent.related_id is None:
        return
    db.session.execute(
        update(MailingRecipient)
        .where(MailingRecipient.id == sent.related_id)
        .values(status=status, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def _mark_unsubscribed(supporter_id: int, now: datetime) -> None:
    # "Unsubscribed after it" counts against the latest mailing the supporter was sent.
    latest = db.session.scalar(
        select(MailingRecipient.id)
        .where(
            MailingRecipient.supporter_id == supporter_id,
            MailingRecipient.email_id.is_not(None),
            MailingRecipient.unsubscribed_at.is_(None),
        )
        .order_by(MailingRecipient.id.desc())
        .limit(1)
    )
    if latest is not None:
        db.session.execute(
            update(MailingRecipient)
            .where(MailingRecipient.id == latest)
            .values(unsubscribed_at=now)
            .execution_options(synchronize_session=False)
        )


def _cancel_queued(supporter_id: int, now: datetime) -> None:
    """A mailing still draining must not reach someone who has just left the list: their
    rows not yet claimed are dropped (a claimed one is already on its way)."""
    queued = select(MailingRecipient.email_id).where(
        MailingRecipient.supporter_id == supporter_id,
        MailingRecipient.status == RecipientStatus.QUEUED,
        MailingRecipient.email_id.is_not(None),
    )
    dropped = db.session.scalars(
        update(OutboundEmail)
        .where(OutboundEmail.id.in_(queued), OutboundEmail.status == EmailStatus.QUEUED)
        .values(status=EmailStatus.FAILED, last_error="cancelled: the supporter left the list",
                updated_at=now)
        .returning(OutboundEmail.id)
        .execution_options(synchronize_session=False)
    ).all()  # fmt: skip
    if dropped:
        db.session.execute(
            update(MailingRecipient)
            .where(MailingRecipient.email_id.in_(dropped))
            .values(status=RecipientStatus.CANCELLED, updated_at=now)
            .execution_options(synchronize_session=False)
        )
