"""A mailing to 50,000 supporters (issue 15): the expansion into outbox rows (target <= 10 s),
then the drain to the SMTP sink by a worker with two processes (target >= 800 emails/s),
none sent twice (the sink counts Message-IDs).

The supporters are written with COPY; the mailing is expanded in this process by the code the
worker's task runs (organizer.mailings.expansion, a commit per batch), while no worker runs,
so the expansion's figure is not mixed with sending. The worker then starts and drains.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from tests.bench.cpu import CpuMeter
from tests.bench.http_scenarios import Context
from tests.bench.machine import Steal
from tests.bench.seed import plain_url
from tests.support.services import wait_for

SUPPORTERS = 50_000
EXPAND_TARGET_S = 10
DRAIN_TARGET_PER_S = 800

BODY = """Dear {{ first_name | "friend" }},

Last month **twelve thousand** of you signed for fair pay. On Thursday the regulator answers:
come to the hearing, or follow it from home. Everything is on
[our page](https://riders.example/hearing).

- Thursday, 10:00: the hearing
- Thursday, 18:00: a screening and a debate
- Saturday: the march

Thank you for being part of it. If you want to see or change what we keep about you, it is
[here]({{ manage_url }}).
"""


def _seed(database_url: str, run_id: str, count: int) -> int:
    now = datetime.now(UTC)
    with psycopg.connect(plain_url(database_url)) as conn:
        group_id = conn.execute(
            "INSERT INTO campaign_group (slug, name, description, postal_address, settings, "
            "created_at, updated_at) VALUES (%s, %s, '', %s, '{}', %s, %s) RETURNING id",
            (f"bench-mailing-{run_id}", "Bench Riders", "1 Rue de la Paix, 75002 Paris", now, now),
        ).fetchone()[0]
        columns = (
            "group_id, public_id, canonical_email, email, name, country, language, "
            "status, soft_bounces, created_at, updated_at, last_action_at"
        )
        with conn.cursor().copy(f"COPY supporter ({columns}) FROM STDIN") as copy:
            for n in range(count):
                email = f"mailing-{run_id}-{n}@example.org"
                joined = now - timedelta(days=n % 700)
                copy.write_row(
                    (
                        group_id,
                        str(uuid.uuid4()),
                        email,
                        email,
                        f"Rider{n} Bench",
                        "FR" if n % 3 else "BE",
                        "fr" if n % 2 else "en",
                        "subscribed",
                        0,
                        joined,
                        joined,
                        joined,
                    )
                )
        conn.execute(
            "INSERT INTO supporter_consent_event (supporter_id, purpose, granted, source_type, "
            "at) SELECT id, 'updates', true, 'signature', created_at FROM supporter "
            "WHERE group_id = %s",
            (group_id,),
        )
        conn.commit()
    return int(group_id)


def _mailing(app: Any, group_id: int) -> int:
    from organizer.db import utcnow
    from organizer.extensions import db
    from organizer.mailings.models import Mailing, MailingContent, MailingStatus

    with app.app_context():
        body = BODY
        mailing = Mailing(
            group_id=group_id,
            from_name="Bench Riders",
            audience={},
            status=MailingStatus.SENDING,
            started_at=utcnow(),
            contents=[
                MailingContent(
                    language="en", subject="The hearing is on Thursday", body_markdown=body
                ),
                MailingContent(language="fr", subject="L'audience est jeudi", body_markdown=body),
            ],
        )
        db.session.add(mailing)
        db.session.commit()
        return mailing.id


def _expand(app: Any, mailing_id: int) -> tuple[float, int]:
    from organizer.extensions import db
    from organizer.mail.services import flush_dispatch
    from organizer.mailings import expansion

    with app.app_context():
        started = time.perf_counter()
        state = expansion.start(mailing_id)
        assert state is not None
        batches = 1
        size = expansion.batch_size()
        while expansion.expand_batch(state, size):
            db.session.commit()
            batches += 1
        db.session.commit()
        seconds = time.perf_counter() - started
        flush_dispatch()
        db.session.remove()
    return seconds, batches


def mailing(ctx: Context, count: int = SUPPORTERS) -> dict[str, Any]:
    stack = ctx.stack
    group_id = _seed(stack.database_url, ctx.run_id, count)
    mailing_id = _mailing(ctx.app, group_id)
    stack.stop("worker")
    expand_steal = Steal()
    expand_seconds, batches = _expand(ctx.app, mailing_id)
    expand_steal_pct = expand_steal.percent()
    rows = ctx.sql(
        "SELECT count(*) FROM mailing_recipient WHERE mailing_id = %s AND email_id IS NOT NULL",
        mailing_id,
    )[0][0]
    stack.sink.new_window()
    stack.start_worker()
    meter, drain_steal = CpuMeter(stack.cpu_roots()), Steal()
    deadline = time.monotonic() + max(600.0, count / 100)
    timed_out = False
    try:
        wait_for(
            lambda: stack.sink.stats()["window"] >= rows,
            deadline - time.monotonic(),
            0.25,
            "the mailing to drain",
        )
    except TimeoutError:
        timed_out = True
    cpu, drain_steal_pct = meter.stop(), drain_steal.percent()
    time.sleep(1.0)  # anything sent twice would arrive now
    stats = stack.sink.stats()
    seconds = (stats["last_at"] or 0) - (stats["first_at"] or 0)
    statuses = ctx.sql(
        "SELECT e.status, count(*) FROM outbound_email e JOIN mailing_recipient r "
        "ON r.email_id = e.id WHERE r.mailing_id = %s GROUP BY e.status",
        mailing_id,
    )
    rate = round((stats["window"] - 1) / seconds, 1) if seconds > 0 else None
    return {
        "supporters": count,
        "outbox_rows": rows,
        "expand_seconds": round(expand_seconds, 2),
        "expand_batches": batches,
        "expand_target_s": EXPAND_TARGET_S,
        "expand_met": expand_seconds <= EXPAND_TARGET_S and rows == count,
        "worker_processes": 2,
        "received": stats["window"],
        "drain_seconds": round(seconds, 2),
        "emails_per_s": rate,
        "drain_target_per_s": DRAIN_TARGET_PER_S,
        "drain_met": bool(rate and rate >= DRAIN_TARGET_PER_S),
        "duplicates": stats["window_duplicates"],
        "none_sent_twice": stats["window_duplicates"] == 0,
        "outbox_status": {status: n for status, n in statuses},
        "cpu_seconds": cpu,
        "cpu_steal_pct": {"expansion": expand_steal_pct, "drain": drain_steal_pct},
        "timed_out": timed_out,
    }
