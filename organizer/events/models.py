"""Screening events, their guests (RSVPs), reminder rows, reports and host resources.

Times are stored in UTC; each event keeps the IANA name of the host's timezone, in which
it is shown and in which its calendar entry is written.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.accounts.models import User
from organizer.campaigns.models import Campaign
from organizer.db import Base, new_public_id, str_enum, utcnow
from organizer.events import clock


class EventMode(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"

    @property
    def has_online_part(self) -> bool:
        return self in (EventMode.ONLINE, EventMode.HYBRID)

    @property
    def has_venue(self) -> bool:
        return self in (EventMode.IN_PERSON, EventMode.HYBRID)


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    UNLISTED = "unlisted"


class EventStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class RSVPStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the guest to confirm their address
    GOING = "going"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class ReminderKind(enum.StrEnum):
    DAY_BEFORE = "24h"
    TWO_HOURS = "2h"


class ReminderStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"


class ResourceKind(enum.StrEnum):
    DISCUSSION = "discussion"
    TECHNICAL = "technical"


class EventSettings(Base):
    """A campaign's screening rules; kept apart so the campaign model stays the campaign's."""

    __tablename__ = "event_settings"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    terms_text: Mapped[str] = mapped_column(Text)
    # Raised each time the text changes, so an acceptance names the words accepted.
    terms_version: Mapped[int] = mapped_column(default=1)
    require_approval: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Event(Base):
    __tablename__ = "screening_event"
    __table_args__ = (Index("ix_screening_event_status_starts_at", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The calendar UID: it must never change, whatever is edited.
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    host_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64))
    mode: Mapped[EventMode] = mapped_column(str_enum(EventMode, "event_mode"))
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    street_address: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    # The coordinates of the city's gazetteer entry, for "near me"; None when not found.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    online_link: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int]
    visibility: Mapped[Visibility] = mapped_column(
        str_enum(Visibility, "event_visibility"), default=Visibility.PUBLIC
    )
    # A screening in someone's home: its street address is for guests only.
    is_home: Mapped[bool] = mapped_column(default=False)
    accessibility_notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[EventStatus] = mapped_column(
        str_enum(EventStatus, "event_status"), default=EventStatus.PENDING
    )
    decision_note: Mapped[str] = mapped_column(Text, default="")
    terms_version: Mapped[int]
    terms_accepted_at: Mapped[datetime]
    # iCalendar SEQUENCE: raised on every change a calendar should pick up.
    sequence: Mapped[int] = mapped_column(default=0)
    # The host's choice: a notice per new RSVP (False), or one daily digest (True).
    rsvp_digest: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]

    campaign: Mapped[Campaign] = relationship()
    host: Mapped[User] = relationship()
    report: Mapped[EventReport | None] = relationship(back_populates="event")

    @property
    def hides_address(self) -> bool:
        return self.visibility == Visibility.UNLISTED or self.is_home

    @property
    def is_online(self) -> bool:
        return self.mode.has_online_part

    @property
    def is_in_person(self) -> bool:
        return self.mode.has_venue

    @property
    def is_open(self) -> bool:
        """Guests may still RSVP."""
        return self.status == EventStatus.APPROVED and self.starts_at > clock.now()

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.status}>"


class RSVP(Base):
    __tablename__ = "event_rsvp"
    __table_args__ = (
        UniqueConstraint("event_id", "email"),
        Index("ix_event_rsvp_event_id_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    event_id: Mapped[int] = mapped_column(ForeignKey("screening_event.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(320))
    party_size: Mapped[int] = mapped_column(default=1)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[RSVPStatus] = mapped_column(
        str_enum(RSVPStatus, "rsvp_status"), default=RSVPStatus.PENDING
    )
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    manage_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The manage link is an HMAC of this salt (see links.manage_token); no link is stored.
    manage_salt: Mapped[str | None] = mapped_column(String(32))
    # A registered source code, as on signatures.
    source: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None]
    # The place in the queue: the waitlist is served in this order.
    waitlisted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    attended: Mapped[bool | None]
    # Added by the host, not by the guest: such a guest gave no consent to anything and is
    # never made a supporter; they get their manage link and nothing else.
    added_by_host: Mapped[bool] = mapped_column(default=False)
    # When the host was told of this RSVP; the digest task claims the rows still empty.
    host_notified_at: Mapped[datetime | None]
    # Set when confirmed, unless the host added the guest (no consent, no supporter).
    supporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("supporter.id", ondelete="SET NULL"), index=True
    )

    event: Mapped[Event] = relationship()

    def __repr__(self) -> str:
        return f"<RSVP {self.id} {self.status} x{self.party_size}>"


class Reminder(Base):
    """DESIGN.md decision 2: a row per reminder, claimed and sent once by the beat task."""

    __tablename__ = "event_reminder"
    __table_args__ = (
        UniqueConstraint("rsvp_id", "kind"),
        Index("ix_event_reminder_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rsvp_id: Mapped[int] = mapped_column(ForeignKey("event_rsvp.id", ondelete="CASCADE"))
    kind: Mapped[ReminderKind] = mapped_column(str_enum(ReminderKind, "reminder_kind"))
    due_at: Mapped[datetime]
    status: Mapped[ReminderStatus] = mapped_column(
        str_enum(ReminderStatus, "reminder_status"), default=ReminderStatus.PENDING
    )
    sent_at: Mapped[datetime | None]
    email_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_email.id"))

    rsvp: Mapped[RSVP] = relationship()


class EventReport(Base):
    __tablename__ = "event_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("screening_event.id", ondelete="CASCADE"), unique=True
    )
    attendee_count: Mapped[int]
    notes: Mapped[str] = mapped_column(Text, default="")
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="report")


class HostFeedKey(Base):
    """The secret inside a host's calendar feed address; a new one retires the old address."""

    __tablename__ = "host_feed_key"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(String(32))
    rotated_at: Mapped[datetime] = mapped_column(default=utcnow)


class HostResource(Base):
    """A PDF the organizers give hosts: the discussion guide or the technical guide."""

    __tablename__ = "host_resource"
    __table_args__ = (UniqueConstraint("campaign_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    kind: Mapped[ResourceKind] = mapped_column(str_enum(ResourceKind, "host_resource_kind"))
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    campaign: Mapped[Campaign] = relationship()
