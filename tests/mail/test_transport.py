"""SMTP delivery in-process: connection reuse, the retry cap, and the pipelined exchange."""

from __future__ import annotations

import smtplib

import pytest

from organizer.extensions import db
from organizer.mail import services as outbox
from organizer.mail.models import EmailStatus
from organizer.mail.transport import SMTPTransport
from tests.factories import UserFactory
from tests.support.services import free_port


def _queued(n: int = 1):
    user = UserFactory()
    return [
        outbox.queue_email(
            to=user.email,
            template="verify_email",
            locale="en",
            context={"user": user, "verify_url": f"http://x/{i}"},
        )
        for i in range(n)
    ]


@pytest.fixture
def transport(app):
    """Swap the app's transport for the test, and put the real one back afterwards."""
    saved = app.extensions.pop("mail_transport", None)

    def install(new):
        app.extensions["mail_transport"] = new
        return new

    yield install
    current = app.extensions.pop("mail_transport", None)
    if isinstance(current, SMTPTransport):
        current.close()
    if saved is not None:
        app.extensions["mail_transport"] = saved


def test_one_smtp_connection_carries_many_messages(app, ctx, services, transport):
    services.smtp.reset()
    transport(SMTPTransport(services.smtp.url, timeout=5))
    emails = _queued(5)
    for email in emails:
        assert outbox.claim(email.id)
        assert outbox.deliver(email.id).status == EmailStatus.SENT
    assert len(services.smtp.received) == 5
    assert services.smtp.greetings == 1


def test_a_dropped_connection_is_reopened(app, ctx, services, transport):
    services.smtp.reset()
    smtp = transport(SMTPTransport(services.smtp.url, timeout=5))
    first, second = _queued(2)
    assert outbox.claim(first.id) and outbox.deliver(first.id).status == EmailStatus.SENT
    smtp._local.conn.sock.close()  # as if the server had timed the idle link out
    assert outbox.claim(second.id) and outbox.deliver(second.id).status == EmailStatus.SENT
    assert len(services.smtp.received) == 2


def test_transient_errors_back_off_then_fail_at_the_cap(app, ctx, transport):
    transport(SMTPTransport(f"smtp://127.0.0.1:{free_port()}", timeout=1))  # nobody listens
    [email] = _queued()
    max_attempts = app.config["MAIL_MAX_ATTEMPTS"]
    delays = []
    for _attempt in range(max_attempts - 1):
        email.next_attempt_at = None  # due now, instead of waiting out the backoff
        db.session.flush()
        assert outbox.claim(email.id)
        result = outbox.deliver(email.id)
        assert result.status == EmailStatus.QUEUED
        delays.append(result.retry_in)
    email.next_attempt_at = None
    db.session.flush()
    assert outbox.claim(email.id)
    assert outbox.deliver(email.id).status == EmailStatus.FAILED
    assert email.attempts == max_attempts
    assert "ConnectionRefusedError" in email.last_error
    assert delays == sorted(delays) and delays[0] < delays[-1]


def test_smtp_url_schemes_are_checked():
    with pytest.raises(ValueError, match="scheme"):
        SMTPTransport("http://mail.example.org", timeout=1)
    transport = SMTPTransport("smtps://user%40x:p%3Ass@mail.example.org", timeout=1)
    assert (transport.port, transport.username, transport.password) == (465, "user@x", "p:ss")


def _raw(to: str, body: bytes) -> bytes:
    return (
        b"From: Cahier <noreply@cahier.example>\r\nTo: " + to.encode() + b"\r\n"
        b"Subject: Dots\r\nMessage-ID: <" + to.encode() + b">\r\n\r\n" + body
    )


@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelined", "one-at-a-time"])
def test_both_exchanges_deliver_the_content_as_it_was(app, services, pipelining):
    services.smtp.reset()
    services.smtp.behaviour.pipelining = pipelining
    smtp = SMTPTransport(services.smtp.url, timeout=5)
    try:
        # A line that is a lone dot would end the data if it were not doubled on the wire.
        body = b"First line\r\n.\r\n..two dots\r\n.leading dot\r\nlast line without CRLF"
        smtp.send_raw("bounce+1@cahier.example", "dots@example.org", _raw("dots@example.org", body))
        smtp.send_raw("bounce+2@cahier.example", "next@example.org", _raw("next@example.org", b"x"))
    finally:
        smtp.close()
    [dots] = services.smtp.received_by("dots@example.org")
    assert dots.raw.split(b"\r\n\r\n", 1)[1] == body + b"\r\n"
    assert dots.envelope_from == "bounce+1@cahier.example"
    assert [m.envelope_from for m in services.smtp.received_by("next@example.org")] == [
        "bounce+2@cahier.example"
    ]
    assert services.smtp.greetings == 1


@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelined", "one-at-a-time"])
def test_refusals_read_alike_and_the_connection_goes_on(app, services, pipelining):
    services.smtp.reset()
    services.smtp.behaviour.pipelining = pipelining
    services.smtp.behaviour.refuse["gone@example.org"] = "550 5.1.1 No such mailbox"
    services.smtp.behaviour.defer_once["later@example.org"] = "451 4.3.0 Try again later"
    smtp = SMTPTransport(services.smtp.url, timeout=5)
    try:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            smtp.send_raw("s@cahier.example", "gone@example.org", _raw("gone@example.org", b"x"))
        assert refused.value.recipients["gone@example.org"][0] == 550
        with pytest.raises(smtplib.SMTPDataError) as deferred:
            smtp.send_raw("s@cahier.example", "later@example.org", _raw("later@example.org", b"x"))
        assert deferred.value.smtp_code == 451
        smtp.send_raw("s@cahier.example", "later@example.org", _raw("later@example.org", b"y"))
    finally:
        smtp.close()
    assert [m.envelope_to for m in services.smtp.received] == [["later@example.org"]]
    assert services.smtp.greetings == 1
