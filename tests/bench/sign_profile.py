"""The sign POST and the confirmation, profiled with py-spy under load (issue 18 § 1).

    .venv/bin/python -m tests.bench.sign_profile     # JSON on stdout: flame summaries

The stack of `make bench` without nginx: PostgreSQL, Redis, the SMTP sink, the web server
(BENCH_SERVER, as `make bench`), a mail worker and beat. py-spy samples every web process
while wrk signs (new addresses) and then confirms what it signed; the summaries are the
functions with the most samples on top (self) and anywhere on the stack (total), counting
only samples inside a request. py-spy is not a dependency: `pip install py-spy`.

Environment: SIGN_PROFILE_SECONDS (15 per path), BENCH_WEB_WORKERS (5), BENCH_CONNECTIONS (4).
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import replace
from typing import Any

from tests.bench import http_scenarios, seed
from tests.bench.http_scenarios import Context
from tests.bench.page_profile import spied
from tests.bench.stack import running_stack
from tests.bench.wrk import Load

SECONDS = int(os.environ.get("SIGN_PROFILE_SECONDS", "15"))
WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))


def log(message: str) -> None:
    print(f"[sign-profile {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main() -> None:
    results: dict[str, Any] = {"workers": WORKERS, "connections": CONNECTIONS}
    with running_stack(WORKERS) as stack:
        app, campaign = seed.app_with_campaign(stack.env())
        stack.start_web()
        stack.start_worker()
        stack.start_beat()
        ctx = Context(stack, app, campaign, Load(CONNECTIONS, duration=SECONDS))
        figures: dict[str, Any] = {}

        def drive(path: str) -> Any:
            def load(seconds: int) -> object:
                run = replace(ctx, load=replace(ctx.load, duration=seconds))
                figures[path] = getattr(http_scenarios, path)(run)
                ctx.sign_emails = run.sign_emails or ctx.sign_emails
                return figures[path]

            return load

        for path in ("sign", "confirm"):
            log(f"py-spy: {path}")
            results[path] = spied(stack, path, SECONDS, drive(path))
            cpu = figures[path].get("cpu_ms_per_request", {})
            results[path]["cpu_ms_per_request"] = cpu
            results[path]["req_per_s"] = figures[path].get("req_per_s")
            results[path]["load_avg_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
