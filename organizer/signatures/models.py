"""Signatures, their per-campaign settings, pledges and commitments, paper batches, milestones.

Counters and moderation records live in :mod:`organizer.signatures.tallies`.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.campaigns.models import Campaign, Revision
from organizer.db import Base, new_public_id, str_enum, utcnow


class SignatureStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    INVALIDATED = "invalidated"
    WITHDRAWN = "withdrawn"


class PostalCodeMode(enum.StrEnum):
    OFF = "off"
    OPTIONAL = "optional"
    REQUIRED = "required"


class PledgeStatus(enum.StrEnum):
    OPEN = "open"
    TRIGGERED = "triggered"
    LAPSED = "lapsed"


class CommitmentStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"


class Signature(Base):
    """One person's signature on one campaign, bound to the published revision they read.

    It is counted when it is confirmed and not suspect; every change of that is written to
    the count journal (:class:`~organizer.signatures.tallies.CountChange`) in the same
    transaction.
    """

    __tablename__ = "signature"
    __table_args__ = (
        UniqueConstraint("campaign_id", "canonical_email"),
        Index("ix_signature_campaign_status", "campaign_id", "status", "confirmed_at"),
        Index("ix_signature_campaign_domain", "campaign_id", "email_domain"),
        Index("ix_signature_campaign_ip", "campaign_id", "ip_hmac"),
        # The audience filter "signers of campaign X" reads only this index.
        Index("ix_signature_campaign_supporter", "campaign_id", "status", "supporter_id"),
        # Confirmed signatures per source, and the API's page of a petition's signatures.
        Index("ix_signature_campaign_source", "campaign_id", "source", "status"),
        Index("ix_signature_campaign_updated", "campaign_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    revision_id: Mapped[int] = mapped_column(ForeignKey("grievance_revision.id"))
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(320))  # as typed, where mail goes
    canonical_email: Mapped[str] = mapped_column(String(320))  # what dedupe compares
    email_domain: Mapped[str] = mapped_column(String(255))
    country: Mapped[str] = mapped_column(String(2))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(8), default="en")
    # Consents are rows of their own: see SignatureConsent and organizer.signatures.consents.
    status: Mapped[SignatureStatus] = mapped_column(
        str_enum(SignatureStatus, "signature_status"), default=SignatureStatus.PENDING
    )
    # Over a rate limit or caught by the honeypot: kept, never counted until cleared.
    suspect: Mapped[bool] = mapped_column(default=False)
    suspect_reason: Mapped[str | None] = mapped_column(String(32))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None]
    # Set when the link confirms: the hash is kept so that a second click is recognized.
    token_used_at: Mapped[datetime | None]
    confirmation_sends: Mapped[int] = mapped_column(default=0)
    # Set when confirmed: the group's supporter this signature made or updated.
    supporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("supporter.id", ondelete="SET NULL"), index=True
    )
    # HMAC of the client IP with a secret key; purged after 30 days.
    ip_hmac: Mapped[str | None] = mapped_column(String(64))
    # Where it came from: a registered code only (a partner's, a share channel's, one the
    # organizers defined, or the API's referrer source); never a referrer URL or an IP.
    source: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None]
    confirmed_day: Mapped[date | None]  # UTC day, for the per-day chart counters
    withdrawn_at: Mapped[datetime | None]
    invalidated_at: Mapped[datetime | None]

    campaign: Mapped[Campaign] = relationship()
    revision: Mapped[Revision] = relationship()

    @property
    def is_counted(self) -> bool:
        return self.status == SignatureStatus.CONFIRMED and not self.suspect

    def __repr__(self) -> str:
        return f"<Signature {self.id} {self.status}>"


class SignAgainRequest(Base):
    """A signature from an address on file, waiting for a worker to decide what it means
    (:mod:`organizer.signatures.sign_again`). A row, not only a task: when
    the broker loses the task, the sweeper finds the row, and the email the page promised
    still goes out. The worker deletes it, with the signer's details, once done."""

    __tablename__ = "sign_again_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    revision_id: Mapped[int] = mapped_column(ForeignKey("grievance_revision.id"))
    signer: Mapped[dict[str, Any]] = mapped_column(JSON)
    requested_at: Mapped[datetime] = mapped_column(index=True)
    claimed_at: Mapped[datetime | None]


