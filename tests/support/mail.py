"""The outbox as a test reads it."""

from __future__ import annotations

from sqlalchemy import select

from organizer.extensions import db
from organizer.mail.models import OutboundEmail


def emails_to(address: str, kind: str | None = None) -> list[OutboundEmail]:
    """In the order they were written: PostgreSQL returns an updated row wherever its new
    version lies, so without the order a test's "last email" is whichever came back last."""
    statement = select(OutboundEmail).where(OutboundEmail.to_addr == address)
    if kind:
        statement = statement.where(OutboundEmail.kind == kind)
    return list(db.session.scalars(statement.order_by(OutboundEmail.id)))
