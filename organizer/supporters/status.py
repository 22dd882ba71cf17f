"""The one place a supporter's email status changes, always with its consent event."""

from __future__ import annotations

from sqlalchemy import select

from organizer.api import webhooks
from organizer.db import utcnow
from organizer.extensions import db
from organizer.supporters.models import ConsentEvent, Supporter, SupporterStatus

UPDATES = "updates"


def change_status(
    supporter: Supporter,
    status: SupporterStatus,
    *,
    source_type: str,
    source_id: int | None = None,
    text_version: str | None = None,
) -> bool:
    """Set the status and record why; False (and nothing written) when it is unchanged."""
    if supporter.status == status:
        return False
    supporter.status = status
    supporter.updated_at = utcnow()
    db.session.add(
        ConsentEvent(
            supporter_id=supporter.id,
            purpose=UPDATES,
            granted=status == SupporterStatus.SUBSCRIBED,
            source_type=source_type,
            source_id=source_id,
            text_version=text_version,
        )
    )
    db.session.flush()
    # An erasure is not announced: the payload would carry the very data being erased.
    if status == SupporterStatus.UNSUBSCRIBED and source_type != "erase":
        webhooks.supporter_unsubscribed(supporter)
    return True


def supporter_for(group_id: int, canonical_email: str) -> Supporter | None:
    return db.session.scalar(
        select(Supporter).where(
            Supporter.group_id == group_id, Supporter.canonical_email == canonical_email
        )
    )