class SignatureConsent(Base):
    """One consent a signer gave for one purpose, with the version of the wording they saw.

    Withdrawing keeps the row (with ``withdrawn_at``) as the record of what was agreed;
    granting again revives it with the wording shown then. The purpose is a plain string,
    not a database enum, because coalition partners add purposes of their own.
    """

    __tablename__ = "signature_consent"
    __table_args__ = (UniqueConstraint("signature_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    signature_id: Mapped[int] = mapped_column(ForeignKey("signature.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(64))
    text_version: Mapped[str] = mapped_column(String(32))
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]


class SignatureSettings(Base):
    """Per-campaign choices for the sign form and milestone emails; defaults when absent."""

    __tablename__ = "signature_settings"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    postal_code: Mapped[PostalCodeMode] = mapped_column(
        str_enum(PostalCodeMode, "postal_code_mode"), default=PostalCodeMode.OFF
    )
    notify_signers_on_milestones: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Pledge(Base):
    """'I will do X if N others do': triggered once N commitments are confirmed."""

    __tablename__ = "pledge"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    threshold: Mapped[int]
    deadline: Mapped[date]  # open until the end of this day, UTC
    status: Mapped[PledgeStatus] = mapped_column(
        str_enum(PledgeStatus, "pledge_status"), default=PledgeStatus.OPEN
    )
    # Confirmed commitments, refreshed by the beat task (no COUNT per page view).
    committed: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    campaign: Mapped[Campaign] = relationship()

    @property
    def percent(self) -> int:
        return min(100, self.committed * 100 // self.threshold) if self.threshold else 0


class Commitment(Base):
    __tablename__ = "pledge_commitment"
    __table_args__ = (UniqueConstraint("pledge_id", "signature_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge.id", ondelete="CASCADE"))
    signature_id: Mapped[int] = mapped_column(
        ForeignKey("signature.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[CommitmentStatus] = mapped_column(
        str_enum(CommitmentStatus, "commitment_status"), default=CommitmentStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    supporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("supporter.id", ondelete="SET NULL"), index=True
    )

    pledge: Mapped[Pledge] = relationship()
    signature: Mapped[Signature] = relationship()


class OfflineBatch(Base):
    """Paper signatures an organizer collected: counted toward the goal, shown apart."""

    __tablename__ = "offline_signature_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    count: Mapped[int]
    collected_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    countries: Mapped[list[OfflineBatchCountry]] = relationship(
        cascade="all, delete-orphan", order_by="OfflineBatchCountry.country"
    )


class OfflineBatchCountry(Base):
    """Part of a paper batch by country; the parts always add up to the batch's count.

    A batch (or the rest of one) whose countries nobody noted is a part in UNKNOWN_COUNTRY:
    counted toward the goal, never routed to a jurisdiction.
    """

    __tablename__ = "offline_signature_batch_country"

    batch_id: Mapped[int] = mapped_column(
        ForeignKey("offline_signature_batch.id", ondelete="CASCADE"), primary_key=True
    )
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    count: Mapped[int]


class Milestone(Base):
    """A count that, once reached, emails the organizers (and opted-in signers) once."""

    __tablename__ = "signature_milestone"
    __table_args__ = (UniqueConstraint("campaign_id", "threshold"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    threshold: Mapped[int]
    # Set for the 25/50/75/100 % rows, with the goal they were computed from.
    percent: Mapped[int | None]
    goal: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reached_at: Mapped[datetime | None]
