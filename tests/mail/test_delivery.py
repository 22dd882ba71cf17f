"""The outbox against a real SMTP server and real Celery worker processes."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from organizer.extensions import db
from organizer.mail import services as outbox
from organizer.mail.models import EmailStatus, OutboundEmail
from tests.factories import UserFactory
from tests.support.services import celery_worker, wait_for

pytestmark = pytest.mark.integration


def _queued_email(app, to: str, enqueue: bool = True) -> int:
    with app.app_context():
        user = UserFactory(email=to)
        email = outbox.queue_email(
            to=to,
            template="verify_email",
            locale="en",
            context={"user": user, "verify_url": "http://127.0.0.1/verify/x"},
        )
        if not enqueue:
            # As if the broker had lost the message: the row exists, nobody was told.
            db.session().info.clear()
        db.session.commit()
        return email.id


def _row(app, email_id: int) -> OutboundEmail:
    with app.app_context():
        row = db.session.get(OutboundEmail, email_id)
        db.session.expunge(row)
        return row


def _settled(app, email_id: int):
    row = _row(app, email_id)
    return row if row.status in (EmailStatus.SENT, EmailStatus.FAILED) else None


def test_a_queued_email_is_delivered_by_the_worker(app, services, committed_db, worker):
    email_id = _queued_email(app, "ada@example.org")
    message = services.smtp.wait_for_message("ada@example.org")
    row = wait_for(lambda: _settled(app, email_id), what="the row to be marked sent")
    assert row.status == EmailStatus.SENT
    assert message["Message-ID"] == row.message_id
    assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None


def test_smtp_550_marks_the_email_failed_without_retry(app, services, committed_db, worker):
    services.smtp.behaviour.refuse["nobody@example.org"] = "550 5.1.1 No such mailbox"
    email_id = _queued_email(app, "nobody@example.org")
    row = wait_for(lambda: _settled(app, email_id), what="the 550 to be recorded")
    assert row.status == EmailStatus.FAILED
    assert row.attempts == 1
    assert "550" in row.last_error
    # A failed row can never be claimed again, so no later attempt can happen.
    with app.app_context():
        assert outbox.claim(email_id) is False
        db.session.rollback()
    assert services.smtp.messages_to("nobody@example.org") == []


def test_smtp_451_is_retried_then_delivered_once(app, services, committed_db, worker):
    services.smtp.behaviour.defer_once["later@example.org"] = "451 4.3.0 Try again later"
    email_id = _queued_email(app, "later@example.org")
    row = wait_for(lambda: _settled(app, email_id), what="the retried delivery")
    assert row.status == EmailStatus.SENT
    assert row.attempts == 2
    assert len(services.smtp.messages_to("later@example.org")) == 1


def test_two_workers_racing_on_one_row_send_it_once(app, services, committed_db):
    # Each worker listens on its own queue, so both surely run the task at the same time.
    env = services.env()
    first = celery_worker(env, services.log_dir, concurrency=1, name="racer-a", queues="race-a")
    second = celery_worker(env, services.log_dir, concurrency=1, name="racer-b", queues="race-b")
    try:
        services.smtp.behaviour.delay_seconds = 1.0
        email_id = _queued_email(app, "race@example.org", enqueue=False)
        celery = app.extensions["celery"]
        celery.send_task(outbox.DELIVER_TASK, args=[email_id], queue="race-a")
        celery.send_task(outbox.DELIVER_TASK, args=[email_id], queue="race-b")
        wait_for(lambda: _settled(app, email_id), what="the raced delivery")
        for process in (first, second):
            wait_for(lambda p=process: "succeeded" in p.log(), what="both workers to finish")
    finally:
        first.stop()
        second.stop()
    assert len(services.smtp.messages_to("race@example.org")) == 1
    assert _row(app, email_id).attempts == 1
    logs = first.log() + second.log()
    assert "'sent'" in logs and "'not-claimed'" in logs


def test_concurrent_claims_on_postgresql_have_one_winner(app, committed_db):
    email_id = _queued_email(app, "claims@example.org", enqueue=False)
    barrier = threading.Barrier(8)
    results: list[bool] = []

    def contender():
        with app.app_context():
            barrier.wait()
            results.append(outbox.claim(email_id))
            db.session.commit()

    threads = [threading.Thread(target=contender) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def test_the_sweeper_enqueues_what_the_broker_never_got(app, services, committed_db, worker):
    email_id = _queued_email(app, "lost@example.org", enqueue=False)
    saved = app.config["OUTBOX_SWEEP_AGE_SECONDS"]
    app.config["OUTBOX_SWEEP_AGE_SECONDS"] = 0
    try:
        with app.app_context():
            assert email_id in outbox.sweep()
            db.session.commit()
    finally:
        app.config["OUTBOX_SWEEP_AGE_SECONDS"] = saved
    services.smtp.wait_for_message("lost@example.org")
    assert _row(app, email_id).status == EmailStatus.SENT
    with app.app_context():
        statuses = db.session.scalars(select(OutboundEmail.status)).all()
    assert statuses == [EmailStatus.SENT]
