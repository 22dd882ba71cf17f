"""A body's response: its date checked against the sending, then emailed to the signers who
asked for updates only once the organizer has read the preview and chosen to."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from organizer.db import utcnow
from organizer.extensions import db
from organizer.letters import delivery, documents, responses
from organizer.letters import services as letter_services
from organizer.letters.models import LetterStatus
from organizer.mail.models import OutboundEmail
from tests.letters.conftest import add_signatures


@pytest.fixture
def sent_ico(campaign, owner):
    letters = letter_services.write_letters(letter_services.preview(campaign), owner)
    ico = next(letter for letter in letters if letter.regulator.slug == "gb-ico")
    documents.generate(ico)
    delivery.record_sent(ico, owner, delivery.Channel.WEB_FORM, date(2026, 1, 5))
    return ico


def _response_emails():
    return db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.kind == "letter_response")
    ).all()


def test_a_response_cannot_arrive_before_the_letter_was_sent_nor_in_the_future(sent_ico, owner):
    with pytest.raises(letter_services.LetterError, match="before the letter was sent"):
        responses.record_response(sent_ico, owner, date(2026, 1, 4), "Too early.")
    tomorrow = utcnow().date() + timedelta(days=1)
    with pytest.raises(letter_services.LetterError, match="future"):
        responses.record_response(sent_ico, owner, tomorrow, "Not yet.")
    # The day it was sent is possible: an email can be answered the same day.
    assert responses.record_response(sent_ico, owner, date(2026, 1, 5), "Same day.")


def test_nobody_is_emailed_until_the_organizer_chooses(campaign, sent_ico, owner):
    opted_in = add_signatures(campaign, "GB", 2, updates=True)
    add_signatures(campaign, "FR", 1, updates=True)  # updates are per campaign, not per body
    response = responses.record_response(sent_ico, owner, date(2026, 2, 1), "The ICO will look.")
    assert sent_ico.status == LetterStatus.RESPONDED
    assert responses.notify_signers(response.id) == 0 and _response_emails() == []
    assert responses.recipient_count(sent_ico) == 3

    assert responses.decide_notification(response, owner, notify_signers=True) == 3
    assert response.signers_notified == 3 and response.notify_decided_at is not None
    assert responses.notify_signers(response.id) == 3
    assert responses.notify_signers(response.id) == 3  # idempotent: no second email
    emails = _response_emails()
    assert len(emails) == 3
    assert {s.email for s in opted_in} <= {e.to_addr for e in emails}
    assert "The ICO will look." in emails[0].text_body
    assert emails[0].headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with pytest.raises(letter_services.LetterError, match="already chose"):
        responses.decide_notification(response, owner, notify_signers=True)


def test_choosing_not_to_email_sends_nothing(campaign, sent_ico, owner):
    add_signatures(campaign, "GB", 2, updates=True)
    response = responses.record_response(sent_ico, owner, date(2026, 2, 1), "A form reply.")
    assert responses.decide_notification(response, owner, notify_signers=False) == 0
    assert response.signers_notified == 0
    assert responses.notify_signers(response.id) == 0 and _response_emails() == []


def test_the_preview_is_the_email_a_signer_reads(campaign, sent_ico, owner):
    response = responses.record_response(sent_ico, owner, date(2026, 2, 1), "We opened a case.")
    email = responses.preview(response, "en")
    assert email.subject == "ICO has answered “Facebook users' strike”"
    assert "We opened a case." in email.text and "Hello Signer's name," in email.text
    assert "February 1, 2026" in email.text
    assert "/s/manage/" in email.text  # where each signer's own link goes
    assert _response_emails() == []  # a preview queues nothing
