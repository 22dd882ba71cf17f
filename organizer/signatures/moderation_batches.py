"""What each applied bulk invalidation struck out, so that it can be undone exactly."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from organizer.db import Base, utcnow


class ModerationBatch(Base):
    """One applied bulk invalidation, with its reason; large ones are filled by a job."""

    __tablename__ = "signature_moderation_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    job_id: Mapped[int | None] = mapped_column(
        ForeignKey("signature_moderation_job.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    invalidated: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None]
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    restored: Mapped[int] = mapped_column(default=0)


class ModerationBatchItem(Base):
    """A signature the batch invalidated, and the state it is given back on undo."""

    __tablename__ = "signature_moderation_batch_item"

    batch_id: Mapped[int] = mapped_column(
        ForeignKey("signature_moderation_batch.id", ondelete="CASCADE"), primary_key=True
    )
    signature_id: Mapped[int] = mapped_column(
        ForeignKey("signature.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # "pending" or "confirmed": plain text, the signature table owns the status enum.
    previous_status: Mapped[str] = mapped_column(String(16))
