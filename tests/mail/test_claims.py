"""The worker's path in-process: a batch claimed with its columns, sent, recorded in Core."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from organizer.extensions import db
from organizer.mail import services as outbox
from organizer.mail.models import EmailStatus, OutboundEmail
from organizer.mail.transport import SMTPTransport
from tests.factories import UserFactory


def _queue(n: int, attachments=()):
    user = UserFactory()
    return [
        outbox.queue_email(
            to=user.email, template="verify_email", locale="fr",
            context={"user": user, "verify_url": f"https://cahier.example/v/{i}"},
            headers={"List-Unsubscribe": "<https://cahier.example/u/x>"},
            attachments=attachments,
        )
        for i in range(n)
    ]  # fmt: skip


def test_a_batch_claim_returns_what_each_message_is_built_from(ctx):
    plain = _queue(2)
    [letter] = _queue(1, [outbox.Attachment("letter.pdf", "application/pdf", b"%PDF-1.7")])
    ids = sorted(e.id for e in [*plain, letter])
    claimed = outbox.claim_batch(ids)
    assert [e.id for e in claimed] == ids
    assert outbox.claim_batch(ids) == []
    by_id = {e.id: e for e in claimed}
    first = by_id[plain[0].id]
    assert (first.to_addr, first.subject, first.locale, first.attempts) == (
        plain[0].to_addr, plain[0].subject, "fr", 1,
    )  # fmt: skip
    assert first.headers == {"List-Unsubscribe": "<https://cahier.example/u/x>"}
    assert first.text_body == plain[0].text_body and first.attachments == ()
    assert [(a.filename, a.content) for a in by_id[letter.id].attachments] == [
        ("letter.pdf", b"%PDF-1.7")
    ]


@pytest.fixture
def smtp(app, services):
    saved = app.extensions.pop("mail_transport", None)
    services.smtp.reset()
    transport = app.extensions["mail_transport"] = SMTPTransport(services.smtp.url, timeout=5)
    yield services.smtp
    transport.close()
    app.extensions.pop("mail_transport", None)
    if saved is not None:
        app.extensions["mail_transport"] = saved


def test_claimed_messages_are_sent_and_recorded(ctx, smtp):
    [plain] = _queue(1)
    [letter] = _queue(1, [outbox.Attachment("letter.pdf", "application/pdf", b"%PDF-1.7")])
    for email in outbox.claim_batch([plain.id, letter.id]):
        assert outbox.deliver_claimed(email).status == EmailStatus.SENT
    db.session.expire_all()
    for email in (plain, letter):
        row = db.session.get(OutboundEmail, email.id)
        assert row.status == EmailStatus.SENT and row.sent_at is not None
    received = {m.message_id: m.message for m in smtp.received}
    assert received.keys() == {plain.message_id, letter.message_id}
    fast = received[plain.message_id]
    assert fast["Subject"] == plain.subject and fast["Content-Language"] == "fr"
    assert "https://cahier.example/v/0" in fast.get_body(("plain",)).get_content()
    assert fast["List-Unsubscribe"] == "<https://cahier.example/u/x>"
    [pdf] = received[letter.message_id].iter_attachments()
    assert pdf.get_content() == b"%PDF-1.7"


def test_the_sent_marker_is_committed_asynchronously(ctx, smtp):
    [email] = _queue(1)
    [claimed] = outbox.claim_batch([email.id])
    # The test server runs with it off everywhere; production's default is on.
    db.session.execute(text("SET LOCAL synchronous_commit TO on"))
    outbox.deliver_claimed(claimed)
    assert db.session.execute(text("SHOW synchronous_commit")).scalar() == "off"


def test_a_refused_recipient_fails_for_good_without_its_address_in_the_log(ctx, smtp, caplog):
    [email] = _queue(1)
    smtp.behaviour.refuse[email.to_addr] = "550 5.1.1 No such mailbox"
    [claimed] = outbox.claim_batch([email.id])
    assert outbox.deliver_claimed(claimed).status == EmailStatus.FAILED
    db.session.expire_all()
    row = db.session.get(OutboundEmail, email.id)
    assert row.status == EmailStatus.FAILED and "550" in row.last_error
    ours = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("organizer"))
    assert "failed for good" in ours and email.to_addr not in ours
