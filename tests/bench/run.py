"""`make bench`: the production-shaped stack on this machine, every scenario, one JSON document.

    .venv/bin/python -m tests.bench.run

Environment (all optional):
- BENCH_SCENARIOS   comma-separated subset of: baseline,read,sign,confirm,servers,mail,export,
                    timing,mailing,audience,api
- BENCH_DURATION    seconds of load for sign and baseline (default 60); confirm runs for
                    half of it, each of the six read runs for a quarter
- BENCH_SERVER      what serves Cahier and the baseline: granian (default, as deploy/ does)
                    or gunicorn
- BENCH_CONNECTIONS wrk connections (default: twice the web processes)
- BENCH_WEB_WORKERS web processes (default: 2 x cores + 1, as deploy/ has)
- BENCH_DRAIN_EMAILS, BENCH_EXPORT_ROWS  sizes of the mail and export scenarios
- BENCH_MAILING_SUPPORTERS  supporters of the mailing scenario (default 50,000)
- BENCH_AUDIENCE_SUPPORTERS  supporters of the audience-count scenario (default 1,000,000)
- BENCH_API_PEOPLE  people paged through the API scenario (default 100,000)
- BENCH_TIMING_ROUNDS  sign POSTs of each kind (address on file, new) in the timing
                    scenario (default 100), one at a time

Progress goes to stderr; stdout holds only the JSON. Every process started here is stopped
on the way out, also on Ctrl-C or an error.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from tests.bench import (
    api_scenarios,
    audience_scenarios,
    bench_timing,
    http_scenarios,
    job_scenarios,
    mailing_scenarios,
    seed,
    server_scenarios,
)
from tests.bench.machine import describe
from tests.bench.report import ratios, round2_targets, targets
from tests.bench.stack import POSTGRES_SETTINGS, SERVER, WORKER_PRIORITY, running_stack
from tests.bench.wrk import Load

ALL = (
    "baseline",
    "read",
    "sign",
    "confirm",
    "servers",
    "mail",
    "export",
    "timing",
    "mailing",
    "audience",
    "api",
)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _settings() -> dict[str, Any]:
    env = os.environ
    workers = int(env.get("BENCH_WEB_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
    chosen = [s.strip() for s in env.get("BENCH_SCENARIOS", ",".join(ALL)).split(",")]
    unknown = set(chosen) - set(ALL) - {""}
    if unknown:
        raise SystemExit(f"unknown BENCH_SCENARIOS: {', '.join(sorted(unknown))}")
    return {
        "scenarios": [s for s in ALL if s in chosen],
        "duration_s": int(env.get("BENCH_DURATION", "60")),
        "web_workers": workers,
        "connections": int(env.get("BENCH_CONNECTIONS") or workers * 2),
        "drain_emails": int(env.get("BENCH_DRAIN_EMAILS", job_scenarios.DRAIN_EMAILS)),
        "export_rows": int(env.get("BENCH_EXPORT_ROWS", job_scenarios.EXPORT_ROWS)),
        "audience_supporters": int(
            env.get("BENCH_AUDIENCE_SUPPORTERS", audience_scenarios.SUPPORTERS)
        ),
        "mailing_supporters": int(
            env.get("BENCH_MAILING_SUPPORTERS", mailing_scenarios.SUPPORTERS)
        ),
        "timing_rounds": int(env.get("BENCH_TIMING_ROUNDS", "100")),
        "api_people": int(env.get("BENCH_API_PEOPLE", api_scenarios.PEOPLE)),
        "mail_worker_priority": WORKER_PRIORITY,
        "server": SERVER,
    }


def main() -> None:
    settings = _settings()
    started = time.monotonic()
    document: dict[str, Any] = {"settings": settings, "postgresql_settings": POSTGRES_SETTINGS}
    results: dict[str, Any] = {}
    with running_stack(settings["web_workers"]) as stack:
        document["machine"] = describe(str(Path(stack.postgres.pg_ctl).parent))
        os.environ.update(stack.env())
        from organizer import create_app

        app = create_app()
        seed.migrate(app)
        campaign = seed.published_campaign(app)
        log(f"starting {SERVER} (Cahier and the baseline), nginx, a Celery worker and beat")
        stack.start_web()
        stack.start_nginx()
        stack.start_baseline()
        stack.start_worker()
        stack.start_beat()
        long = Load(connections=settings["connections"], duration=settings["duration_s"])
        short = replace(long, duration=max(5, settings["duration_s"] // 2))
        # Six read runs (two pages, each through nginx flat out and paced, and uncached).
        brief = replace(long, duration=max(5, settings["duration_s"] // 4))
        ctx = http_scenarios.Context(stack, app, campaign, long)
        steps: dict[str, Callable[[], Any]] = {
            "baseline": lambda: http_scenarios.baseline(ctx),
            "read": lambda: http_scenarios.read(replace(ctx, load=brief)),
            "sign": lambda: http_scenarios.sign(ctx),
            "confirm": lambda: http_scenarios.confirm(replace(ctx, load=short)),
            # Issue 18: granian against gunicorn, serving both the baseline and Cahier.
            "servers": lambda: server_scenarios.servers(replace(ctx, load=brief)),
            "mail": lambda: job_scenarios.mail_drain(ctx, settings["drain_emails"]),
            "export": lambda: job_scenarios.export(ctx, settings["export_rows"]),
            # Issue 15: 50,000 supporters expanded into the outbox, then drained.
            "mailing": lambda: mailing_scenarios.mailing(ctx, settings["mailing_supporters"]),
            "audience": lambda: audience_scenarios.audience(ctx, settings["audience_supporters"]),
            # Issue 16: 100,000 people paged through the API as Parsons does.
            "api": lambda: api_scenarios.api(ctx, settings["api_people"]),
            # Issue 14: an address on file must answer as fast as a new one.
            "timing": lambda: bench_timing.signing_over_http(
                stack.base_url, f"/c/{campaign['slug']}/sign", settings["timing_rounds"]
            ),
        }
        for name in settings["scenarios"]:
            log(f"scenario {name}")
            # Anything else running on the machine shows here, next to the figures it skews.
            load_before = round(os.getloadavg()[0], 2)
            try:
                results[name] = steps[name]()
            except Exception as exc:
                traceback.print_exc(file=sys.stderr)
                results[name] = {"error": f"{type(exc).__name__}: {exc}"}
            results[name]["load_avg_1m_before"] = load_before
    document["scenarios"] = results
    document["ratios_to_baseline"] = ratios(results)
    document["targets"] = targets(results)
    document["targets_round2"] = round2_targets(results)
    document["total_seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(document, indent=2, default=str))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        log("interrupted; every process was stopped")
        sys.exit(130)
