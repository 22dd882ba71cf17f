"""Outbox attachments: stored with the message, with their hash, and sent as MIME parts."""

from __future__ import annotations

import hashlib

from organizer.mail import services as outbox
from tests.factories import UserFactory


def test_attachments_are_stored_and_built_into_the_message(ctx):
    user = UserFactory()
    pdf = b"%PDF-1.7 tiny"
    email = outbox.queue_email(
        to=user.email,
        template="verify_email",
        locale="en",
        context={"user": user, "verify_url": "https://cahier.example/v/abc"},
        attachments=[
            outbox.Attachment("letter.pdf", "application/pdf", pdf),
            outbox.Attachment("annex.csv", "text/csv", b"name\r\nAda\r\n"),
        ],
    )
    assert [a.filename for a in email.attachments] == ["letter.pdf", "annex.csv"]
    assert email.attachments[0].sha256 == hashlib.sha256(pdf).hexdigest()

    message = outbox.build_message(email)
    assert message.get_content_type() == "multipart/mixed"
    parts = list(message.iter_attachments())
    assert [(p.get_filename(), p.get_content_type()) for p in parts] == [
        ("letter.pdf", "application/pdf"),
        ("annex.csv", "text/csv"),
    ]
    assert parts[0].get_content() == pdf
    assert "https://cahier.example/v/abc" in message.get_body(("plain",)).get_content()


def test_a_message_without_attachments_stays_multipart_alternative(ctx):
    user = UserFactory()
    email = outbox.queue_email(
        to=user.email, template="verify_email", locale="en",
        context={"user": user, "verify_url": "https://cahier.example/v/abc"},
    )  # fmt: skip
    assert outbox.build_message(email).get_content_type() == "multipart/alternative"
