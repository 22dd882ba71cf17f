"""Counters, the count journal that feeds them, moderation jobs and abuse reports.

DESIGN.md decision 7: a signature that starts or stops counting writes a CountChange row in
its own transaction; a beat task folds the journal into the counters every few seconds. No
request updates a hot counter row, and the counters are exact once the journal is folded.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from organizer.db import Base, str_enum, utcnow


class CountChange(Base):
    __tablename__ = "signature_count_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    country: Mapped[str] = mapped_column(String(2))
    day: Mapped[date]
    delta: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SignatureTotal(Base):
    __tablename__ = "signature_total"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    confirmed: Mapped[int] = mapped_column(default=0)
    offline: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    reconciled_at: Mapped[datetime | None]


class CountryCount(Base):
    __tablename__ = "signature_country_count"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    confirmed: Mapped[int] = mapped_column(default=0)


class DailyCount(Base):
    __tablename__ = "signature_daily_count"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    confirmed: Mapped[int] = mapped_column(default=0)


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ModerationJob(Base):
    """A bulk invalidation too large for one request, run in batches by a worker."""

    __tablename__ = "signature_moderation_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Signatures created after this id are not touched: the preview promised a number.
    max_signature_id: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    processed: Mapped[int] = mapped_column(default=0)
    status: Mapped[JobStatus] = mapped_column(
        str_enum(JobStatus, "moderation_job_status"),
        default=JobStatus.QUEUED,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.processed * 100 // self.total)


class AbuseReport(Base):
    """The hourly 'trending IPs and domains' of one campaign, for its moderators."""

    __tablename__ = "signature_abuse_report"
    __table_args__ = (
        UniqueConstraint("campaign_id", "period_start"),
        Index("ix_signature_abuse_report_period", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    signatures: Mapped[int] = mapped_column(default=0)
    suspects: Mapped[int] = mapped_column(default=0)
    # [[ip_hmac, count], ...] and [[domain, count], ...], most frequent first.
    top_ips: Mapped[list[Any]] = mapped_column(JSON, default=list)
    top_domains: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RevisionNoticeJob(Base):
    """The emails telling earlier signers what a published revision changed, written by a
    worker in batches of signatures; one row per published revision that changed signed text."""

    __tablename__ = "signature_revision_notice_job"

    revision_id: Mapped[int] = mapped_column(
        ForeignKey("grievance_revision.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    # Where the worker got to: signatures are taken in id order.
    last_signature_id: Mapped[int] = mapped_column(default=0)
    queued: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
