"""Campaigns, their team, the grievance text (working copy and revisions), and amendments.

Sections and demands are the working copy the editor changes. Every save copies them into
the campaign's draft revision; publishing freezes that revision. Public pages, signatures
and letters read published revisions only, never the working copy.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship
from sqlalchemy.orm.attributes import get_history

from organizer.accounts.models import User
from organizer.campaigns.vocabulary import section_letter
from organizer.db import Base, new_public_id, str_enum, utcnow
from organizer.groups.models import Group


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    ARCHIVED = "archived"


class Role(enum.StrEnum):
    OWNER = "owner"
    ORGANIZER = "organizer"
    MODERATOR = "moderator"
    # Hosts run screenings (the events domain); they hold no rights over the text.
    HOST = "host"


class AmendmentKind(enum.StrEnum):
    ADD = "add"
    REWORD = "reword"
    REMOVE = "remove"


class AmendmentStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Campaign(Base):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[CampaignStatus] = mapped_column(
        str_enum(CampaignStatus, "campaign_status"), default=CampaignStatus.DRAFT
    )
    signature_goal: Mapped[int | None]
    deadline: Mapped[date | None]
    documentary_title: Mapped[str | None] = mapped_column(String(200))
    documentary_runtime_minutes: Mapped[int | None]
    documentary_url: Mapped[str | None] = mapped_column(String(500))
    # The working copy's preamble; published ones live in revision snapshots.
    preamble: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # The group that owns the campaign, its supporters and their consents.
    group_id: Mapped[int] = mapped_column(ForeignKey("campaign_group.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    first_published_at: Mapped[datetime | None] = mapped_column(index=True)
    # Set by an owner: members without two-factor login enrol before its organizer pages.
    require_two_factor: Mapped[bool] = mapped_column(default=False)
    # Where the embeds may be framed (DESIGN.md decision 16): anywhere, or only on these
    # origins and the active partners' own.
    embed_anywhere: Mapped[bool] = mapped_column(default=False)
    embed_origins: Mapped[list[str]] = mapped_column(JSON, default=list)

    created_by: Mapped[User] = relationship()
    group: Mapped[Group] = relationship()
    sections: Mapped[list[Section]] = relationship(
        back_populates="campaign", order_by="Section.position", cascade="all, delete-orphan"
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan"
    )

    @property
    def is_public(self) -> bool:
        return self.first_published_at is not None

    @property
    def has_documentary(self) -> bool:
        return bool(self.documentary_title)

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.slug}>"


class Membership(Base):
    __tablename__ = "campaign_membership"
    __table_args__ = (UniqueConstraint("campaign_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "campaign_role"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()


class Invitation(Base):
    """A link to join a campaign's team; the token is stored hashed and works once."""

    __tablename__ = "campaign_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[Role] = mapped_column(str_enum(Role, "campaign_role"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    revoked_at: Mapped[datetime | None]

    campaign: Mapped[Campaign] = relationship()
    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id])

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > utcnow()


class Section(Base):
    __tablename__ = "grievance_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    # Stable across edits and revisions, so that a diff can tell a move from a rewrite.
    uid: Mapped[str] = mapped_column(String(16))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Places its demands concern when they name none; snapshots carry them per demand.
    jurisdictions: Mapped[list[str]] = mapped_column(JSON, default=list)

    campaign: Mapped[Campaign] = relationship(back_populates="sections")
    demands: Mapped[list[Demand]] = relationship(
        back_populates="section", order_by="Demand.position", cascade="all, delete-orphan"
    )

    @property
    def letter(self) -> str:
        return section_letter(self.position)


class Demand(Base):
    __tablename__ = "grievance_demand"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("grievance_section.id", ondelete="CASCADE"), index=True
    )
    uid: Mapped[str] = mapped_column(String(16))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)  # Markdown source; rendered and sanitized on display
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Empty means everywhere; otherwise ISO 3166-1 alpha-2 codes or "EU".
    jurisdictions: Mapped[list[str]] = mapped_column(JSON, default=list)

    section: Mapped[Section] = relationship(back_populates="demands")

    @property
    def number(self) -> int:
        return self.position + 1

    @property
    def label(self) -> str:
        return f"{self.section.letter}{self.number}"


class Revision(Base):
    __tablename__ = "grievance_revision"
    __table_args__ = (UniqueConstraint("campaign_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    number: Mapped[int]
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Indexed for /verify, which looks texts up by their hash or its first characters.
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    campaign: Mapped[Campaign] = relationship()

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]


class FrozenRevisionError(RuntimeError):
    """Code tried to change a published revision; signatures and letters cite it."""


@event.listens_for(Revision, "before_update")
def _published_revisions_are_frozen(mapper: Mapper[Any], connection: Any, target: Revision) -> None:
    published = get_history(target, "published_at")
    was_published = any(v is not None for v in [*published.unchanged, *published.deleted])
    frozen = ("snapshot", "content_hash", "number", "published_at")
    if was_published and any(get_history(target, name).has_changes() for name in frozen):
        raise FrozenRevisionError(f"revision {target.number} of {target.campaign_id} is published")


class Amendment(Base):
    __tablename__ = "amendment"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AmendmentKind] = mapped_column(str_enum(AmendmentKind, "amendment_kind"))
    # The published revision it was proposed against, and the label it showed there.
    base_revision: Mapped[int]
    demand_uid: Mapped[str | None] = mapped_column(String(16))  # reword, remove
    section_uid: Mapped[str | None] = mapped_column(String(16))  # add
    target_label: Mapped[str] = mapped_column(String(16))
    proposed_text: Mapped[str] = mapped_column(Text, default="")
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[AmendmentStatus] = mapped_column(
        str_enum(AmendmentStatus, "amendment_status"), default=AmendmentStatus.OPEN
    )
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    landed_in_revision: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    campaign: Mapped[Campaign] = relationship()
    proposer: Mapped[User] = relationship(foreign_keys=[proposer_id])
    endorsements: Mapped[list[Endorsement]] = relationship(
        back_populates="amendment", cascade="all, delete-orphan", order_by="Endorsement.id"
    )


class Endorsement(Base):
    __tablename__ = "amendment_endorsement"
    __table_args__ = (UniqueConstraint("amendment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendment.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    amendment: Mapped[Amendment] = relationship(back_populates="endorsements")
    user: Mapped[User] = relationship()
