"""Fault drills on the production-shaped stack: a worker killed mid-batch, PostgreSQL restarted.

Each drill prints its figures (one JSON line starting with DRILL) so that a run's output
can be quoted.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

import pytest
from sqlalchemy import func, insert, select

from organizer.db import utcnow
from organizer.extensions import db
from organizer.mail import services as outbox
from organizer.mail.models import EmailStatus, OutboundEmail
from tests.conftest import ARTIFACTS
from tests.support.services import celery_beat, celery_worker, free_port, wait_for, web_server

pytestmark = pytest.mark.integration

BATCH = 500


def _report(name: str, **figures) -> None:
    line = json.dumps({"drill": name, **figures})
    print("DRILL " + line)
    # Kept with the run's other artifacts, since pytest hides what tests print.
    with (ARTIFACTS / "drills.jsonl").open("a") as log:
        log.write(line + "\n")


def _queue_batch(app, count: int) -> list[int]:
    now = utcnow()
    rows = [
        {
            "to_addr": f"drill{i}@example.org",
            "subject": f"Drill {i}",
            "text_body": "t",
            "html_body": "<p>t</p>",
            "headers": {},
            "message_id": f"<drill-{i}@cahier.test>",
            "kind": "drill",
            "locale": "en",
            "status": EmailStatus.QUEUED,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(count)
    ]
    with app.app_context():
        db.session.execute(insert(OutboundEmail), rows)
        ids = list(db.session.scalars(select(OutboundEmail.id).order_by(OutboundEmail.id)))
        outbox.enqueue_after_commit(ids)
        db.session.commit()
    return ids


def _sent_count(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).where(OutboundEmail.status == EmailStatus.SENT)
        )


def test_kill_9_the_worker_mid_batch(app, services, committed_db, tmp_path):
    env = services.env(OUTBOX_STALE_CLAIM_SECONDS="3", OUTBOX_SWEEP_INTERVAL_SECONDS="1")
    services.smtp.behaviour.delay_seconds = 0.005  # a few seconds for the whole batch
    worker = celery_worker(env, services.log_dir, concurrency=2, name="drill-worker")
    killed_at = 0
    try:
        _queue_batch(app, BATCH)
        wait_for(
            lambda: len(services.smtp.received) >= BATCH // 4,
            timeout=60,
            what="a quarter of the batch",
        )
        worker.kill()
        killed_at = len(services.smtp.received)
        assert killed_at < BATCH, "the batch finished before the kill: make it longer"
    finally:
        worker.stop()
    restarted = celery_worker(env, services.log_dir, concurrency=2, name="drill-worker-2")
    beat = celery_beat(env, services.log_dir, tmp_path / "beat-schedule")
    try:
        wait_for(
            lambda: _sent_count(app) == BATCH,
            timeout=120,
            interval=0.5,
            what="every email of the batch to be sent",
        )
    finally:
        beat.stop()
        restarted.stop()
    ids = Counter(m.message_id for m in services.smtp.received)
    duplicated = sum(n - 1 for n in ids.values() if n > 1)
    _report(
        "kill-9-worker",
        emails=BATCH,
        delivered_before_kill=killed_at,
        distinct_delivered=len(ids),
        duplicated=duplicated,
    )
    assert len(ids) == BATCH
    # A message whose SMTP transaction was in flight at the instant of the kill may have
    # reached the server before the worker could record it (RFC 1047); at most one per
    # worker process can be in that window.
    assert duplicated <= 2


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_restart_postgresql_gives_503_then_recovers(app, services, committed_db):
    port = free_port()
    env = services.env(BASE_URL=f"http://127.0.0.1:{port}")
    web = web_server(env, services.log_dir, port, workers=2)
    base = f"http://127.0.0.1:{port}"
    try:
        assert _status(f"{base}/campaigns") == 200
        boots = web.log().count("Booting worker")
        services.postgres.stop()
        try:
            during = [_status(f"{base}/campaigns") for _ in range(6)]
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                alive = response.status
            ready = _status(f"{base}/readyz")
            try:
                urllib.request.urlopen(f"{base}/campaigns", timeout=10)
            except urllib.error.HTTPError as error:
                page = error.read().decode()
        finally:
            services.postgres.start()
            # This process's own pooled connections died with the server: close them now,
            # rather than leave them to the garbage collector's ResourceWarning.
            with app.app_context():
                db.engine.dispose()
        after = wait_for(
            lambda: _status(f"{base}/campaigns") == 200,
            timeout=30,
            what="the web processes to reach PostgreSQL again",
        )
        restarts = web.log().count("Booting worker") - boots
    finally:
        web.stop()
    _report(
        "restart-postgresql",
        statuses_during_outage=during,
        readyz_during=ready,
        web_worker_restarts=restarts,
    )
    assert set(during) == {503}
    assert "Temporarily unavailable" in page
    assert alive == 200 and ready == 503
    assert after and restarts == 0


STREAM = 240


def _published_campaign(app) -> str:
    from organizer.campaigns import revisions, services
    from tests.factories import UserFactory

    with app.app_context():
        owner = UserFactory()
        campaign = services.create_campaign(
            owner,
            services.CampaignDetails(
                title="Drill", summary="A drill.", language="en", slug="drill"
            ),
        )
        section = services.add_section(campaign, owner, "Privacy", ["privacy"])
        services.add_demand(section, owner, "Stop tracking people.", ["privacy"], [])
        revisions.publish(campaign, owner, "Drill text.")
        db.session.commit()
        return campaign.slug


def _sign(base: str, slug: str, i: int) -> int:
    data = urllib.parse.urlencode(
        {"name": f"Signer {i}", "email": f"stream{i}@example.org", "country": "FR"}
    ).encode()
    request = urllib.request.Request(f"{base}/c/{slug}/sign", data=data, headers={"Origin": base})
    return _status_of(request)


def _status_of(request) -> int:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read().decode()
            return response.status if "Check your email" in body else -response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


class Supervised:
    """Restarts a worker that exits, as Docker's `restart: unless-stopped` does in deploy/.

    kombu 5.7 can stop a worker with "Unrecoverable error" when Redis goes away while it is
    giving back unacknowledged messages; production relies on the supervisor for that.
    """

    def __init__(self, start) -> None:
        self.start = start
        self.process = start()
        self.restarts = 0

    def keep_up(self) -> bool:
        if self.process.process is not None and self.process.process.poll() is not None:
            self.process = self.start()
            self.restarts += 1
        return True

    def stop(self) -> None:
        self.process.stop()


def test_restart_redis_during_a_stream_of_signatures(app, services, committed_db, tmp_path):
    from organizer.signatures.models import Signature

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = services.env(
        BASE_URL=base,
        SIGN_LIMIT_PER_IP="100000/minute",
        SIGN_LIMIT_PER_DOMAIN="100000/minute",
        OUTBOX_SWEEP_INTERVAL_SECONDS="1",
    )
    slug = _published_campaign(app)
    web = web_server(env, services.log_dir, port, workers=2)
    worker = Supervised(lambda: celery_worker(env, services.log_dir, name="drill-redis-worker"))
    beat = celery_beat(env, services.log_dir, tmp_path / "beat-schedule")
    statuses: list[int] = []
    try:
        stream = threading.Thread(
            target=lambda: statuses.extend(_sign(base, slug, i) for i in range(STREAM))
        )
        stream.start()
        wait_for(lambda: len(statuses) >= STREAM // 3, what="a third of the stream")
        services.redis.stop()
        during_outage = len(statuses)
        time.sleep(1.5)
        services.redis.start()
        stream.join(120)
        with app.app_context():
            rows = db.session.scalar(select(func.count()).select_from(Signature))
            emails = db.session.scalar(
                select(func.count()).where(OutboundEmail.kind == "signature_confirm")
            )
        wait_for(
            lambda: len({m.message_id for m in services.smtp.received}) >= STREAM,
            timeout=90,
            interval=0.5,
            what="every confirmation to be delivered",
        )
    finally:
        beat.stop()
        worker.stop()
        web.stop()
    accepted = statuses.count(200)
    ids = Counter(m.message_id for m in services.smtp.received)
    duplicated = sum(n - 1 for n in ids.values() if n > 1)
    _report(
        "restart-redis",
        signatures_posted=STREAM,
        accepted=accepted,
        rows=rows,
        lost=accepted - rows,
        other_statuses=sorted(set(statuses) - {200}),
        posted_before_outage=during_outage,
        confirmation_rows=emails,
        emails_delivered=len(ids),
        duplicated=duplicated,
    )
    assert accepted == STREAM == rows
    assert emails == STREAM
    assert len(ids) == STREAM and duplicated == 0
