"""Signature tasks: fold the count journal, reconcile, pledges, reports, purges, bulk jobs,
and signatures from addresses on file."""

from __future__ import annotations

from celery import shared_task

from organizer.extensions import db
from organizer.signatures import (
    abuse,
    counting,
    milestones,
    moderation,
    pledges,
    revision_notices,
    sign_again,
)


@shared_task(name="signatures.fold_counts")
def fold_counts() -> int:
    """Every couple of seconds: journal → counters, then announce reached milestones."""
    folded = 0
    while changed := counting.fold():
        folded += sum(abs(delta) for delta in changed.values())
        for campaign_id in changed:
            milestones.announce_reached(campaign_id)
        # Each batch is its own transaction: counters move forward while a backlog drains.
        db.session.commit()
    return folded


@shared_task(name=sign_again.TASK)
def run_sign_again(request_id: int) -> str | None:
    outcome = sign_again.run(request_id)
    return None if outcome is None else str(outcome)


@shared_task(name="signatures.sweep_sign_again")
def sweep_sign_again() -> int:
    return len(sign_again.sweep())


@shared_task(name="signatures.reconcile_counts")
def reconcile_counts() -> dict[str, int]:
    return {str(k): v for k, v in counting.reconcile().items()}


@shared_task(name="signatures.check_pledges")
def check_pledges() -> int:
    return len(pledges.check_pledges())


@shared_task(name="signatures.abuse_reports")
def abuse_reports() -> int:
    return len(abuse.build_reports())


@shared_task(name="signatures.purge_ip_hmacs")
def purge_ip_hmacs() -> int:
    return abuse.purge_ip_hmacs()


@shared_task(name=moderation.RUN_JOB_TASK)
def run_moderation_job(job_id: int) -> str:
    while not moderation.run_job_step(job_id):
        # Progress is visible, and counts go down, batch by batch.
        db.session.commit()
    return "done"


@shared_task(name=revision_notices.RUN_TASK)
def send_revision_notices(revision_id: int) -> str:
    while not revision_notices.run_step(revision_id):
        # One batch of outbox rows per transaction: they start going out while the rest wait.
        db.session.commit()
    db.session.commit()
    return "done"


@shared_task(name="signatures.sweep_revision_notices")
def sweep_revision_notices() -> int:
    """Finish jobs whose task was lost (Redis down at publication, a worker killed)."""
    jobs = revision_notices.unfinished()
    for revision_id in jobs:
        send_revision_notices(revision_id)
    return len(jobs)
