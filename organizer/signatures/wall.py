"""The public wall: names of confirmed signers who agreed to be shown, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from organizer.campaigns.models import Campaign
from organizer.extensions import db
from organizer.signatures.consents import Purpose, consented
from organizer.signatures.models import Signature, SignatureStatus

PAGE_SIZE = 50
MAX_PAGE = 200  # deeper pages are an OFFSET scan no reader needs


@dataclass(frozen=True)
class ShownSigner:
    name: str
    country: str
    confirmed_at: datetime | None


def public_signers(campaign: Campaign, page: int) -> list[ShownSigner]:
    """One page, plus one row to tell whether another page follows."""
    rows = db.session.execute(
        select(Signature.name, Signature.country, Signature.confirmed_at)
        .where(
            Signature.campaign_id == campaign.id,
            Signature.status == SignatureStatus.CONFIRMED,
            Signature.suspect.is_(False),
            consented(Purpose.PUBLIC_LIST),
        )
        .order_by(Signature.confirmed_at.desc(), Signature.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    return [ShownSigner(name, country, at) for name, country, at in rows]
