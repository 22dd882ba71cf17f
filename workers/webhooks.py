"""Webhook tasks: post one delivery, and sweep up what the broker lost."""

from __future__ import annotations

from celery import shared_task

from organizer.api import webhook_delivery
from organizer.extensions import db

# Longer waits live in next_attempt_at, where the sweeper finds them, rather than as broker
# ETAs that a restart or a visibility timeout would replay.
MAX_COUNTDOWN_SECONDS = 60


@shared_task(bind=True, name=webhook_delivery.DELIVER_TASK, max_retries=None)
def deliver(self, delivery_id: int) -> str:
    if not webhook_delivery.claim(delivery_id):
        return "not-claimed"
    # The claim is visible to every other worker before the POST, which may be slow, and
    # holds no row lock during it.
    db.session.commit()
    outcome = webhook_delivery.deliver(delivery_id)
    if outcome.retry_in is not None and outcome.retry_in <= MAX_COUNTDOWN_SECONDS:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status.value


@shared_task(name=webhook_delivery.SWEEP_TASK)
def sweep() -> int:
    return len(webhook_delivery.sweep())
