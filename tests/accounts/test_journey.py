"""Registration through real mail: the worker, the SMTP server, Redis going away."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from organizer.extensions import db
from organizer.mail.models import EmailStatus, OutboundEmail
from tests.support.services import celery_beat, wait_for
from tests.support.web import submit

pytestmark = pytest.mark.integration

PASSWORD = "tulips in the rain at dawn"


def _register(client, email: str):
    return submit(
        client, "/account/register", {"display_name": "Grace", "email": email, "password": PASSWORD}
    )


def _link_path(message) -> str:
    text = message.get_body(("plain",)).get_content()
    url = re.search(r"https?://\S+/account/verify/\S+", text)[0]
    return urlsplit(url).path


def test_register_verify_by_real_email_then_log_in(app, services, committed_db, worker):
    client = app.test_client()
    assert _register(client, "grace@example.org").status_code == 200

    message = services.smtp.wait_for_message("grace@example.org")
    assert message["Subject"] == "Verify your email address for Cahier"
    verify_path = _link_path(message)
    assert submit(client, verify_path, {}).status_code == 302

    response = submit(
        client, "/account/login", {"email": "grace@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "Grace" in client.get("/").get_data(as_text=True)


def test_with_redis_down_registration_succeeds_and_the_sweeper_sends_later(
    app, services, committed_db, worker, tmp_path
):
    client = app.test_client()
    client.get("/account/register")
    services.redis.stop()
    try:
        response = _register(client, "outage@example.org")
    finally:
        services.redis.start()
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(
            select(OutboundEmail).where(OutboundEmail.to_addr == "outage@example.org")
        )
        assert row.status == EmailStatus.QUEUED
        message_id = row.message_id

    beat = celery_beat(
        services.env(OUTBOX_SWEEP_INTERVAL_SECONDS="1"),
        services.log_dir,
        tmp_path / "beat-schedule",
    )
    try:
        services.smtp.wait_for_message("outage@example.org", timeout=60)

        def sent():
            with app.app_context():
                return (
                    db.session.scalar(
                        select(OutboundEmail.status).where(OutboundEmail.message_id == message_id)
                    )
                    == EmailStatus.SENT
                )

        wait_for(sent, what="the row to be marked sent")
        # Beat keeps sweeping every second; a sent row must never go out again.
        wait_for(lambda: beat.log().count("mail.sweep") >= 3, what="three more sweeps")
    finally:
        beat.stop()
    delivered = [
        m for m in services.smtp.messages_to("outage@example.org") if m["Message-ID"] == message_id
    ]
    assert len(delivered) == 1


def test_a_password_reset_arrives_by_real_email_and_works(app, services, committed_db, worker):
    from tests.factories import UserFactory

    with app.app_context():
        UserFactory(email="forgetful@example.org")
        db.session.commit()
    client = app.test_client()
    response = submit(client, "/account/password/forgot", {"email": "forgetful@example.org"})
    assert response.status_code == 200
    submit(client, "/account/password/forgot", {"email": "stranger@example.org"})

    message = services.smtp.wait_for_message("forgetful@example.org")
    text = message.get_body(("plain",)).get_content()
    reset_path = urlsplit(re.search(r"https?://\S+/account/password/reset/\S+", text)[0]).path
    new_password = "a fresh start in spring"
    response = submit(client, reset_path, {"password": new_password, "confirm": new_password})
    assert response.status_code == 302
    response = submit(
        client, "/account/login", {"email": "forgetful@example.org", "password": new_password}
    )
    assert response.status_code == 302
    # The link works once only.
    assert (
        submit(client, reset_path, {"password": "x" * 12, "confirm": "x" * 12}).status_code == 400
    )
    assert services.smtp.messages_to("stranger@example.org") == []
