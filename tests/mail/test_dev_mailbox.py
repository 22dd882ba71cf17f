"""The dev mailbox: what the default run shows instead of sending."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from organizer.extensions import db
from organizer.mail import services as outbox
from organizer.mail.models import CapturedEmail
from organizer.mail.transport import DevMailboxTransport, get_transport
from tests.factories import UserFactory


@pytest.fixture
def dev_app(make_app, db_session):
    return make_app({"TESTING": True}, SMTP_URL="")


def test_without_smtp_url_mail_is_captured_and_browsable(dev_app):
    with dev_app.app_context():
        assert isinstance(get_transport(), DevMailboxTransport)
        user = UserFactory(email="reader@example.org")
        email = outbox.queue_email(
            to=user.email,
            template="verify_email",
            locale="en",
            context={"user": user, "verify_url": "http://127.0.0.1:5000/account/verify/t0k3n"},
        )
        assert outbox.claim(email.id)
        outbox.deliver(email.id)
        db.session.commit()
        captured_id = db.session.scalar(select(CapturedEmail.id))

    client = dev_app.test_client()
    inbox = client.get("/dev/mail").get_data(as_text=True)
    assert "reader@example.org" in inbox
    assert "Verify your email address for Cahier" in inbox

    message = client.get(f"/dev/mail/{captured_id}").get_data(as_text=True)
    assert '<a href="http://127.0.0.1:5000/account/verify/t0k3n">' in message
    assert client.get(f"/dev/mail/{captured_id}/html").mimetype == "text/html"
    assert "Message-ID" in client.get(f"/dev/mail/{captured_id}/raw").get_data(as_text=True)
    assert client.get(f"/dev/mail/{captured_id + 1}").status_code == 404


def test_text_is_escaped_before_links_are_made(dev_app):
    from organizer.mail.views import linkify

    html = str(linkify('<script>x</script> see https://a.example/p?q=1&r=2 "quoted"'))
    assert "<script>" not in html
    assert '<a href="https://a.example/p?q=1&amp;r=2">' in html
