"""API tokens and webhooks (DESIGN.md: ApiToken, WebhookSubscription, WebhookDelivery)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.db import Base, new_public_id, str_enum, utcnow
from organizer.groups.models import Group


class ApiScope(enum.StrEnum):
    READ = "read"
    WRITE = "write"
    IMPORT = "import"


class ApiToken(Base):
    """A group's token. Only its SHA-256 is stored; the token itself is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_group.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(80))
    # A list of ApiScope values.
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so that a person can tell their tokens apart in the settings.
    token_prefix: Mapped[str] = mapped_column(String(12))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Written at most once a minute per token: one hot row would serialize the API.
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    group: Mapped[Group] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.label!r}>"


class WebhookEvent(enum.StrEnum):
    SIGNATURE_CONFIRMED = "signature.confirmed"
    SIGNATURE_WITHDRAWN = "signature.withdrawn"
    RSVP_CREATED = "rsvp.created"
    RSVP_CANCELLED = "rsvp.cancelled"
    SUPPORTER_UNSUBSCRIBED = "supporter.unsubscribed"


class WebhookSubscription(Base):
    __tablename__ = "webhook_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_group.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    # A list of WebhookEvent values.
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The HMAC-SHA256 key of the signature header; kept in clear because we sign with it.
    secret: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    disabled_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    group: Mapped[Group] = relationship()


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    # Retries exhausted, or the subscription was disabled before it went out.
    ABANDONED = "abandoned"


class WebhookDelivery(Base):
    """An outbox of its own: written in the transaction of the change it reports, posted
    by a worker after commit, retried with backoff; a sweeper finds rows the queue lost."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("subscription_id", "dedupe_key"),
        Index("ix_webhook_delivery_status_next", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_subscription_created", "subscription_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE")
    )
    event: Mapped[str] = mapped_column(String(40))
    # Which change this reports (say "signature.confirmed:<public id>"): one row per change.
    dedupe_key: Mapped[str] = mapped_column(String(120))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "webhook_delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    subscription: Mapped[WebhookSubscription] = relationship()
