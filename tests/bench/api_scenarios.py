"""Issue 16: 100,000 people paged 25 at a time through the API (4,000 requests, as Parsons
does), then page 1 and page 4,000 alone, side by side. Targets: >= 300 req/s, p99 <= 30 ms,
and the last page as fast as the first (pages are found on an index, not by a sort)."""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from flask import Flask

from tests.bench.seed import plain_url
from tests.bench.server_scenarios import OTHER_SERVER
from tests.bench.stack import SERVER
from tests.bench.wrk import run_wrk
from tests.support.services import free_port

PEOPLE = 100_000
PER_PAGE = 25
# Pagers at once: each is one connection asking a page, waiting for it, asking the next,
# as Parsons does. With c connections, the mean latency is c / throughput (Little's law):
# at 10, 300 req/s means 33 ms on average, so "≥ 300 req/s and p99 ≤ 30 ms" cannot both
# hold on any server; at 4 they can (13 ms on average).
PAGERS = int(os.environ.get("BENCH_API_PAGERS", "4"))
# Seconds of load: the pass over every page (4,000 requests need 13 s at 300 req/s);
# page 1 and the last page alone get half of it each.
SECONDS = 30


def seed(app: Flask, owner_email: str, count: int = PEOPLE) -> dict[str, Any]:
    """A group of its own with ``count`` supporters (COPY), vacuumed as autovacuum would
    have done long before, and a read token."""
    from sqlalchemy import select

    from organizer.accounts.models import User
    from organizer.api.tokens import create_token
    from organizer.extensions import db
    from organizer.groups.services import create_group

    started = time.monotonic()
    with app.app_context():
        owner = db.session.scalars(select(User).where(User.email == owner_email)).one()
        group = create_group(owner, "API bench")
        _token, plaintext = create_token(group, "bench", ["read"])
        db.session.commit()
        group_id = group.id
        database_url = app.config["SQLALCHEMY_DATABASE_URI"]
    now = datetime.now(UTC)
    columns = ("group_id, public_id, canonical_email, email, name, country, postal_code, "
               "language, status, soft_bounces, custom_fields, created_at, updated_at, "
               "last_action_at")  # fmt: skip
    with psycopg.connect(plain_url(database_url)) as conn:
        with conn.cursor().copy(f"COPY supporter ({columns}) FROM STDIN") as copy:
            for n in range(count):
                joined = now - timedelta(seconds=count - n)
                email = f"api-{n}@example.org"
                copy.write_row((
                    group_id, str(uuid.uuid4()), email, email, f"Person {n} Bench", "FR",
                    f"{n % 100000:05d}", "fr", "subscribed", 0, "{}", joined, joined, joined,
                ))  # fmt: skip
        conn.commit()
    with psycopg.connect(plain_url(database_url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE supporter")
    return {"group_id": group_id, "token": plaintext,
            "seed_seconds": round(time.monotonic() - started, 1)}  # fmt: skip


def api(ctx: Any, people: int = PEOPLE) -> dict[str, Any]:
    """Paged through the server the bench runs (granian, as deploy/ does), then through the
    other one on the same data: issue 16 sets its targets through gunicorn."""
    seeded = seed(ctx.app, ctx.campaign["owner_email"], people)
    token = seeded.pop("token")
    pages = -(-people // PER_PAGE)
    mine = _page_through(ctx, ctx.stack.base_url, token, pages, SERVER)
    other = OTHER_SERVER
    port = free_port()
    ctx.stack.serve(other, f"web-{other}", "cahier", port)
    try:
        theirs = _page_through(ctx, replace(ctx.stack, web_port=port).base_url, token, pages,
                               other)  # fmt: skip
    finally:
        ctx.stack.stop(f"web-{other}")
    return {**seeded, "people": people, "pages": pages, "server": SERVER, **mine,
            "other_server": {"server": other, **theirs}}  # fmt: skip


def _page_through(ctx: Any, url: str, token: str, pages: int, server: str) -> dict[str, Any]:
    # wrk runs for a set time (its main thread sleeps that long whatever the Lua says), so
    # the pass over every page is asked in order, starting over at page 1 when done.
    load = replace(ctx.load, connections=PAGERS, threads=1, duration=ctx.load.duration)
    # Warmed with a connection for each web process and more: a process that no warm-up
    # connection reached would open its database connection and compile its statements
    # inside the measured run (a first page costs 75 ms of CPU, the next ones 3).
    warm = replace(load, connections=max(PAGERS, 2 * ctx.stack.web_workers), duration=5)
    run_wrk(url, "api_pages.lua", warm, ctx.stack.workdir, (token, str(pages)))
    paging = run_wrk(url, "api_pages.lua", load, ctx.stack.workdir, (token, str(pages)))
    paging["whole_passes"] = paging["requests"] // pages
    side = replace(load, duration=max(5, load.duration // 2))
    first = run_wrk(url, "api_pages.lua", side, ctx.stack.workdir, (token, "1", "1"))
    last = run_wrk(url, "api_pages.lua", side, ctx.stack.workdir,
                   (token, str(pages), str(pages)))  # fmt: skip
    side_by_side = {
        f"page_{n}": {
            k: f[k] for k in ("req_per_s", "p50_ms", "p95_ms", "p99_ms", "max_ms", "cpu_steal_pct")
        }
        for n, f in ((1, first), (pages, last))
    }
    print_side_by_side(server, side_by_side)
    return {"paging": paging, "first_vs_last_page": side_by_side,
            "last_page_p99_ms": last["p99_ms"]}  # fmt: skip


def print_side_by_side(server: str, figures: dict[str, dict[str, float]]) -> None:
    import sys

    names = list(figures)
    print(f"{server:8}" + "".join(f"{n:>14}" for n in names), file=sys.stderr)
    for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms", "req_per_s"):
        print(f"{key:8}" + "".join(f"{figures[n][key]:>14}" for n in names), file=sys.stderr)


def main() -> None:
    """This scenario alone, with only PostgreSQL, Redis and the two servers (no worker, beat
    or nginx): ``.venv/bin/python -m tests.bench.api_scenarios``. BENCH_WEB_WORKERS and
    BENCH_API_PEOPLE as for tests.bench.run."""
    import json
    import multiprocessing

    from tests.bench import seed as bench_seed
    from tests.bench.http_scenarios import Context
    from tests.bench.stack import running_stack
    from tests.bench.wrk import Load

    workers = int(os.environ.get("BENCH_WEB_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
    people = int(os.environ.get("BENCH_API_PEOPLE", PEOPLE))
    with running_stack(workers) as stack:
        app, campaign = bench_seed.app_with_campaign(stack.env())
        stack.start_web()
        seconds = int(os.environ.get("BENCH_DURATION", SECONDS))
        ctx = Context(stack, app, campaign, Load(connections=workers * 2, duration=seconds))
        result = {"web_workers": workers, "load_avg_1m_before": round(os.getloadavg()[0], 2),
                  **api(ctx, people)}  # fmt: skip
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
