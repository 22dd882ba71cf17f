"""A body's response: recorded by organizers, told to the signers who asked for updates."""

from __future__ import annotations

import hashlib
from datetime import date

from flask import current_app
from flask_babel import gettext as _

from organizer.accounts.models import User
from organizer.campaigns import notify
from organizer.db import after_commit, utcnow
from organizer.extensions import db
from organizer.letters import audit, sources
from organizer.letters.models import Letter, LetterStatus, Response
from organizer.letters.services import LetterError
from organizer.urls import external_url

NOTIFY_TASK = "letters.notify_response"
PDF_MAGIC = b"%PDF-"


def record_response(
    letter: Letter,
    actor: User,
    received_on: date,
    summary: str,
    document: bytes | None = None,
    filename: str = "",
) -> Response:
    if letter.status not in (LetterStatus.SENT, LetterStatus.RESPONDED):
        raise LetterError(_("Record a response once the letter has been sent."))
    if received_on > utcnow().date():
        raise LetterError(_("The date a response arrived cannot be in the future."))
    if not summary.strip():
        raise LetterError(_("Summarize the response in a few sentences."))
    if document is not None:
        if not document.startswith(PDF_MAGIC):
            raise LetterError(_("The response document must be a PDF file."))
        if len(document) > current_app.config["LETTERS_RESPONSE_MAX_BYTES"]:
            raise LetterError(_("The response document is too large."))
    response = Response(
        received_on=received_on,
        summary=summary.strip(),
        document=document,
        document_filename=(filename or "response.pdf")[-200:] if document else "",
        document_sha256=hashlib.sha256(document).hexdigest() if document else None,
        recorded_by_id=actor.id,
    )
    letter.responses.append(response)
    letter.status = LetterStatus.RESPONDED
    db.session.flush()
    audit.log(actor, "letter.response_recorded", letter, response_id=response.id)
    _enqueue_notification(response.id)
    notify.letter_response_recorded(response, actor)
    return response


def _enqueue_notification(response_id: int) -> None:
    celery = current_app.extensions["celery"]
    after_commit(db.session, lambda: celery.send_task(NOTIFY_TASK, args=[response_id], retry=False))


def notify_signers(response_id: int) -> int:
    """Email the response's summary to every signer who opted into updates, once each."""
    from organizer.signatures.mailing import email_signer

    response = db.session.get(Response, response_id)
    if response is None:
        return 0
    letter = response.letter
    context = {
        "campaign": letter.campaign,
        "body": letter.regulator,
        "response": response,
        "letter": letter,
        "campaign_url": external_url("campaigns.page", slug=letter.campaign.slug)
        + "#letters-heading",
    }
    sent = 0
    for signature in sources.update_recipients(letter.campaign):
        email_signer(
            signature,
            "letter_response",
            context,
            updates=True,
            idempotency_key=f"letter-response:{response.id}:signature:{signature.id}",
            related=("letter_response", response.id),
        )
        sent += 1
    return sent
