"""Coalition partners of a campaign, and the source codes organizers define."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.campaigns.models import Campaign
from organizer.db import Base, new_public_id, str_enum, utcnow
from organizer.groups.models import Group


class PartnerStatus(enum.StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    DECLINED = "declined"
    # Left the coalition: the consents already given to it stay.
    LEFT = "left"


class Partner(Base):
    """A partner group of one campaign. Its consent line is the purpose ``partner:<id>`` in
    the signature_consent table, with ``consent_text_version``."""

    __tablename__ = "campaign_partner"
    __table_args__ = (
        UniqueConstraint("campaign_id", "group_id"),
        UniqueConstraint("campaign_id", "source_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_group.id", ondelete="CASCADE"), index=True
    )
    source_code: Mapped[str] = mapped_column(String(32))
    status: Mapped[PartnerStatus] = mapped_column(
        str_enum(PartnerStatus, "partner_status"), default=PartnerStatus.INVITED
    )
    consent_text_version: Mapped[str] = mapped_column(String(32), default="1")
    # The partner's site, where its embed may be framed (frame-ancestors); None for none.
    origin: Mapped[str | None] = mapped_column(String(255))
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_mime: Mapped[str | None] = mapped_column(String(32))
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]

    campaign: Mapped[Campaign] = relationship()
    group: Mapped[Group] = relationship()

    @property
    def consent_purpose(self) -> str:
        return f"partner:{self.id}"


class SourceCode(Base):
    """A code organizers defined for a campaign (a newsletter, a stall). Partners' codes
    and the share channels' are registered by their own tables and constants."""

    __tablename__ = "campaign_source_code"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
