"""Retention: a supporter with no action for SUPPORTER_RETENTION_DAYS is anonymized, exactly
as an erasure does it, with no one to name as the actor (the audit says so)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from organizer.db import utcnow
from organizer.extensions import db
from organizer.supporters.erase import ANONYMIZED, anonymize
from organizer.supporters.models import Supporter


def cutoff(now: datetime | None = None) -> datetime:
    days = int(current_app.config["SUPPORTER_RETENTION_DAYS"])
    return (now or utcnow()) - timedelta(days=days)


def anonymize_batch(now: datetime | None = None) -> int:
    """Anonymize the next batch of inactive supporters; the caller commits. Rows another run
    holds are skipped, not waited for, so that two beat runs never erase one twice."""
    statement = (
        select(Supporter)
        .where(Supporter.erased_at.is_(None), Supporter.last_action_at < cutoff(now))
        .order_by(Supporter.id)
        .limit(int(current_app.config["SUPPORTER_RETENTION_BATCH"]))
        .with_for_update(skip_locked=True)
    )
    inactive = list(db.session.scalars(statement))
    for supporter in inactive:
        anonymize(supporter, None, ANONYMIZED)
    return len(inactive)
