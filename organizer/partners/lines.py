"""The consent lines of a campaign's active partners, as the sign form shows them.

Every render of the sign form and every sign POST asks for them, so each web process keeps
them for ``SIGN_TARGET_CACHE_SECONDS`` like the sign target; a change to a partner clears
the cache of the process that made it at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event, select

from organizer.extensions import db
from organizer.groups.models import Group
from organizer.partners.models import Partner, PartnerStatus
from organizer.signatures.memo import app_cache, remember

CACHE_KEY = "cahier.partner_lines"


@dataclass(frozen=True)
class PartnerLine:
    partner_id: int
    name: str

    @property
    def purpose(self) -> str:
        return f"partner:{self.partner_id}"


def partner_lines(campaign_id: int) -> tuple[PartnerLine, ...]:
    """One line per active partner, in the order of their names."""
    cache = app_cache(CACHE_KEY)
    now = time.monotonic()
    hit: tuple[float, tuple[PartnerLine, ...]] | None = cache.get(campaign_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    rows = db.session.execute(
        select(Partner.id, Group.name)
        .join(Group, Group.id == Partner.group_id)
        .where(Partner.campaign_id == campaign_id, Partner.status == PartnerStatus.ACTIVE)
        .order_by(Group.name, Partner.id)
    )
    lines = tuple(PartnerLine(id_, name) for id_, name in rows)
    ttl = float(current_app.config["SIGN_TARGET_CACHE_SECONDS"])
    if ttl > 0:
        remember(cache, campaign_id, (now + ttl, lines))
    return lines


def forget_all(*_: Any) -> None:
    if has_app_context():
        current_app.extensions.get(CACHE_KEY, {}).clear()


for _model in (Partner, Group):
    for _event in ("after_insert", "after_update", "after_delete"):
        event.listen(_model, _event, forget_all)
