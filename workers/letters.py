"""Letter tasks: build a letter's documents, tell signers of a response, and the beat sweep."""

from __future__ import annotations

import logging

from celery import shared_task

from organizer.extensions import db
from organizer.letters import delivery, documents, milestones, responses, services, settings
from organizer.letters.models import Letter

log = logging.getLogger(__name__)


@shared_task(name=services.GENERATE_TASK)
def generate_documents(letter_id: int) -> str:
    if not services.claim_generation(letter_id):
        return "not-claimed"
    # The claim must be visible (and its lock released) before the slow rendering starts.
    db.session.commit()
    letter = db.session.get(Letter, letter_id)
    if letter is None:
        return "gone"
    try:
        documents.generate(letter, lambda percent: services.report_progress(letter_id, percent))
    except Exception as exc:
        db.session.rollback()
        log.exception("documents of letter %s failed", letter_id)
        services.generation_failed(letter_id, f"{type(exc).__name__}: {exc}")
        return "failed"
    if (
        letter.send_when_ready
        and delivery.email_recipient(letter)
        and settings.is_complete(letter.campaign)
    ):
        delivery.send_by_email(letter, None)
    return "ready"


@shared_task(name=responses.NOTIFY_TASK)
def notify_response(response_id: int) -> int:
    return responses.notify_signers(response_id)


@shared_task(name="letters.sweep")
def sweep() -> dict[str, int]:
    """Fire due milestone triggers, settle emailed letters, requeue lost document builds."""
    fired = milestones.fire_due()
    settled = delivery.sync_email_deliveries()
    requeued = services.requeue_stale_generations()
    return {"letters_written": len(fired), "settled": settled, "requeued": requeued}
