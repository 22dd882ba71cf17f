"""Paper signatures, recorded in batches by organizers: they count toward the goal."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from organizer.accounts.models import User
from organizer.audit.services import record
from organizer.campaigns.models import Campaign
from organizer.extensions import db
from organizer.signatures import counting
from organizer.signatures.models import OfflineBatch


class OfflineError(ValueError):
    pass


def add_batch(
    campaign: Campaign, user: User, count: int, collected_on: date, note: str
) -> OfflineBatch:
    if count < 1:
        raise OfflineError(_l("A batch holds at least one signature."))
    batch = OfflineBatch(
        campaign_id=campaign.id,
        count=count,
        collected_on=collected_on,
        note=note.strip(),
        created_by_id=user.id,
    )
    db.session.add(batch)
    db.session.flush()
    counting.add_offline(campaign.id, count)
    record(
        user,
        "signatures.offline_added",
        "campaign",
        campaign.id,
        {"batch": batch.id, "count": count, "collected_on": collected_on.isoformat()},
    )
    return batch


def delete_batch(campaign: Campaign, user: User, batch_id: int) -> None:
    batch = db.session.get(OfflineBatch, batch_id)
    if batch is None or batch.campaign_id != campaign.id:
        raise OfflineError(_l("No such batch on this campaign."))
    counting.add_offline(campaign.id, -batch.count)
    record(
        user,
        "signatures.offline_deleted",
        "campaign",
        campaign.id,
        {"batch": batch.id, "count": batch.count},
    )
    db.session.delete(batch)
    db.session.flush()


def batches(campaign: Campaign) -> list[OfflineBatch]:
    return list(
        db.session.scalars(
            select(OfflineBatch)
            .where(OfflineBatch.campaign_id == campaign.id)
            .order_by(OfflineBatch.collected_on.desc(), OfflineBatch.id.desc())
        )
    )
