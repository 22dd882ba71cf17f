"""The uncached campaign page and count.json, measured as CPU per request and profiled.

    .venv/bin/python -m tests.bench.page_profile            # CPU per request, JSON on stdout
    PAGE_PROFILE=1 .venv/bin/python -m tests.bench.page_profile   # and py-spy flame summaries

A smaller stack than `make bench` (PostgreSQL, Redis and gunicorn only: the page and the
count need nothing else), so that one change can be measured before and after in a couple
of minutes. The campaign gets confirmed signatures over 10 countries and 60 days, folded
into the counters, so that the page draws its country table and its chart. py-spy
(`pip install py-spy`) samples every gunicorn worker; its collapsed stacks are summarized
as the functions with the most samples on top (self) and anywhere on the stack (total).

Environment: PAGE_PROFILE_SECONDS (15 per run), PAGE_PROFILE_ROUNDS (2 runs of each path),
BENCH_WEB_WORKERS (2), BENCH_CONNECTIONS (4), PAGE_PROFILE_SIGNATURES (20,000).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.bench import seed
from tests.bench.cpu import CpuMeter
from tests.bench.stack import Stack, running_stack
from tests.bench.wrk import Load, run_wrk

SECONDS = int(os.environ.get("PAGE_PROFILE_SECONDS", "15"))
ROUNDS = int(os.environ.get("PAGE_PROFILE_ROUNDS", "2"))
WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
SIGNATURES = int(os.environ.get("PAGE_PROFILE_SIGNATURES", "20000"))
TOP = 25


def log(message: str) -> None:
    print(f"[page-profile {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def signed_campaign(stack: Stack) -> dict[str, Any]:
    os.environ.update(stack.env())
    from organizer import create_app
    from organizer.extensions import db
    from organizer.signatures import counting

    app = create_app()
    seed.migrate(app)
    campaign = seed.published_campaign(app)
    seed.confirmed_signatures(
        stack.database_url, campaign["id"], campaign["revision_id"], SIGNATURES
    )
    # Spread over 60 days, so the chart has bars to draw; then the counters from the rows.
    with app.app_context():
        db.session.execute(
            db.text("UPDATE signature SET confirmed_day = confirmed_day - (id % 60)::int "
                    "WHERE campaign_id = :c"), {"c": campaign["id"]},
        )  # fmt: skip
        counting.reconcile([campaign["id"]])
        db.session.commit()
    return campaign


def measure(stack: Stack, path: str) -> dict[str, Any]:
    url = stack.base_url + path
    for _ in range(20):  # every worker past its first render
        urllib.request.urlopen(url, timeout=10).read()
    meter = CpuMeter({"web": stack.processes["web"].process.pid, **_postgres(stack)})
    figures = run_wrk(url, "get.lua", Load(CONNECTIONS, duration=SECONDS), stack.workdir)
    cpu = meter.stop()
    requests = max(1, figures["requests"])
    return {
        "requests": figures["requests"],
        "errors": figures["errors"],
        "req_per_s": figures["req_per_s"],
        "cpu_ms_per_request": {k: round(v * 1000 / requests, 3) for k, v in cpu.items()},
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def _postgres(stack: Stack) -> dict[str, int]:
    return {"postgres": stack.cpu_roots()["postgres"]}


def profile(stack: Stack, path: str, name: str) -> dict[str, Any]:
    def load(seconds: int) -> object:
        return run_wrk(stack.base_url + path, "get.lua", Load(CONNECTIONS, duration=seconds),
                       stack.workdir)  # fmt: skip

    return spied(stack, name, SECONDS, load)


def spied(stack: Stack, name: str, seconds: int, load: Callable[[int], object]) -> dict[str, Any]:
    """py-spy on every gunicorn worker for ``seconds`` while ``load`` runs (given its own
    duration, a second shorter), summarized."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    out = Path("test-artifacts/bench") / f"py-spy-{name}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    master = stack.processes["web"].process.pid
    spy = subprocess.Popen(
        [py_spy, "record", "--pid", str(master), "--subprocesses", "--format", "raw",
         "--rate", "250", "--duration", str(seconds), "--output", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    time.sleep(1)
    load(seconds - 1)
    spy.wait(seconds + 30)
    return summarize(out.read_text())


def summarize(collapsed: str) -> dict[str, Any]:
    """Top frames by self and total samples, from py-spy's collapsed stacks, in a request."""
    own: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    samples = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [f for f in stack.split(";") if f]
        if not frames or not any("wsgi_app" in f for f in frames):
            continue  # gunicorn waiting on its socket, not serving a request
        n = int(count)
        samples += n
        names = [_frame(f) for f in frames]
        own[names[-1]] += n
        for frame in set(names):
            anywhere[frame] += n
    share = lambda n: round(100 * n / max(1, samples), 1)  # noqa: E731
    return {
        "samples_in_requests": samples,
        "self_percent": [(f, share(n)) for f, n in own.most_common(TOP)],
        "total_percent": [(f, share(n)) for f, n in anywhere.most_common(TOP * 2)],
    }


def _frame(frame: str) -> str:
    # "function (path/to/module.py:123)" → "function (module.py)", lines merged.
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    parts = where.split("/")
    short = "/".join(parts[-2:]) if "site-packages" not in where else parts[-1]
    for marker in ("organizer/", "templates/"):
        if marker in where:
            short = marker + where.split(marker, 1)[1]
    return f"{name} ({short})"


def main() -> None:
    results: dict[str, Any] = {"workers": WORKERS, "connections": CONNECTIONS, "runs": []}
    with running_stack(WORKERS) as stack:
        campaign = signed_campaign(stack)
        log(f"{SIGNATURES} signatures seeded; starting gunicorn ({WORKERS} workers)")
        stack.start_web()
        paths = {
            "page": f"/c/{campaign['slug']}",
            "count_json": f"/c/{campaign['slug']}/count.json",
        }
        for round_ in range(ROUNDS):
            for name, path in paths.items():
                log(f"round {round_ + 1}: {name}")
                results["runs"].append({"path": name, **measure(stack, path)})
        if os.environ.get("PAGE_PROFILE"):
            results["profiles"] = {}
            for name, path in paths.items():
                log(f"py-spy: {name}")
                results["profiles"][name] = profile(stack, path, name)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
