"""Regulators, the letters a campaign writes them, their documents, deliveries and responses.

A letter cites a published revision (DESIGN.md decision 3): the demands it carries are
quoted from that revision's snapshot, and the documents record their sha256 so that anyone
can check them on /verify.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.accounts.models import User
from organizer.campaigns.models import Campaign, Revision
from organizer.db import Base, str_enum, utcnow
from organizer.mail.models import OutboundEmail


class BodyKind(enum.StrEnum):
    REGULATOR = "regulator"
    LEGISLATURE = "legislature"


class LetterStatus(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"  # handed to delivery (or waiting for its documents)
    SENT = "sent"
    FAILED = "failed"
    RESPONDED = "responded"


class LetterTrigger(enum.StrEnum):
    MANUAL = "manual"
    MILESTONE = "milestone"


class DocumentsStatus(enum.StrEnum):
    NONE = "none"
    PENDING = "pending"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


class DocumentKind(enum.StrEnum):
    LETTER_PDF = "letter_pdf"
    ANNEX_CSV = "annex_csv"
    ANNEX_PDF = "annex_pdf"


class Channel(enum.StrEnum):
    EMAIL = "email"
    POSTAL = "postal"
    WEB_FORM = "web_form"


class TriggerStatus(enum.StrEnum):
    ARMED = "armed"
    FIRED = "fired"
    CANCELLED = "cancelled"


class Regulator(Base):
    """A public body that can act on demands: a regulator or a legislative committee."""

    __tablename__ = "regulator"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    acronym: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[BodyKind] = mapped_column(str_enum(BodyKind, "body_kind"))
    # ISO 3166-1 alpha-2 codes, or "EU" for the 27 member states.
    jurisdictions: Mapped[list[str]] = mapped_column(JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    website: Mapped[str] = mapped_column(String(500), default="")
    # Only an address the body publishes for this purpose; without one, letters go by post.
    contact_email: Mapped[str | None] = mapped_column(String(320))
    postal_address: Mapped[str] = mapped_column(Text, default="")
    web_form_url: Mapped[str] = mapped_column(String(500), default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def short_name(self) -> str:
        return self.acronym or self.name

    def __repr__(self) -> str:
        return f"<Regulator {self.slug}>"


class MilestoneTrigger(Base):
    """ "Send to every routed body when confirmed signatures reach N", fired once by beat."""

    __tablename__ = "letter_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    threshold: Mapped[int]
    status: Mapped[TriggerStatus] = mapped_column(
        str_enum(TriggerStatus, "letter_milestone_status"), default=TriggerStatus.ARMED
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    fired_at: Mapped[datetime | None]
    signatures_at_fire: Mapped[int | None]

    campaign: Mapped[Campaign] = relationship()


class Letter(Base):
    __tablename__ = "letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    regulator_id: Mapped[int] = mapped_column(ForeignKey("regulator.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("grievance_revision.id"))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # What routing decided, frozen when the letter was written.
    demand_uids: Mapped[list[str]] = mapped_column(JSON, default=list)
    demand_labels: Mapped[list[str]] = mapped_column(JSON, default=list)
    counts_by_country: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # [{"number", "content_hash", "signers"}, ...]: who signed which text (DESIGN.md 3).
    counts_by_revision: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    signers_in_jurisdiction: Mapped[int] = mapped_column(default=0)
    signers_total: Mapped[int] = mapped_column(default=0)
    status: Mapped[LetterStatus] = mapped_column(
        str_enum(LetterStatus, "letter_status"), default=LetterStatus.DRAFT
    )
    trigger: Mapped[LetterTrigger] = mapped_column(
        str_enum(LetterTrigger, "letter_trigger"), default=LetterTrigger.MANUAL
    )
    milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("letter_milestone.id", ondelete="SET NULL")
    )
    # A second letter to the same body about the same text is a follow-up, never a duplicate.
    follow_up_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("letter.id", ondelete="SET NULL")
    )
    # Send by email as soon as the documents are ready (milestone letters).
    send_when_ready: Mapped[bool] = mapped_column(default=False)
    documents_status: Mapped[DocumentsStatus] = mapped_column(
        str_enum(DocumentsStatus, "letter_documents_status"), default=DocumentsStatus.NONE
    )
    documents_progress: Mapped[int] = mapped_column(default=0)  # percent
    documents_error: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None]

    campaign: Mapped[Campaign] = relationship()
    regulator: Mapped[Regulator] = relationship()
    revision: Mapped[Revision] = relationship()
    created_by: Mapped[User | None] = relationship()
    follow_up_of: Mapped[Letter | None] = relationship(remote_side=[id])
    documents: Mapped[list[LetterDocument]] = relationship(
        back_populates="letter", cascade="all, delete-orphan", order_by="LetterDocument.id"
    )
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="letter", cascade="all, delete-orphan", order_by="Delivery.id"
    )
    responses: Mapped[list[Response]] = relationship(
        back_populates="letter", cascade="all, delete-orphan", order_by="Response.received_on"
    )

    @property
    def is_editable(self) -> bool:
        return self.status == LetterStatus.DRAFT

    def document(self, kind: DocumentKind) -> LetterDocument | None:
        return next((d for d in self.documents if d.kind == kind), None)


class LetterDocument(Base):
    """A generated file: the PDF letter or the signature annex, with its sha256."""

    __tablename__ = "letter_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, "letter_document_kind"))
    filename: Mapped[str] = mapped_column(String(200))
    mime_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    # In the database, not on a node's disk: web nodes and workers are stateless.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    letter: Mapped[Letter] = relationship(back_populates="documents")


class Delivery(Base):
    """One way a letter left: an outbox email, or a postal/web-form sending recorded by hand."""

    __tablename__ = "letter_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"), index=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "letter_channel"))
    # The address actually used; outside production it is the test recipient.
    recipient: Mapped[str] = mapped_column(String(320), default="")
    intended_recipient: Mapped[str] = mapped_column(String(320), default="")
    outbound_email_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbound_email.id", ondelete="SET NULL")
    )
    sent_on: Mapped[date | None]  # postal and web-form sendings: the date the organizer gives
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    letter: Mapped[Letter] = relationship(back_populates="deliveries")
    outbound_email: Mapped[OutboundEmail | None] = relationship()

    @property
    def status(self) -> str:
        if self.outbound_email is not None:
            return self.outbound_email.status.value
        return "sent" if self.sent_on else "queued"

    @property
    def attempts(self) -> int:
        return self.outbound_email.attempts if self.outbound_email is not None else 1

    @property
    def sent_at(self) -> datetime | None:
        if self.outbound_email is not None:
            return self.outbound_email.sent_at
        return datetime.combine(self.sent_on, time(), tzinfo=UTC) if self.sent_on else None

    @property
    def last_error(self) -> str:
        return (self.outbound_email.last_error or "") if self.outbound_email is not None else ""


class Response(Base):
    __tablename__ = "letter_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"), index=True)
    received_on: Mapped[date]
    summary: Mapped[str] = mapped_column(Text)
    document: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    document_filename: Mapped[str] = mapped_column(String(200), default="")
    document_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The organizer's choice after the preview: None until made, then how many were emailed
    # (0 when they chose not to email anyone).
    signers_notified: Mapped[int | None]
    notify_decided_at: Mapped[datetime | None]

    letter: Mapped[Letter] = relationship(back_populates="responses")


class LetterSettings(Base):
    """Who signs a campaign's letters and where a body can answer: set before any sending."""

    __tablename__ = "letter_settings"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    signatory: Mapped[str] = mapped_column(String(200), default="")
    organization: Mapped[str] = mapped_column(String(300), default="")
    postal_address: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def is_complete(self) -> bool:
        return all(
            value.strip()
            for value in (self.signatory, self.organization, self.postal_address, self.email)
        )
