"""Mailings never track (DESIGN.md decision 14): their figures are aggregate counts."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.db import Base, new_public_id, str_enum, utcnow


class MailingStatus(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    SENT = "sent"
    CANCELLED = "cancelled"


class RecipientStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    BOUNCED = "bounced"
    COMPLAINED = "complained"
    CANCELLED = "cancelled"


def _new_archive_id() -> str:
    return uuid.uuid4().hex


class Mailing(Base):
    __tablename__ = "mailing"
    __table_args__ = (Index("ix_mailing_status_scheduled", "status", "scheduled_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_group.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    from_name: Mapped[str] = mapped_column(String(120), default="")
    reply_to: Mapped[str | None] = mapped_column(String(320))
    # The audience builder's filter, as organizer.mailings.audience reads it.
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[MailingStatus] = mapped_column(
        str_enum(MailingStatus, "mailing_status"), default=MailingStatus.DRAFT
    )
    scheduled_at: Mapped[datetime | None]
    # Proca's drip: at most this many messages an hour; None sends as fast as the workers go.
    hourly_cap: Mapped[int | None]
    # The expansion walks supporters in id order; a crashed worker resumes after this id.
    expanded_through_id: Mapped[int] = mapped_column(default=0)
    expanded_at: Mapped[datetime | None]
    recipient_count: Mapped[int] = mapped_column(default=0)
    archive_public: Mapped[bool] = mapped_column(default=False)
    archive_id: Mapped[str] = mapped_column(String(32), unique=True, default=_new_archive_id)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    contents: Mapped[list[MailingContent]] = relationship(
        back_populates="mailing", cascade="all, delete-orphan", order_by="MailingContent.language"
    )

    def __repr__(self) -> str:
        return f"<Mailing {self.id} {self.status}>"


class MailingContent(Base):
    """The subject and Markdown body in one language of the audience."""

    __tablename__ = "mailing_content"
    __table_args__ = (UniqueConstraint("mailing_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mailing_id: Mapped[int] = mapped_column(ForeignKey("mailing.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body_markdown: Mapped[str] = mapped_column(Text, default="")

    mailing: Mapped[Mailing] = relationship(back_populates="contents")


class MailingRecipient(Base):
    """One supporter in one mailing: the unique pair is what makes a send exactly-once."""

    __tablename__ = "mailing_recipient"
    __table_args__ = (
        UniqueConstraint("mailing_id", "supporter_id"),
        Index("ix_mailing_recipient_supporter", "supporter_id", "mailing_id"),
        Index("ix_mailing_recipient_mailing_status", "mailing_id", "status", "supporter_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mailing_id: Mapped[int] = mapped_column(ForeignKey("mailing.id", ondelete="CASCADE"))
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporter.id", ondelete="CASCADE"))
    email_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbound_email.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[RecipientStatus] = mapped_column(
        str_enum(RecipientStatus, "mailing_recipient_status"), default=RecipientStatus.QUEUED
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Set when this supporter unsubscribed through this mailing's link or header.
    unsubscribed_at: Mapped[datetime | None]
