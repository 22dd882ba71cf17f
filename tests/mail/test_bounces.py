"""At send time, against the real SMTP sink and worker: mailings leave with their VERP
envelope sender, a 5xx for the mailbox bounces the supporter, and DKIM signs when set up."""

from __future__ import annotations

import base64

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select

from organizer.extensions import db
from organizer.mail import listmail
from organizer.mail import services as outbox
from organizer.mail.models import EmailStatus, OutboundEmail, Suppression, SuppressionReason
from organizer.mailings.models import Mailing, MailingRecipient, RecipientStatus
from organizer.supporters.models import Supporter, SupporterStatus
from tests.factories import GroupFactory, SupporterFactory, UserFactory
from tests.support.services import wait_for

pytestmark = pytest.mark.integration


def _queue_mailing(app, address: str, **queue) -> dict[str, int]:
    """A supporter, a mailing recipient, and its outbox row, committed."""
    with app.app_context():
        group = GroupFactory()
        supporter = SupporterFactory(group=group, email=address)
        mailing = Mailing(group_id=group.id)
        db.session.add(mailing)
        db.session.flush()
        recipient = MailingRecipient(mailing_id=mailing.id, supporter_id=supporter.id)
        db.session.add(recipient)
        db.session.flush()
        email = outbox.queue_email(
            to=address, template="verify_email", locale="en", kind="mailing",
            context={"user": UserFactory(), "verify_url": "http://127.0.0.1/verify/x"},
            headers=listmail.list_headers(group=group, supporter_id=supporter.id,
                                          list_id_suffix="mailings"),
            related=("mailing_recipient", recipient.id), **queue,
        )  # fmt: skip
        recipient.email_id = email.id
        ids = {"group": group.id, "supporter": supporter.id, "recipient": recipient.id,
               "email": email.id}  # fmt: skip
        db.session.commit()
        return ids


def _settled(app, email_id):
    with app.app_context():
        row = db.session.get(OutboundEmail, email_id)
        return row.status if row.status in (EmailStatus.SENT, EmailStatus.FAILED) else None


def test_a_mailing_leaves_with_its_verp_envelope_sender(app, services, committed_db, worker):
    ids = _queue_mailing(app, "verp@example.org")
    services.smtp.wait_for_message("verp@example.org")
    (received,) = services.smtp.received_by("verp@example.org")
    with app.app_context():
        assert received.envelope_from == listmail.bounce_address(ids["email"])
        assert listmail.outbox_id_for_bounce_address(received.envelope_from) == ids["email"]
    message = received.message
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/unsubscribe/s/" in message["List-Unsubscribe"]
    assert "mailto:unsubscribe+" in message["List-Unsubscribe"]


def test_other_mail_keeps_the_from_address_as_envelope_sender(app, services, committed_db, worker):
    with app.app_context():
        outbox.queue_email(
            to="plain@example.org", template="verify_email", locale="en",
            context={"user": UserFactory(), "verify_url": "http://127.0.0.1/verify/x"},
        )  # fmt: skip
        db.session.commit()
    services.smtp.wait_for_message("plain@example.org")
    (received,) = services.smtp.received_by("plain@example.org")
    assert received.envelope_from == "noreply@cahier.invalid"


def test_a_550_for_the_mailbox_bounces_the_supporter_and_suppresses_the_address(
    app, services, committed_db, worker
):
    services.smtp.behaviour.refuse["gone@example.org"] = "550 5.1.1 No such mailbox"
    ids = _queue_mailing(app, "gone@example.org")
    assert wait_for(lambda: _settled(app, ids["email"]), what="the 550") == EmailStatus.FAILED
    with app.app_context():
        assert db.session.get(Supporter, ids["supporter"]).status == SupporterStatus.BOUNCING
        recipient = db.session.get(MailingRecipient, ids["recipient"])
        assert recipient.status == RecipientStatus.BOUNCED
        rows = db.session.scalars(select(Suppression)).all()
        assert [(r.email, r.group_id, r.reason) for r in rows] == [
            ("gone@example.org", None, SuppressionReason.HARD_BOUNCE)
        ]


