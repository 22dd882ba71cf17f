"""The API's people pages, measured as CPU per request and profiled (issue 16).

    .venv/bin/python -m tests.bench.api_profile              # CPU per request, JSON on stdout
    API_PROFILE=1 .venv/bin/python -m tests.bench.api_profile  # and py-spy flame summaries

PostgreSQL, Redis and gunicorn only, with the 100,000 people of the API scenario, so that a
change to the API's path can be measured before and after in a few minutes. Three loads:
page 1 again and again, the last page again and again, and every page in order.

Environment: API_PROFILE_SECONDS (15 per run), BENCH_WEB_WORKERS (5),
BENCH_CONNECTIONS (4), BENCH_API_PEOPLE (100,000).
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from tests.bench import seed
from tests.bench.api_scenarios import PER_PAGE
from tests.bench.api_scenarios import seed as seed_people
from tests.bench.cpu import CpuMeter
from tests.bench.page_profile import spied
from tests.bench.stack import Stack, running_stack
from tests.bench.wrk import Load, run_wrk

SECONDS = int(os.environ.get("API_PROFILE_SECONDS", "15"))
WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
PEOPLE = int(os.environ.get("BENCH_API_PEOPLE", "100000"))


def log(message: str) -> None:
    print(f"[api-profile {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def measure(stack: Stack, args: tuple[str, ...]) -> dict[str, Any]:
    roots = {"web": stack.processes["web"].process.pid, "postgres": stack.cpu_roots()["postgres"]}
    meter = CpuMeter(roots)
    figures = run_wrk(stack.base_url, "api_pages.lua", Load(CONNECTIONS, duration=SECONDS),
                      stack.workdir, args)  # fmt: skip
    cpu = meter.stop()
    requests = max(1, figures["requests"])
    return {
        **{k: figures[k] for k in ("requests", "errors", "req_per_s", "p50_ms", "p99_ms")},
        "cpu_ms_per_request": {k: round(v * 1000 / requests, 3) for k, v in cpu.items()},
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def profile(stack: Stack, args: tuple[str, ...], name: str) -> dict[str, Any]:
    return spied(stack, f"api-{name}", SECONDS, lambda seconds: run_wrk(
        stack.base_url, "api_pages.lua", Load(CONNECTIONS, duration=seconds), stack.workdir,
        args))  # fmt: skip


def main() -> None:
    results: dict[str, Any] = {"workers": WORKERS, "connections": CONNECTIONS, "runs": {}}
    with running_stack(WORKERS) as stack:
        os.environ.update(stack.env())
        from organizer import create_app

        app = create_app()
        seed.migrate(app)
        campaign = seed.published_campaign(app)
        seeded = seed_people(app, campaign["owner_email"], PEOPLE)
        token, pages = seeded["token"], str(-(-PEOPLE // PER_PAGE))
        log(f"{PEOPLE} people seeded; starting gunicorn ({WORKERS} workers)")
        stack.start_web()
        loads = {"in_order": (token, pages), "page_1": (token, "1", "1"),
                 "last_page": (token, pages, pages)}  # fmt: skip
        run_wrk(stack.base_url, "api_pages.lua", Load(CONNECTIONS, duration=3), stack.workdir,
                loads["in_order"])  # fmt: skip
        for name, args in loads.items():
            log(f"measure: {name}")
            results["runs"][name] = measure(stack, args)
        if os.environ.get("API_PROFILE"):
            results["profiles"] = {}
            for name in os.environ.get("API_PROFILE_LOADS", "page_1").split(","):
                log(f"py-spy: {name}")
                results["profiles"][name] = profile(stack, loads[name], name)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
