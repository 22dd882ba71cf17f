"""Supporters are made from confirmed actions only (DESIGN.md decision 13)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from organizer.db import Base, new_public_id, str_enum, utcnow


class SupporterStatus(enum.StrEnum):
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCING = "bouncing"
    COMPLAINED = "complained"


# The rows the audience indexes hold; organizer.supporters.audience.mailable says the same.
MAILABLE = text("status = 'subscribed' AND erased_at IS NULL AND NOT suppressed")


class Supporter(Base):
    """One person on one group's list. ``status`` is the current word of the consent history,
    stored here so that audience queries need no history scan."""

    __tablename__ = "supporter"
    __table_args__ = (
        UniqueConstraint("group_id", "canonical_email"),
        Index("ix_supporter_group_status", "group_id", "status", "id"),
        Index("ix_supporter_group_country", "group_id", "country"),
        Index("ix_supporter_group_language", "group_id", "language"),
        Index("ix_supporter_group_created", "group_id", "created_at"),
        # The audience count (organizer.supporters.audience) reads only these two: the
        # mailable supporters with every column a filter compares, ...
        Index(
            "ix_supporter_mailable",
            "group_id",
            "country",
            "language",
            "created_at",
            "id",
            postgresql_where=MAILABLE,
            sqlite_where=MAILABLE,
        ),
        # ... and the same supporters in id order, for the filters that are joins (signers,
        # tags, recipients of a mailing): merge joins with their (…, supporter_id) indexes.
        # Two integers a row: a scan of it costs a fifth less than one that also carries the
        # compared columns, and the joins combined with a country or a date were no slower.
        Index(
            "ix_supporter_mailable_id",
            "group_id",
            "id",
            postgresql_where=MAILABLE,
            sqlite_where=MAILABLE,
        ),
        Index("ix_supporter_group_email_lower", "group_id", text("lower(email)")),
        # The API pages people in id order on this index alone, and filters on updated_at.
        Index(
            "ix_supporter_group_listed",
            "group_id",
            "id",
            postgresql_where=text("erased_at IS NULL"),
            sqlite_where=text("erased_at IS NULL"),
        ),
        Index("ix_supporter_group_updated", "group_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("campaign_group.id", ondelete="CASCADE"))
    # What the API shows (OSDI identifiers); the integer id never leaves the database.
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    # Empty once erased; the erasure keeps an HMAC in ErasedSupporter instead.
    canonical_email: Mapped[str | None] = mapped_column(String(320))
    email: Mapped[str | None] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(120), default="")
    country: Mapped[str | None] = mapped_column(String(2))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[SupporterStatus] = mapped_column(
        str_enum(SupporterStatus, "supporter_status"), default=SupporterStatus.UNSUBSCRIBED
    )
    # Whether the address is on the suppression list for this group (or for every group):
    # kept here by organizer.mail.suppression, so that the audience indexes leave it out.
    suppressed: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Soft bounces since the last delivery; three make the supporter bouncing.
    soft_bounces: Mapped[int] = mapped_column(default=0)
    # The API's custom fields (Action Network's custom_fields): strings, per group.
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The last action (signature, commitment, RSVP, import); retention counts from here.
    last_action_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    erased_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<Supporter {self.id} {self.status}>"


class ConsentEvent(Base):
    """One change of consent: what, granted or withdrawn, through which action, which text."""

    __tablename__ = "supporter_consent_event"
    __table_args__ = (Index("ix_supporter_consent_event_supporter", "supporter_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("supporter.id", ondelete="CASCADE"))
    # "updates" for the group's mailings; other purposes as organizer.signatures.consents.
    purpose: Mapped[str] = mapped_column(String(64))
    granted: Mapped[bool]
    # signature | commitment | rsvp | import | manage | unsubscribe | bounce | complaint | api
    source_type: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[int | None]
    text_version: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Tag(Base):
    __tablename__ = "supporter_tag"
    __table_args__ = (UniqueConstraint("group_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    group_id: Mapped[int] = mapped_column(ForeignKey("campaign_group.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Tagging(Base):
    __tablename__ = "supporter_tagging"
    __table_args__ = (Index("ix_supporter_tagging_tag", "tag_id", "supporter_id"),)

    supporter_id: Mapped[int] = mapped_column(
        ForeignKey("supporter.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("supporter_tag.id", ondelete="CASCADE"), primary_key=True
    )
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ErasedSupporter(Base):
    """A keyed HMAC of an erased supporter's canonical email: signing again is not counted
    twice, and the address itself is gone."""

    __tablename__ = "erased_supporter"
    __table_args__ = (UniqueConstraint("group_id", "email_hmac"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("campaign_group.id", ondelete="CASCADE"))
    email_hmac: Mapped[str] = mapped_column(String(64))
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)
