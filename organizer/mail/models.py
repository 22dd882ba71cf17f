"""The outbox (DESIGN.md decision 1) and the dev mailbox."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.db import Base, str_enum, utcnow


class EmailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboundEmail(Base):
    """One message to one recipient, written in the transaction that decided to send it."""

    __tablename__ = "outbound_email"
    __table_args__ = (Index("ix_outbound_email_status_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_addr: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(998))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8))
    related_type: Mapped[str | None] = mapped_column(String(64))
    related_id: Mapped[int | None] = mapped_column(Integer)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    status: Mapped[EmailStatus] = mapped_column(
        str_enum(EmailStatus, "email_status"),
        default=EmailStatus.QUEUED,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    next_attempt_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    # A body shared with other rows (a mailing's, see organizer/mail/bodies.py), filled with
    # this row's values; text_body and html_body are then empty.
    body_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_body.id"))
    merge_values: Mapped[list[str] | None] = mapped_column(JSON)

    attachments: Mapped[list[OutboundAttachment]] = relationship(
        cascade="all, delete-orphan", order_by="OutboundAttachment.position"
    )

    def __repr__(self) -> str:
        return f"<OutboundEmail {self.id} {self.kind} {self.status}>"


class OutboundBody(Base):
    """A body many outbox rows share, with slots for each row's values; never changed once
    written, so that a message built twice is built alike."""

    __tablename__ = "outbound_body"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Who stored it and for what: "mailing:<id>:<language>".
    key: Mapped[str] = mapped_column(String(255), unique=True)
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboundAttachment(Base):
    """A file sent with an outbox message (letters carry their PDF and annex)."""

    __tablename__ = "outbound_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_id: Mapped[int] = mapped_column(
        ForeignKey("outbound_email.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    filename: Mapped[str] = mapped_column(String(200))
    mime_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class CapturedEmail(Base):
    """A message the dev transport 'delivered': what /dev/mail shows. Never used in production."""

    __tablename__ = "captured_email"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255))
    to_addr: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(998))
    raw: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "to": self.to_addr, "subject": self.subject}


class SuppressionReason(enum.StrEnum):
    HARD_BOUNCE = "hard_bounce"
    SOFT_BOUNCES = "soft_bounces"
    COMPLAINT = "complaint"
    MANUAL = "manual"


class Suppression(Base):
    """An address no non-transactional mail goes to: for one group, or for every group when
    ``group_id`` is empty (a hard bounce: the mailbox does not exist)."""

    __tablename__ = "mail_suppression"
    __table_args__ = (
        UniqueConstraint("email", "group_id"),
        Index("ix_mail_suppression_email", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Lower-cased address as mail is sent to it.
    email: Mapped[str] = mapped_column(String(320))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign_group.id", ondelete="CASCADE")
    )
    reason: Mapped[SuppressionReason] = mapped_column(
        str_enum(SuppressionReason, "suppression_reason")
    )
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
