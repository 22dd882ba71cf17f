"""What the sign POST needs to know about a campaign: one query, reused for a moment.

In a spike every signature is for the same campaign. Loading the campaign, its published
revision and its settings as ORM objects for each of them was three queries and a good part
of the request, so each web process keeps this small, immutable summary for
``SIGN_TARGET_CACHE_SECONDS``. A change to a campaign, a revision or the settings clears the
cache of the process that made it at once; other processes see it within the TTL.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event, select

from organizer.campaigns.models import Campaign, CampaignStatus, Revision
from organizer.extensions import db
from organizer.signatures.memo import app_cache, remember
from organizer.signatures.models import PostalCodeMode, SignatureSettings

CACHE_KEY = "cahier.sign_targets"


@dataclass(frozen=True)
class SignTarget:
    campaign_id: int
    slug: str
    title: str
    revision_id: int
    is_open: bool
    postal_code: PostalCodeMode


def sign_target(slug: str) -> SignTarget | None:
    """The campaign people can see and sign at ``slug``, or None (a 404 for the caller)."""
    cache = app_cache(CACHE_KEY)
    now = time.monotonic()
    hit: tuple[float, SignTarget | None] | None = cache.get(slug)
    if hit is not None and hit[0] > now:
        return hit[1]
    target = _load(slug)
    ttl = float(current_app.config["SIGN_TARGET_CACHE_SECONDS"])
    if ttl > 0:
        remember(cache, slug, (now + ttl, target))
    return target


def _load(slug: str) -> SignTarget | None:
    published = (
        select(Revision.id)
        .where(Revision.campaign_id == Campaign.id, Revision.published_at.is_not(None))
        .order_by(Revision.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    row = db.session.execute(
        select(
            Campaign.id,
            Campaign.title,
            Campaign.status,
            Campaign.first_published_at,
            published,
            SignatureSettings.postal_code,
        )
        .outerjoin(SignatureSettings, SignatureSettings.campaign_id == Campaign.id)
        .where(Campaign.slug == slug)
    ).first()
    if row is None:
        return None
    campaign_id, title, status, first_published_at, revision_id, postal_code = row
    if first_published_at is None or revision_id is None:
        return None
    return SignTarget(
        campaign_id=campaign_id,
        slug=slug,
        title=title,
        revision_id=revision_id,
        is_open=status == CampaignStatus.PUBLISHED,
        postal_code=postal_code or PostalCodeMode.OFF,
    )


def forget_all(*_: Any) -> None:
    if has_app_context():
        current_app.extensions.get(CACHE_KEY, {}).clear()


for _model in (Campaign, Revision, SignatureSettings):
    for _event in ("after_insert", "after_update", "after_delete"):
        event.listen(_model, _event, forget_all)
