"""Batched dispatch: many ids travel as batch tasks, claimed in one statement, sent once each."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from organizer.db import utcnow
from organizer.extensions import db
from organizer.mail import services as outbox
from organizer.mail.dispatch import dispatcher_for
from organizer.mail.models import EmailStatus, OutboundEmail
from organizer.ops.logs import request_id_var
from tests.support.services import wait_for


def _row(i: int, prefix: str, now) -> dict:
    return {
        "to_addr": f"{prefix}{i}@example.org", "subject": f"Batch {i}", "text_body": "t",
        "html_body": "<p>t</p>", "headers": {}, "kind": "batch", "locale": "en",
        "message_id": f"<{prefix}-{i}-{now.timestamp()}@cahier.test>",
        "status": EmailStatus.QUEUED, "attempts": 0, "created_at": now, "updated_at": now,
    }  # fmt: skip


def _rows(count: int, prefix: str = "batch") -> list[int]:
    now = utcnow()
    db.session.execute(insert(OutboundEmail), [_row(i, prefix, now) for i in range(count)])
    return list(
        db.session.scalars(
            select(OutboundEmail.id)
            .where(OutboundEmail.to_addr.like(f"{prefix}%"))
            .order_by(OutboundEmail.id)
        )
    )


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, list]] = []

    def send_task(self, name: str, args: list, **_: object) -> None:
        self.calls.append((name, args))


@pytest.fixture
def sent_tasks(app, monkeypatch):
    # Whatever earlier tests left pending goes to the real broker, not to this recorder.
    dispatcher_for(app).flush()
    recorder = _Recorder()
    monkeypatch.setitem(app.extensions, "celery", recorder)
    return recorder.calls


def test_many_ids_go_out_as_batch_tasks_after_the_commit(ctx, sent_tasks):
    ids = _rows(outbox.DELIVER_BATCH + 5)
    outbox.enqueue_after_commit(ids)
    db.session.flush()
    outbox.flush_dispatch()
    assert sent_tasks == []
    db.session.commit()
    wait_for(lambda: len(sent_tasks) == 2, 10, 0.01, "the dispatcher to publish")
    assert [name for name, _ in sent_tasks] == [outbox.DELIVER_BATCH_TASK] * 2
    first, second = (args[0] for _, args in sent_tasks)
    assert first == ids[: outbox.DELIVER_BATCH] and second == ids[outbox.DELIVER_BATCH :]


def test_one_id_goes_out_as_a_single_delivery(ctx, sent_tasks):
    ids = _rows(1)
    outbox.enqueue_after_commit(ids)
    db.session.commit()
    wait_for(lambda: sent_tasks, 10, 0.01, "the dispatcher to publish")
    assert sent_tasks == [(outbox.DELIVER_TASK, [ids[0]])]


def test_a_batch_claim_takes_only_due_queued_rows_and_only_once(ctx):
    ids = _rows(4)
    later, sent = db.session.get(OutboundEmail, ids[1]), db.session.get(OutboundEmail, ids[2])
    later.next_attempt_at = utcnow() + timedelta(minutes=5)
    sent.status = EmailStatus.SENT
    db.session.flush()
    assert outbox.claim_many(ids) == [ids[0], ids[3]]
    assert outbox.claim_many(ids) == []
    db.session.expire_all()
    claimed = db.session.get(OutboundEmail, ids[0])
    assert claimed.status == EmailStatus.SENDING and claimed.attempts == 1


@pytest.mark.integration
def test_a_batch_is_delivered_once_each_with_failures_recorded(app, services, committed_db,
                                                                worker):  # fmt: skip
    services.smtp.behaviour.refuse["batch3@example.org"] = "550 5.1.1 No such mailbox"
    services.smtp.behaviour.defer_once["batch5@example.org"] = "451 4.3.0 Try again later"
    token = request_id_var.set("req-batch-12")  # the request that wrote them
    try:
        with app.app_context():
            ids = _rows(12)
            outbox.enqueue_after_commit(ids)
            db.session.commit()
    finally:
        request_id_var.reset(token)

    def settled() -> list[EmailStatus] | None:
        with app.app_context():
            statuses = list(db.session.scalars(select(OutboundEmail.status)))
        done = (EmailStatus.SENT, EmailStatus.FAILED)
        return statuses if all(s in done for s in statuses) else None

    statuses = wait_for(settled, 30, what="the batch to be delivered")
    assert Counter(statuses) == {EmailStatus.SENT: 11, EmailStatus.FAILED: 1}
    received = Counter(m.message_id for m in services.smtp.received)
    assert len(received) == 11 and set(received.values()) == {1}
    assert services.smtp.messages_to("batch3@example.org") == []
    assert len(services.smtp.messages_to("batch5@example.org")) == 1
    # The worker's "sent" line of the batch names that request.
    wait_for(
        lambda: re.search(r"\[req-batch-12\] organizer\.mail\.services: emails [\d ]+ \(\w+\) sent",
                          worker.log()),
        10, what="the batch's sent line under the request's id",
    )  # fmt: skip


@pytest.mark.integration
def test_each_message_of_a_batch_is_recorded_before_the_next(app, services, committed_db):
    """On the batch's autocommit connection, a message's "sent" stands on its own the moment
    it is recorded: a worker killed later in the batch has only its message in flight."""
    with app.app_context():
        ids = _rows(3)
        db.session.commit()
        claimed = outbox.claim_batch(ids)
        db.session.commit()
        seen = []
        with db.engine.connect() as pooled:
            conn = pooled.execution_options(isolation_level="AUTOCOMMIT")
            for email in claimed:
                assert outbox.deliver_claimed(email, conn).status == EmailStatus.SENT
                # Another connection, as the sweeper after a crash would look.
                with db.engine.connect() as other:
                    status = select(OutboundEmail.status).where(OutboundEmail.id == email.id)
                    seen.append(other.scalar(status))
    assert seen == [EmailStatus.SENT] * 3
    assert Counter(m.message_id for m in services.smtp.received).most_common(1)[0][1] == 1


@pytest.mark.integration
def test_a_batch_logs_its_sent_ids_in_one_line(app, services, committed_db, worker):
    with app.app_context():
        ids = _rows(3, prefix="logged")
        outbox.enqueue_after_commit(ids)
        db.session.commit()
    line = " ".join(str(i) for i in ids)
    wait_for(lambda: f"emails {line} (batch) sent" in worker.log(), 30, what="the batch's line")
    assert not any(f"email {i} (batch) sent" in worker.log() for i in ids)


@pytest.mark.integration
def test_a_batch_records_sent_on_a_connection_that_lost_its_statement(app, services,
                                                                     committed_db):  # fmt: skip
    """The record goes through libpq, prepared once per connection: a connection whose
    prepared statements were dropped (DEALLOCATE, DISCARD ALL) prepares it again."""
    with app.app_context():
        ids = _rows(3, prefix="prepared")
        db.session.commit()
        claimed = outbox.claim_batch(ids)
        db.session.commit()
        before = utcnow()
        with db.engine.connect() as pooled:
            conn = pooled.execution_options(isolation_level="AUTOCOMMIT")
            for email in claimed:
                assert outbox.deliver_claimed(email, conn).status == EmailStatus.SENT
                conn.exec_driver_sql("DEALLOCATE ALL")
            # psycopg's own prepared statements went too: no later test gets this connection.
            pooled.invalidate()
        rows = db.session.execute(
            select(OutboundEmail.status, OutboundEmail.sent_at, OutboundEmail.updated_at).where(
                OutboundEmail.id.in_(ids)
            )
        ).all()
    assert [r.status for r in rows] == [EmailStatus.SENT] * 3
    assert all(r.sent_at == r.updated_at and before <= r.sent_at <= utcnow() for r in rows)


@pytest.mark.integration
def test_a_failed_record_raises_what_psycopg_would(app, committed_db):
    import psycopg

    from organizer.mail.delivery import _mark_sent_libpq

    with app.app_context(), db.engine.connect() as pooled:
        conn = pooled.execution_options(isolation_level="AUTOCOMMIT")
        pgconn = conn.connection.driver_connection.pgconn
        with pytest.raises(psycopg.errors.InvalidDatetimeFormat):
            _mark_sent_libpq(pgconn, b"not a time", 1)
        # The connection is still usable: autocommit, nothing left open.
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
