"""A body's response: recorded by organizers, then, once they have previewed the email and
chosen to, told to the signers who asked for updates."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from organizer.accounts.models import User
from organizer.campaigns import notify
from organizer.db import after_commit, utcnow
from organizer.extensions import db
from organizer.letters import audit, sources
from organizer.letters.models import Letter, LetterStatus, Response
from organizer.letters.services import LetterError
from organizer.mail.rendering import RenderedEmail, render_email
from organizer.signatures.models import Signature
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
    sent_on = sent_date(letter)
    if sent_on is not None and received_on < sent_on:
        raise LetterError(_("A response cannot arrive before the letter was sent."))
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
    notify.letter_response_recorded(response, actor)
    return response


def sent_date(letter: Letter) -> date | None:
    return letter.sent_at.date() if letter.sent_at else None


def recipient_count(letter: Letter) -> int:
    return sources.update_recipient_count(letter.campaign)


def decide_notification(response: Response, actor: User, notify_signers: bool) -> int:
    """The organizer's choice after the preview; emails go out from a worker after commit.

    Returns how many signers will be emailed. A second choice changes nothing.
    """
    if response.notify_decided_at is not None:
        raise LetterError(_("You already chose whether to email the signers."))
    count = recipient_count(response.letter) if notify_signers else 0
    response.signers_notified = count
    response.notify_decided_at = utcnow()
    db.session.flush()
    if notify_signers:
        audit.log(actor, "letter.response_notified", response.letter, signers=count)
    else:
        audit.log(actor, "letter.response_not_notified", response.letter)
    if count:
        _enqueue_notification(response.id)
    return count


def _context(response: Response) -> dict[str, Any]:
    letter = response.letter
    return {
        "campaign": letter.campaign,
        "body": letter.regulator,
        "response": response,
        "letter": letter,
        "campaign_url": external_url("campaigns.page", slug=letter.campaign.slug)
        + "#letters-heading",
    }


def preview(response: Response, locale: str) -> RenderedEmail:
    """The email as a signer would read it, with placeholder links and a placeholder name."""
    sample = Signature(name=_("Signer's name"), locale=locale)
    placeholder = "…"  # each signer's own link goes here
    return render_email(
        "letter_response",
        locale,
        **_context(response),
        signature=sample,
        manage_url=external_url("privacy.manage", token=placeholder),
        unsubscribe_url=external_url("privacy.unsubscribe", token=placeholder),
    )


def _enqueue_notification(response_id: int) -> None:
    celery = current_app.extensions["celery"]
    after_commit(db.session, lambda: celery.send_task(NOTIFY_TASK, args=[response_id], retry=False))


def notify_signers(response_id: int) -> int:
    """Email the response's summary to every signer who opted into updates, once each."""
    from organizer.signatures.mailing import email_signer

    response = db.session.get(Response, response_id)
    if response is None:
        return 0
    if not response.signers_notified:
        return 0  # the organizer chose not to email them, or has not chosen yet
    context = _context(response)
    sent = 0
    for signature in sources.update_recipients(response.letter.campaign):
        queued = email_signer(
            signature,
            "letter_response",
            context,
            updates=True,
            idempotency_key=f"letter-response:{response.id}:signature:{signature.id}",
            related=("letter_response", response.id),
        )
        sent += queued is not None
    return sent
