"""Where a campaign's embeds may be framed, and the organizer's settings for it.

DESIGN.md decision 16: only /embed/… pages relax ``frame-ancestors``, to ``*`` when the
campaign is embeddable anywhere, else to the origins its team listed and those of its
active partners. Cahier itself may always frame them (the organizer page previews them).
"""

from __future__ import annotations

from sqlalchemy import select

from organizer.accounts.models import User
from organizer.audit.services import record
from organizer.campaigns.models import Campaign
from organizer.embeds.origins import is_valid
from organizer.extensions import db
from organizer.partners.models import Partner, PartnerStatus


def partner_origins(campaign: Campaign) -> list[str]:
    origins = db.session.scalars(
        select(Partner.origin)
        .where(
            Partner.campaign_id == campaign.id,
            Partner.status == PartnerStatus.ACTIVE,
            Partner.origin.is_not(None),
        )
        .order_by(Partner.id)
    )
    # Checked again here: a malformed value must never reach the header.
    return [origin for origin in origins if origin is not None and is_valid(origin)]


def allowed_origins(campaign: Campaign) -> list[str]:
    """The origins besides Cahier's own that may frame the embeds, when not anywhere."""
    listed = [origin for origin in campaign.embed_origins or [] if is_valid(origin)]
    return list(dict.fromkeys([*listed, *partner_origins(campaign)]))


def frame_ancestors(campaign: Campaign) -> str:
    """The value of the embed pages' ``frame-ancestors`` directive."""
    if campaign.embed_anywhere:
        return "*"
    return " ".join(["'self'", *allowed_origins(campaign)])


def save_settings(campaign: Campaign, actor: User, anywhere: bool, origins: list[str]) -> bool:
    """Store where the embeds may be framed; False when nothing changed (nothing audited)."""
    if campaign.embed_anywhere == anywhere and list(campaign.embed_origins or []) == origins:
        return False
    campaign.embed_anywhere = anywhere
    campaign.embed_origins = origins
    record(
        actor,
        "campaign.embed_settings_saved",
        "campaign",
        campaign.id,
        {"anywhere": anywhere, "origins": origins},
    )
    db.session.flush()
    return True
