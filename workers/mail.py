"""Outbox tasks: deliver one message, and sweep up what the broker lost."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_process_shutdown

from organizer.extensions import db
from organizer.mail import dispatch
from organizer.mail import services as outbox
from organizer.mail.models import EmailStatus

MAX_COUNTDOWN_SECONDS = 60


@shared_task(bind=True, name=outbox.DELIVER_TASK, max_retries=None)
def deliver(self, email_id: int) -> str:
    if not outbox.claim(email_id):
        return "not-claimed"
    # The claim must be visible to every other worker before the slow SMTP exchange starts,
    # and must not hold a row lock during it.
    db.session.commit()
    result = outbox.deliver(email_id)
    if result.status == EmailStatus.QUEUED and result.retry_in is not None:
        if result.retry_in <= MAX_COUNTDOWN_SECONDS:
            raise self.retry(countdown=result.retry_in)
        # Long waits live in the database (next_attempt_at), where the sweeper finds them,
        # not as broker ETAs that a restart or a visibility timeout would replay.
        return "deferred"
    return result.status.value


@shared_task(name=outbox.DELIVER_BATCH_TASK)
def deliver_batch(email_ids: list[int], request_ids: list[str | None] | None = None) -> int:
    """Claim a batch in one statement, then send each message over the worker's SMTP
    connection, recording each outcome in its own commit: a worker killed mid-batch can
    have at most one message in flight (the others it claimed wait for the stale sweep)."""
    claimed = outbox.claim_batch(email_ids)
    db.session.commit()
    # One connection for the whole batch: the session would give its connection back to
    # the pool at each commit, and check it out (and ping it) again for the next message.
    with db.engine.connect() as pooled:
        # Autocommit: each outcome commits in the statement that records it, one round trip
        # a message where BEGIN, UPDATE and COMMIT were three.
        conn = pooled.execution_options(isolation_level="AUTOCOMMIT")
        sent = []
        for email in claimed:
            result = outbox.deliver_claimed(email, conn, log_sent=False)
            if result.status == EmailStatus.SENT:
                sent.append(email)
            # What the dev mailbox captured, or what a bounce did to the supporter: each
            # commits with its message, not at the end of the batch.
            if db.session.new or db.session().in_transaction():
                db.session.commit()
            soon = result.retry_in is not None and result.retry_in <= MAX_COUNTDOWN_SECONDS
            if result.status == EmailStatus.QUEUED and soon:
                # A short wait goes back to the broker; a long one lives in next_attempt_at,
                # where the sweeper finds it, as for a single delivery.
                deliver.apply_async(args=[email.id], countdown=result.retry_in, retry=False)
    outbox.log_sent_together(sent, dict(zip(email_ids, request_ids or [], strict=False)))
    return len(claimed)


@shared_task(name="mail.sweep")
def sweep() -> int:
    return len(outbox.sweep())


@worker_process_shutdown.connect
def _publish_pending(**_: Any) -> None:
    # Celery's pool processes leave with os._exit, which skips atexit: what the tasks of this
    # process queued in its last few milliseconds is published here (or swept later).
    dispatch.flush_all()
