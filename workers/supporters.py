"""Supporter tasks: retention."""

from __future__ import annotations

from celery import shared_task

from organizer.extensions import db
from organizer.supporters import retention


@shared_task(name="supporters.anonymize_inactive")
def anonymize_inactive() -> int:
    """Hourly: anonymize supporters past the retention period, a batch per transaction."""
    done = 0
    while batch := retention.anonymize_batch():
        done += batch
        db.session.commit()
    return done
