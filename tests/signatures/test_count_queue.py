"""The count fold has its own queue: a backlog of mail must not freeze the public count."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, insert, select

from organizer.db import utcnow
from organizer.extensions import db
from organizer.mail import services as outbox
from organizer.mail.dispatch import dispatcher_for
from organizer.mail.models import EmailStatus, OutboundEmail
from organizer.signatures import counting
from organizer.signatures.tallies import CountChange
from tests.factories import UserFactory
from tests.support.services import wait_for
from workers.factory import COUNTS_QUEUE, DEFAULT_QUEUE

from .conftest import make_campaign

BACKLOG = 3000


def test_the_fold_has_a_queue_of_its_own_that_every_default_worker_consumes(app):
    celery = app.extensions["celery"]
    assert celery.amqp.router.route({}, "signatures.fold_counts")["queue"].name == COUNTS_QUEUE
    assert celery.amqp.router.route({}, "mail.deliver_batch")["queue"].name == DEFAULT_QUEUE
    assert {queue.name for queue in celery.conf.task_queues} == {DEFAULT_QUEUE, COUNTS_QUEUE}


def _backlog(now) -> list[int]:
    rows = [
        {"to_addr": f"backlog{i}@example.org", "subject": "Backlog", "text_body": "t",
         "html_body": "<p>t</p>", "headers": {}, "kind": "backlog", "locale": "en",
         "message_id": f"<backlog-{i}-{now.timestamp()}@cahier.test>",
         "status": EmailStatus.QUEUED, "attempts": 0, "created_at": now, "updated_at": now}
        for i in range(BACKLOG)
    ]  # fmt: skip
    db.session.execute(insert(OutboundEmail), rows)
    return list(db.session.scalars(select(OutboundEmail.id).where(OutboundEmail.kind == "backlog")))


def _unsent() -> int:
    return int(
        db.session.scalar(
            select(func.count()).where(
                OutboundEmail.kind == "backlog", OutboundEmail.status != EmailStatus.SENT
            )
        )
    )


@pytest.mark.integration
def test_the_count_folds_while_a_mail_backlog_is_still_queued(app, committed_db, worker):
    with app.app_context():
        campaign = make_campaign(UserFactory(), slug="backlog")
        db.session.commit()
        campaign_id = campaign.id
        outbox.enqueue_after_commit(_backlog(utcnow()))
        db.session.commit()
        dispatcher_for(app).flush()  # thirty batch tasks now wait in the default queue
        db.session.add(CountChange(campaign_id=campaign_id, country="FR", day=date.today(),
                                   delta=1))  # fmt: skip
        db.session.commit()
        app.extensions["celery"].send_task("signatures.fold_counts")

        def folded() -> bool:
            db.session.rollback()  # a fresh snapshot each time
            return counting.totals(campaign_id, None).online == 1

        wait_for(folded, 30, interval=0.05, what="the fold")
        still_queued = _unsent()
    # Behind the backlog in one queue, the fold would have waited for every one of them.
    assert still_queued > 0
    with app.app_context():
        wait_for(lambda: db.session.rollback() or _unsent() == 0, 120, what="the backlog")
