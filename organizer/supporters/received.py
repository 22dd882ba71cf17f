"""The mailings a supporter was sent, for the organizers' supporter page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from organizer.extensions import db
from organizer.mailings.models import MailingContent, MailingRecipient
from organizer.supporters.models import Supporter


@dataclass(frozen=True)
class Received:
    mailing_id: int
    subject: str
    status: str
    at: datetime


def mailings_of(supporter: Supporter) -> list[Received]:
    subject = (
        select(func.min(MailingContent.subject))
        .where(MailingContent.mailing_id == MailingRecipient.mailing_id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(MailingRecipient, subject)
        .where(MailingRecipient.supporter_id == supporter.id)
        .order_by(MailingRecipient.created_at.desc())
    )
    return [
        Received(r.mailing_id, s or "", r.status.value, r.updated_at or r.created_at)
        for r, s in rows
    ]
