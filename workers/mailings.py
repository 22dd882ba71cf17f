"""Mailing tasks: expand a mailing into the outbox, and the beat tick that starts scheduled
mailings, releases drip slots, restarts interrupted expansions and closes finished sends."""

from __future__ import annotations

from celery import shared_task
from flask import current_app

from organizer.extensions import db
from organizer.mailings import expansion, sending


@shared_task(name=sending.EXPAND_TASK)
def expand(mailing_id: int) -> int:
    """Each batch commits on its own: a killed worker loses at most the batch in flight,
    and the rerun (acks_late, or the tick) resumes after ``expanded_through_id``."""
    state = expansion.start(mailing_id)
    if state is None:
        return 0
    batches = 0
    size = expansion.batch_size()
    while expansion.expand_batch(state, size):
        db.session.commit()
        batches += 1
    return batches


@shared_task(name="mailings.tick")
def tick() -> int:
    interval = float(current_app.config["MAILING_TICK_INTERVAL_SECONDS"])
    sending.start_due()
    released = sending.release_due(window_seconds=max(interval * 3, 60.0))
    stale = float(current_app.config["MAILING_EXPAND_STALE_SECONDS"])
    for mailing_id in sending.stalled_expansions(stale):
        expand.delay(mailing_id)
    sending.finish_done()
    return len(released)