def test_a_5xx_about_the_content_does_not_suppress_the_address(app, services, committed_db, worker):
    # A refusal of our message after DATA (policy, size) is not a verdict on the mailbox.
    services.smtp.behaviour.defer_once["picky@example.org"] = "554 5.7.1 Refused by policy"
    ids = _queue_mailing(app, "picky@example.org")
    assert wait_for(lambda: _settled(app, ids["email"]), what="the 554") == EmailStatus.FAILED
    with app.app_context():
        assert db.session.get(Supporter, ids["supporter"]).status == SupporterStatus.SUBSCRIBED
        assert db.session.scalars(select(Suppression)).all() == []


def _dkim_key() -> tuple[str, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def test_dkim_signs_what_the_smtp_server_receives(app, services, committed_db, make_app):
    pem, record = _dkim_key()
    signing_app = make_app(
        DKIM_PRIVATE_KEY=pem.replace("\n", "\\n"), DKIM_SELECTOR="cahier2026",
        MAIL_FROM="Cahier <noreply@cahier.example.org>",
    )  # fmt: skip
    with signing_app.app_context():
        ids = _queue_mailing(signing_app, "signed@example.org")
        assert outbox.claim(ids["email"])
        assert outbox.deliver(ids["email"]).status == EmailStatus.SENT
        db.session.commit()
    (received,) = services.smtp.received_by("signed@example.org")
    asked = []

    def dns(name: bytes, timeout: int = 5) -> bytes:
        asked.append(name)
        return record

    assert dkim.verify(received.raw, dnsfunc=dns)
    assert asked == [b"cahier2026._domainkey.cahier.example.org."]
    signature = received.message["DKIM-Signature"]
    signed = {h.strip().lower() for h in signature.split("h=", 1)[1].split(";", 1)[0].split(":")}
    assert {"from", "to", "subject", "date", "message-id", "list-unsubscribe",
            "list-unsubscribe-post", "list-id"} <= signed  # fmt: skip
    # The general builder's path (an attachment, a non-ASCII display name) is signed too.
    with signing_app.app_context():
        email = outbox.queue_email(
            to="Zoë Ünal <zoe@example.org>", template="verify_email", locale="fr",
            context={"user": UserFactory(), "verify_url": "http://127.0.0.1/verify/x"},
            attachments=[outbox.Attachment("lettre.pdf", "application/pdf", b"%PDF-1.4 x")],
        )  # fmt: skip
        db.session.commit()
        assert outbox.claim(email.id)
        assert outbox.deliver(email.id).status == EmailStatus.SENT
        db.session.commit()
    (general,) = services.smtp.received_by("zoe@example.org")
    assert general.message["DKIM-Signature"] is not None
    assert dkim.verify(general.raw, dnsfunc=dns)
    # Changing a signed header breaks it: the test can fail.
    tampered = received.raw.replace(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click",
                                    b"List-Unsubscribe-Post: nothing")  # fmt: skip
    assert not dkim.verify(tampered, dnsfunc=dns)


def test_a_550_within_a_batch_bounces_only_that_supporter(app, services, committed_db, worker):
    services.smtp.behaviour.refuse["gone2@example.org"] = "550 5.1.1 No such mailbox"
    with app.app_context():
        # Two rows in one commit: the dispatcher publishes them as one batch task.
        group = GroupFactory()
        people = [SupporterFactory(group=group, email=a)
                  for a in ("gone2@example.org", "fine@example.org")]  # fmt: skip
        ids = [
            outbox.queue_email(
                to=p.email, template="verify_email", locale="en", kind="mailing",
                context={"user": UserFactory(), "verify_url": "http://127.0.0.1/verify/x"},
            ).id
            for p in people
        ]  # fmt: skip
        supporter_ids = [p.id for p in people]
        db.session.commit()
    for email_id in ids:
        wait_for(lambda email_id=email_id: _settled(app, email_id), what="both outcomes")
    services.smtp.wait_for_message("fine@example.org")
    with app.app_context():
        statuses = [db.session.get(Supporter, i).status for i in supporter_ids]
        assert statuses == [SupporterStatus.BOUNCING, SupporterStatus.SUBSCRIBED]
