"""SMTP delivery in-process: connection reuse and the retry cap."""

from __future__ import annotations

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
