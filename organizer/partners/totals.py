"""The coalition in numbers: the public breakdown of the count per partner, and each
partner's own totals for its team.

The public page asks for the breakdown on every view, so it is one query, kept per process
for REVISION_COUNTS_CACHE_SECONDS (DESIGN.md decision 7). "Everyone else" is the campaign's
count less the partners' shares, so the parts always add up to the count shown.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import ColumnElement, event, func, select

from organizer.extensions import db
from organizer.groups.models import Group
from organizer.partners.models import Partner, PartnerStatus
from organizer.signatures.consents import consented
from organizer.signatures.memo import app_cache, remember
from organizer.signatures.models import Signature, SignatureStatus

CACHE_KEY = "cahier.coalition"


@dataclass(frozen=True)
class Share:
    public_id: str
    name: str
    has_logo: bool
    count: int


@dataclass(frozen=True)
class Breakdown:
    partners: tuple[Share, ...]
    others: int

    @property
    def total(self) -> int:
        return sum(share.count for share in self.partners) + self.others


def _counted(campaign_id: int) -> tuple[ColumnElement[bool], ...]:
    return (
        Signature.campaign_id == campaign_id,
        Signature.status == SignatureStatus.CONFIRMED,
        Signature.suspect.is_(False),
    )


def _shares(campaign_id: int) -> tuple[Share, ...]:
    count = (
        select(func.count())
        .where(*_counted(campaign_id), Signature.source == Partner.source_code)
        .correlate(Partner)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Partner.public_id, Group.name, Partner.logo_mime.is_not(None), count)
        .join(Group, Group.id == Partner.group_id)
        .where(Partner.campaign_id == campaign_id, Partner.status == PartnerStatus.ACTIVE)
        .order_by(Group.name, Partner.id)
    )
    return tuple(Share(pid, name, bool(logo), int(n)) for pid, name, logo, n in rows)


def breakdown(campaign_id: int, total: int) -> Breakdown | None:
    """The count ``total`` split per active partner and everyone else; None without partners."""
    cache = app_cache(CACHE_KEY)
    ttl = float(current_app.config.get("REVISION_COUNTS_CACHE_SECONDS", 15.0))
    now = time.monotonic()
    hit = cache.get(campaign_id)
    if hit is not None and now - hit[0] < ttl:
        shares = hit[1]
    else:
        shares = remember(cache, campaign_id, (now, _shares(campaign_id)))[1]
    if not shares:
        return None
    # The counter trails a real count by seconds at most; the parts never exceed the whole.
    others = max(total - sum(share.count for share in shares), 0)
    return Breakdown(shares, others)


@dataclass(frozen=True)
class PartnerTotals:
    confirmed: int  # counted signatures that came with the partner's source code
    pending: int  # not confirmed yet
    consents: int  # counted signers who asked the partner to keep them informed


def partner_totals(partner: Partner) -> PartnerTotals:
    """The partner's own numbers, and nobody else's: one query."""
    campaign_id = partner.campaign_id
    by_code = (Signature.campaign_id == campaign_id, Signature.source == partner.source_code)
    confirmed = select(func.count()).where(
        *_counted(campaign_id), Signature.source == partner.source_code
    )
    pending = select(func.count()).where(*by_code, Signature.status == SignatureStatus.PENDING)
    consents = select(func.count()).where(
        *_counted(campaign_id), consented(partner.consent_purpose)
    )
    row = db.session.execute(
        select(confirmed.scalar_subquery(), pending.scalar_subquery(), consents.scalar_subquery())
    ).one()
    return PartnerTotals(int(row[0]), int(row[1]), int(row[2]))


def forget_all(*_: Any) -> None:
    """A partner joined, left or changed its logo: the page shows it at once, here."""
    if has_app_context():
        current_app.extensions.get(CACHE_KEY, {}).clear()


for _event in ("after_insert", "after_update", "after_delete"):
    event.listen(Partner, _event, forget_all)
