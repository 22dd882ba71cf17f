from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from organizer.db import after_commit, utcnow
from organizer.extensions import db
from organizer.mail import services as outbox
from organizer.mail.models import EmailStatus, OutboundEmail
from tests.factories import UserFactory


def _queue(**overrides):
    user = UserFactory(locale=overrides.pop("locale", "en"))
    fields = {
        "to": user.email,
        "template": "verify_email",
        "locale": user.locale,
        "context": {"user": user, "verify_url": "https://cahier.example/v/abc"},
    }
    fields.update(overrides)
    return outbox.queue_email(**fields)


def test_queue_writes_a_rendered_row_in_the_recipients_language(ctx):
    email = _queue(locale="fr")
    assert email.status == EmailStatus.QUEUED
    assert email.subject == "Vérifiez votre adresse e-mail pour Cahier"
    assert "https://cahier.example/v/abc" in email.text_body
    assert 'href="https://cahier.example/v/abc"' in email.html_body
    assert email.message_id.startswith("<") and email.message_id.endswith("@127.0.0.1>")


def test_the_same_idempotency_key_queues_one_message(ctx):
    first = _queue(idempotency_key="welcome:1")
    second = _queue(idempotency_key="welcome:1")
    assert first.id == second.id
    count = db.session.scalar(
        select(db.func.count())
        .select_from(OutboundEmail)
        .where(OutboundEmail.idempotency_key == "welcome:1")
    )
    assert count == 1


def test_after_commit_hooks_run_only_after_the_commit(ctx):
    ran = []
    after_commit(db.session, lambda: ran.append("committed"))
    db.session.flush()
    assert ran == []
    db.session.commit()
    assert ran == ["committed"]


def test_after_commit_hooks_are_dropped_on_rollback(ctx):
    ran = []
    after_commit(db.session, lambda: ran.append("committed"))
    db.session.rollback()
    db.session.commit()
    assert ran == []


def test_a_failing_hook_does_not_undo_the_commit(ctx):
    def broken():
        raise ConnectionError("broker down")

    email = _queue()
    after_commit(db.session, broken)
    db.session.commit()
    assert db.session.get(OutboundEmail, email.id).status == EmailStatus.QUEUED


def test_a_row_is_claimed_once(ctx):
    email = _queue()
    assert outbox.claim(email.id) is True
    assert outbox.claim(email.id) is False
    db.session.refresh(email)
    assert email.status == EmailStatus.SENDING
    assert email.attempts == 1


def test_a_row_is_not_claimed_before_its_next_attempt(ctx):
    email = _queue()
    email.next_attempt_at = utcnow() + timedelta(minutes=5)
    db.session.flush()
    assert outbox.claim(email.id) is False


def test_retry_delay_grows_and_is_capped(app, ctx):
    app.config.update(MAIL_RETRY_BASE_SECONDS=30, MAIL_RETRY_MAX_SECONDS=600)
    try:
        assert [outbox.retry_delay(n) for n in (1, 2, 3, 4, 5, 6)] == [30, 60, 120, 240, 480, 600]
    finally:
        app.config.update(MAIL_RETRY_BASE_SECONDS=0.3, MAIL_RETRY_MAX_SECONDS=3600)


def test_sweep_takes_old_queued_rows_and_abandoned_claims_only(ctx):
    fresh = _queue()
    old = _queue()
    abandoned = _queue()
    recent_claim = _queue()
    long_ago = utcnow() - timedelta(hours=1)
    old.created_at = long_ago
    abandoned.status, abandoned.claimed_at, abandoned.created_at = (
        EmailStatus.SENDING,
        long_ago,
        long_ago,
    )
    recent_claim.status, recent_claim.claimed_at = EmailStatus.SENDING, utcnow()
    db.session.flush()

    swept = outbox.sweep()

    assert set(swept) == {old.id, abandoned.id}
    assert fresh.id not in swept
    db.session.refresh(recent_claim)
    assert recent_claim.status == EmailStatus.SENDING


def test_built_message_has_ids_dates_and_both_parts(ctx):
    email = _queue()
    message = outbox.build_message(email)
    assert message["Message-ID"] == email.message_id
    assert message["Date"]
    assert message["To"] == email.to_addr
    assert message.get_body(("plain",)).get_content().strip()
    assert "<html" in message.get_body(("html",)).get_content()
    assert message["Content-Language"] == "en"


def _columns(row: OutboundEmail) -> dict:
    skip = {"id", "message_id", "created_at", "updated_at"}
    return {
        c.key: getattr(row, c.key) for c in OutboundEmail.__table__.columns if c.key not in skip
    }


def test_queue_email_id_writes_the_row_queue_email_would(ctx):
    user = UserFactory(locale="fr")
    fields = {
        "to": user.email, "template": "verify_email", "locale": "fr",
        "context": {"user": user, "verify_url": "https://cahier.example/v/abc"},
        "headers": {"List-Unsubscribe": "<https://cahier.example/u/x>"},
        "related": ("user", user.id), "kind": "verify",
    }  # fmt: skip
    email_id = outbox.queue_email_id(**fields)
    reference = outbox.queue_email(**fields)
    row = db.session.get(OutboundEmail, email_id)
    assert isinstance(email_id, int) and row is not reference
    assert _columns(row) == _columns(reference)
    assert row.status == EmailStatus.QUEUED and row.attempts == 0 and row.attachments == []
    assert row.subject == "Vérifiez votre adresse e-mail pour Cahier"
    assert row.message_id != reference.message_id and row.message_id.endswith("@127.0.0.1>")
    assert row.created_at is not None and row.updated_at is not None


def test_queue_email_id_enqueues_after_the_commit_only(app, ctx, monkeypatch):
    from organizer.mail.dispatch import dispatcher_for

    dispatcher = dispatcher_for(app)
    added: list[list[int]] = []
    monkeypatch.setattr(dispatcher, "add", lambda ids: added.append(list(ids)))
    user = UserFactory()
    email_id = outbox.queue_email_id(
        to=user.email, template="verify_email", locale="en",
        context={"user": user, "verify_url": "https://cahier.example/v/abc"},
    )  # fmt: skip
    db.session.flush()
    assert added == []
    db.session.commit()
    assert added == [[email_id]]
