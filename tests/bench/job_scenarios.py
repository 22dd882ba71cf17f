"""The background scenarios: draining the outbox to the SMTP sink, and the CSV export."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

from tests.bench import seed
from tests.bench.cpu import CpuMeter
from tests.bench.http_scenarios import Context
from tests.support.services import ROOT, wait_for

DRAIN_EMAILS = 50_000
EXPORT_ROWS = 1_000_000


def _outbox_settled(ctx: Context) -> bool:
    rows = ctx.sql("SELECT count(*) FROM outbound_email WHERE status IN ('queued', 'sending')")
    return bool(rows[0][0] == 0)


def mail_drain(ctx: Context, count: int = DRAIN_EMAILS) -> dict[str, Any]:
    """``count`` queued emails, enqueued while no worker runs, then drained by a worker with
    two processes; the rate is measured between the first and the last arrival."""
    stack = ctx.stack
    try:
        wait_for(lambda: _outbox_settled(ctx), 300, 1.0, "the earlier mail to be sent")
        leftover = False
    except TimeoutError:
        leftover = True
    stack.stop("worker")
    ids = seed.queued_emails(stack.database_url, count, ctx.run_id)
    from organizer.extensions import db
    from organizer.mail.services import enqueue_after_commit

    with ctx.app.app_context():
        # As a bulk sender (milestones, letters, the sweeper) does: after its commit.
        enqueue_after_commit(ids)
        db.session.commit()
    stack.sink.new_window()
    stack.start_worker()
    meter = CpuMeter(stack.cpu_roots())
    deadline = time.monotonic() + max(600.0, count / 100)

    def drained() -> bool:
        if time.monotonic() > deadline:
            raise TimeoutError
        return bool(stack.sink.stats()["window"] >= count)

    timed_out = False
    try:
        wait_for(drained, deadline - time.monotonic() + 1, 0.25, "the outbox to drain")
    except TimeoutError:
        timed_out = True
    cpu = meter.stop()
    time.sleep(1.0)  # anything sent twice would arrive now
    stats = stack.sink.stats()
    sent = ctx.sql(
        "SELECT status, count(*) FROM outbound_email WHERE kind = 'bench_drain' GROUP BY status"
    )
    seconds = (stats["last_at"] or 0) - (stats["first_at"] or 0)
    received = max(1, stats["window"])
    return {
        "emails": count,
        "worker_processes": 2,
        "received": stats["window"],
        "seconds": round(seconds, 2),
        "emails_per_s": round((stats["window"] - 1) / seconds, 1) if seconds > 0 else None,
        "duplicates": stats["window_duplicates"],
        "duplicates_whole_run": stats["duplicates"],
        "none_sent_twice": stats["duplicates"] == 0,
        "smtp_connections_whole_run": stats["connections"],
        "outbox_status": {status: n for status, n in sent},
        "cpu_seconds": cpu,
        "cpu_ms_per_email": {k: round(v * 1000 / received, 3) for k, v in cpu.items()},
        "timed_out": timed_out,
        "earlier_mail_still_queued": leftover,
    }


def export(ctx: Context, rows: int = EXPORT_ROWS) -> dict[str, Any]:
    if "signatures.export" not in ctx.app.view_functions and not _has_export():
        return {"skipped": "no signature export yet"}
    campaign = ctx.campaign
    seed_seconds = seed.confirmed_signatures(
        ctx.stack.database_url, campaign["id"], campaign["revision_id"], rows
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.export_child", campaign["slug"]],
        env=ctx.stack.env(), cwd=ROOT, capture_output=True, text=True, timeout=1800,
        check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"export failed:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["rows_seeded"] = rows
    figures["seed_seconds"] = round(seed_seconds, 1)
    return figures


def _has_export() -> bool:
    try:
        from organizer.signatures import export  # noqa: F401
    except ImportError:
        return False
    return True
