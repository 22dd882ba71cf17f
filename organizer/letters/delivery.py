"""How a letter leaves: by email through the outbox, or by post or web form, recorded by hand.

Outside production, email goes to LETTERS_TEST_RECIPIENT (captured by the dev mailbox when
there is no SMTP server) and never to a body's real address: demo data must not write to
a regulator.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from organizer.accounts.models import User
from organizer.db import utcnow
from organizer.extensions import db
from organizer.letters import audit, settings
from organizer.letters.models import (
    Channel,
    Delivery,
    DocumentKind,
    DocumentsStatus,
    Letter,
    LetterStatus,
)
from organizer.letters.services import LetterError
from organizer.mail.models import EmailStatus, OutboundEmail
from organizer.mail.services import Attachment, queue_email
from organizer.urls import external_url

ATTACHED = (DocumentKind.LETTER_PDF, DocumentKind.ANNEX_PDF, DocumentKind.ANNEX_CSV)


class SettingsMissing(LetterError):
    """No signatory or return address yet: a body would not know whom to answer."""


def is_production() -> bool:
    return bool(current_app.config["CAHIER_ENV"] == "production")


def email_recipient(letter: Letter) -> str | None:
    """Where an email of this letter goes here and now; None when the body has no address."""
    if not letter.regulator.contact_email:
        return None
    if is_production():
        return letter.regulator.contact_email
    return str(current_app.config["LETTERS_TEST_RECIPIENT"])


def _check_sendable(letter: Letter) -> None:
    if letter.status in (LetterStatus.SENT, LetterStatus.RESPONDED):
        raise LetterError(_("This letter has already been sent."))
    if letter.documents_status != DocumentsStatus.READY:
        raise LetterError(_("Generate the letter's documents before sending it."))
    if not settings.is_complete(letter.campaign):
        raise SettingsMissing(
            _("Say who signs the letters and where a body can answer before sending one.")
        )


def send_by_email(letter: Letter, actor: User | None, reply_to: str | None = None) -> Delivery:
    """Queue the letter, its PDF and annex in the outbox; sent once the transaction commits."""
    _check_sendable(letter)
    recipient = email_recipient(letter)
    if recipient is None:
        raise LetterError(_("This body has no email address: send the letter by post."))
    if any(
        d.channel == Channel.EMAIL and d.status in ("queued", "sending") for d in letter.deliveries
    ):
        raise LetterError(_("This letter is already on its way."))
    attempt = sum(1 for d in letter.deliveries if d.channel == Channel.EMAIL) + 1
    headers = {"X-Cahier-Letter": str(letter.id)}
    if recipient != letter.regulator.contact_email:
        headers["X-Cahier-Intended-Recipient"] = letter.regulator.contact_email or ""
    if reply_to:
        headers["Reply-To"] = reply_to
    attachments = [
        Attachment(document.filename, document.mime_type, document.content)
        for kind in ATTACHED
        if (document := letter.document(kind)) is not None
    ]
    email = queue_email(
        to=recipient,
        template="letter",
        locale=letter.language,
        context={
            "letter": letter,
            "sender": settings.settings_of(letter.campaign),
            "verify_url": external_url("letters_public.verify"),
        },
        headers=headers,
        idempotency_key=f"letter:{letter.id}:email:{attempt}",
        related=("letter", letter.id),
        attachments=attachments,
    )
    delivery = Delivery(
        channel=Channel.EMAIL,
        recipient=recipient,
        intended_recipient=letter.regulator.contact_email or "",
        outbound_email=email,
        recorded_by_id=actor.id if actor else None,
    )
    letter.deliveries.append(delivery)
    letter.status = LetterStatus.SCHEDULED
    letter.send_when_ready = False
    db.session.flush()
    audit.log(
        actor,
        "letter.emailed",
        letter,
        attempt=attempt,
        test=recipient != delivery.intended_recipient,
    )
    return delivery


def record_sent(
    letter: Letter, actor: User, channel: Channel, sent_on: date, note: str = ""
) -> Delivery:
    """The organizer posted the printed letter, or filled in the body's web form."""
    _check_sendable(letter)
    if channel == Channel.EMAIL:
        raise LetterError(_("Email is sent from Cahier, not recorded by hand."))
    if sent_on > utcnow().date():
        raise LetterError(_("The date a letter was sent cannot be in the future."))
    delivery = Delivery(
        channel=channel,
        recipient=letter.regulator.web_form_url if channel == Channel.WEB_FORM else "",
        sent_on=sent_on,
        note=note.strip(),
        recorded_by_id=actor.id,
    )
    letter.deliveries.append(delivery)
    _mark_sent(letter, datetime.combine(sent_on, time(12), tzinfo=UTC))
    db.session.flush()
    audit.log(actor, "letter.sent_by_hand", letter, channel=channel.value, on=sent_on.isoformat())
    return delivery


def _mark_sent(letter: Letter, at: datetime) -> None:
    if letter.status != LetterStatus.RESPONDED:
        letter.status = LetterStatus.SENT
    letter.sent_at = letter.sent_at or at


def sync_email_deliveries() -> int:
    """Bring letters whose email is out of the outbox up to date: sent, or failed for good."""
    rows = db.session.execute(
        select(Letter, OutboundEmail)
        .join(Delivery, Delivery.letter_id == Letter.id)
        .join(OutboundEmail, OutboundEmail.id == Delivery.outbound_email_id)
        .where(
            Letter.status == LetterStatus.SCHEDULED,
            OutboundEmail.status.in_([EmailStatus.SENT, EmailStatus.FAILED]),
        )
    ).all()
    changed = 0
    for letter, email in rows:
        latest = max((d for d in letter.deliveries if d.outbound_email_id), key=lambda d: d.id)
        if letter.status != LetterStatus.SCHEDULED or latest.outbound_email_id != email.id:
            continue  # an earlier attempt, or a letter already settled in this loop
        if email.status == EmailStatus.SENT:
            _mark_sent(letter, email.sent_at or utcnow())
            audit.log(None, "letter.delivered", letter, email_id=email.id)
        else:
            letter.status = LetterStatus.FAILED
            audit.log(None, "letter.failed", letter, email_id=email.id)
        changed += 1
    return changed
