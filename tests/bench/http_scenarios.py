"""The HTTP scenarios: baseline, read, sign and confirm, each driven by wrk.

Each returns a dict of figures; the checks after a run (nothing lost, one confirmation per
signature, an exact count) read the database directly.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from dataclasses import dataclass, field, replace
from typing import Any

import psycopg
from flask import Flask, url_for

from tests.bench.cpu import CpuMeter
from tests.bench.seed import plain_url
from tests.bench.stack import Stack
from tests.bench.wrk import Load, run_wrk
from tests.support.services import wait_for

ACCEPTED = ("200", "201", "302", "303")
# What the page after a successful sign says (in English, the locale wrk gets).
SIGNED_MARKER = "Check your email"
# Paced reads: each connection pauses 2 ms between requests (wrk's timer has a whole-ms
# grain), so 12 connections offer about 4,800 requests/s, a little over issue 7's 4,000.
PACED_PAUSE_MS = 2
PACED_CONNECTIONS = 12


@dataclass
class Context:
    stack: Stack
    app: Flask
    campaign: dict[str, Any]
    load: Load
    run_id: str = field(default_factory=lambda: f"r{int(time.time())}")
    sign_emails: str = ""  # the LIKE pattern of the sign run's emails

    def sql(self, query: str, *params: Any) -> Any:
        with psycopg.connect(plain_url(self.stack.database_url)) as conn:
            return conn.execute(query, params).fetchall()

    def path(self, endpoint: str, **values: Any) -> str | None:
        if endpoint not in self.app.view_functions:
            return None
        with self.app.test_request_context():
            return str(url_for(endpoint, **values))


def drive(ctx: Context, url: str, script: str, args: tuple[str, ...] = ()) -> dict[str, Any]:
    """wrk on ``url``, with the CPU each part of the stack spent meanwhile, per request."""
    meter = CpuMeter(ctx.stack.cpu_roots())
    figures = run_wrk(url, script, ctx.load, ctx.stack.workdir, args)
    cpu = meter.stop()
    requests = max(1, figures["requests"])
    figures["cpu_seconds"] = cpu
    figures["cpu_ms_per_request"] = {k: round(v * 1000 / requests, 3) for k, v in cpu.items()}
    return figures


def _accepted(figures: dict[str, Any]) -> int:
    return sum(n for code, n in figures["statuses"].items() if code in ACCEPTED)


def baseline(ctx: Context) -> dict[str, Any]:
    before = ctx.sql("SELECT count(*) FROM bench_baseline")[0][0]
    url = f"http://127.0.0.1:{ctx.stack.baseline_port}/baseline"
    origin = ctx.stack.base_url
    figures = drive(ctx, url, "sign.lua", (ctx.run_id, "FR", origin))
    rows = ctx.sql("SELECT count(*) FROM bench_baseline")[0][0] - before
    figures.update(rows_in_db=rows, accepted=_accepted(figures))
    figures["nothing_lost"] = rows >= figures["accepted"]
    return figures


def read(ctx: Context) -> dict[str, Any]:
    """Each public page through nginx's micro-cache (as deployed) and straight from gunicorn."""
    slug = ctx.campaign["slug"]
    results: dict[str, Any] = {}
    origins = {"": f"http://127.0.0.1:{ctx.stack.nginx_port}", "_app": ctx.stack.base_url}
    if ctx.stack.nginx_port is None:
        origins = {"": ctx.stack.base_url}
    for name, path in (
        ("page", ctx.path("campaigns.page", slug=slug)),
        ("count_json", _count_json_path(ctx)),
    ):
        for suffix, origin in origins.items():
            if path is None:
                results[name + suffix] = {"skipped": "no such route yet"}
                continue
            url = origin + path
            results[name + suffix] = drive(ctx, url, "get.lua")
            results[name + suffix].update(_anonymous_checks(url), served_by=origin)
            if suffix == "" and ctx.stack.nginx_port is not None:
                # Flat out, p99 is mostly queueing for a core; also measure it at the target.
                paced = replace(ctx, load=replace(ctx.load, connections=PACED_CONNECTIONS))
                args = (str(PACED_PAUSE_MS),)
                results[name + "_paced"] = drive(paced, url, "get.lua", args)
    return results


def _count_json_path(ctx: Context) -> str | None:
    for endpoint in ("signatures.count_json", "signatures.count"):
        path = ctx.path(endpoint, slug=ctx.campaign["slug"])
        if path is not None:
            return path
    return None


def _anonymous_checks(url: str) -> dict[str, Any]:
    """Two anonymous readers get the same bytes and no cookie (so a cache may serve them)."""
    answers = []
    for _ in range(2):
        with urllib.request.urlopen(url, timeout=10) as response:
            answers.append((response.read(), response.headers))
    return {
        "sets_cookie": any(h.get("Set-Cookie") for _, h in answers),
        "identical_for_anonymous_readers": answers[0][0] == answers[1][0],
        "cache_control": answers[0][1].get("Cache-Control"),
    }


def sign(ctx: Context) -> dict[str, Any]:
    path = ctx.path("signatures.sign", slug=ctx.campaign["slug"])
    if path is None:
        return {"skipped": "no sign route yet"}
    ctx.stack.sink.new_window()
    args = (ctx.run_id, "FR", ctx.stack.base_url, SIGNED_MARKER)
    figures = drive(ctx, ctx.stack.base_url + path, "sign.lua", args)
    ctx.sign_emails = f"s-{ctx.run_id}-%"
    # A 200 without the marker is the form again, with an error: a failed signature.
    figures["form_errors"] = _accepted(figures) - figures["accepted_by_body"]
    figures["errors"] += figures["form_errors"]
    figures["error_rate"] = round(figures["errors"] / max(1, figures["requests"]), 6)
    time.sleep(2)  # the requests wrk left in flight finish, so the checks see a still table
    figures.update(_sign_checks(ctx, figures))
    figures["mail_delivered_during_run"] = ctx.stack.sink.stats()["window"]
    figures.update(_backlog_drained(ctx, figures["confirmation_emails"]))
    return figures


def _backlog_drained(ctx: Context, expected: int, limit_s: float = 600) -> dict[str, Any]:
    """In a spike the worker (at a lower priority) falls behind; how long after the run
    every confirmation had reached the SMTP sink. The next scenario starts on a quiet
    worker."""
    started = time.monotonic()
    delivered = ctx.stack.sink.stats()["window"]
    while delivered < expected and time.monotonic() - started < limit_s:
        time.sleep(0.5)
        delivered = ctx.stack.sink.stats()["window"]
    return {
        "confirmations_delivered": delivered,
        "all_confirmations_delivered_s_after_run": (
            round(time.monotonic() - started + 2, 1) if delivered >= expected else None
        ),
    }


def _sign_checks(ctx: Context, figures: dict[str, Any]) -> dict[str, Any]:
    """Every accepted request has its row; wrk does not read the answers of the requests
    in flight when it stops, so up to that many rows more than accepted are expected."""
    accepted = figures["accepted_by_body"]
    unanswered = figures["sent"] - figures["requests"]
    campaign_id = ctx.campaign["id"]
    rows = ctx.sql(
        "SELECT count(*), count(*) FILTER (WHERE suspect) FROM signature "
        "WHERE campaign_id = %s AND email LIKE %s", campaign_id, ctx.sign_emails,
    )[0]  # fmt: skip
    mails = ctx.sql(
        "SELECT count(*), count(DISTINCT e.related_id) FROM outbound_email e "
        "JOIN signature s ON s.id = e.related_id AND e.related_type = 'signature' "
        "WHERE e.kind = 'signature_confirm' AND s.campaign_id = %s AND s.email LIKE %s",
        campaign_id, ctx.sign_emails,
    )[0]  # fmt: skip
    return {
        "accepted": accepted,
        "rows_in_db": rows[0],
        "suspect_rows": rows[1],
        "unanswered_at_stop": unanswered,
        "nothing_lost": accepted <= rows[0] <= accepted + unanswered,
        "confirmation_emails": mails[0],
        "signatures_with_a_confirmation": mails[1],
        "one_confirmation_per_signature": mails[0] == mails[1] == rows[0],
    }


def confirm(ctx: Context) -> dict[str, Any]:
    template = ctx.path("signatures.confirm", token="TOKEN")
    count_path = _count_json_path(ctx)
    if template is None or count_path is None or not ctx.sign_emails:
        return {"skipped": "needs the sign scenario, a confirm route and count.json"}
    tokens = _tokens(ctx, template)
    token_file = ctx.stack.workdir / "tokens.txt"
    token_file.write_text("\n".join(tokens) + "\n")
    args = (str(token_file), str(ctx.load.threads), ctx.stack.base_url,
            template.replace("TOKEN", "{token}"))  # fmt: skip
    edge = ctx.stack.nginx_port and f"http://127.0.0.1:{ctx.stack.nginx_port}{count_path}"
    watcher = CountWatcher(ctx, ctx.stack.base_url + count_path, edge or None)
    watcher.start()
    try:
        figures = drive(ctx, ctx.stack.base_url, "confirm.lua", args)
    finally:
        watcher.stop()
    figures["tokens_available"] = len(tokens)
    figures["staleness_under_load"] = watcher.staleness()
    figures.update(_count_checks(ctx, watcher))
    return figures


def _tokens(ctx: Context, template: str) -> list[str]:
    prefix, _, suffix = template.partition("TOKEN")
    pattern = re.compile(re.escape(prefix) + r"([A-Za-z0-9_\-]{20,})" + re.escape(suffix))
    bodies = ctx.sql(
        "SELECT e.text_body FROM outbound_email e JOIN signature s ON s.id = e.related_id "
        "WHERE e.kind = 'signature_confirm' AND e.related_type = 'signature' "
        "AND s.campaign_id = %s AND s.email LIKE %s ORDER BY e.id",
        ctx.campaign["id"], ctx.sign_emails,
    )  # fmt: skip
    return [m.group(1) for (body,) in bodies if (m := pattern.search(body))]


def _count_checks(ctx: Context, watcher: CountWatcher) -> dict[str, Any]:
    time.sleep(2)  # the confirmations wrk left in flight finish first
    try:
        settled = wait_for(
            lambda: watcher.public_count() == watcher.real_count(), 30, 0.2, "the count"
        )
    except TimeoutError:
        settled = False
    real, after_run = watcher.real_count(), watcher.public_count()
    from organizer.extensions import db
    from organizer.signatures import counting

    with ctx.app.app_context():
        drift = counting.reconcile([ctx.campaign["id"]])
        db.session.commit()
    after_reconcile = watcher.public_count()
    return {
        "real_count": real,
        "public_count_after_run": after_run,
        "exact_after_run": bool(settled),
        "reconcile_drift": drift.get(ctx.campaign["id"], 0),
        "public_count_after_reconcile": after_reconcile,
        "exact_after_reconcile": after_reconcile == watcher.real_count(),
    }


class CountWatcher:
    """Samples the real COUNT, the app's count.json and (when nginx runs) the one readers
    get through its cache, every 0.1 s while confirmations run."""

    def __init__(self, ctx: Context, app_url: str, edge_url: str | None) -> None:
        self.ctx, self.app_url, self.edge_url = ctx, app_url, edge_url
        self.truth: list[tuple[float, int]] = []
        self.shown: dict[str, list[tuple[float, int]]] = {"app": [], "edge": []}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(10)

    def _loop(self) -> None:
        deadline = time.monotonic() + 3600
        while not self.stopping.wait(0.1) and time.monotonic() < deadline:
            self.truth.append((time.monotonic(), self.real_count()))
            self.shown["app"].append((time.monotonic(), self.public_count()))
            if self.edge_url:
                self.shown["edge"].append((time.monotonic(), _count_at(self.edge_url)))

    def real_count(self) -> int:
        return int(self.ctx.sql(
            "SELECT count(*) FROM signature WHERE campaign_id = %s AND status = 'confirmed' "
            "AND NOT suspect", self.ctx.campaign["id"],
        )[0][0])  # fmt: skip

    def public_count(self) -> int:
        # A cache-buster, so that what we measure is the app's count, not an HTTP cache.
        return _count_at(f"{self.app_url}?t={time.monotonic_ns()}")

    def staleness(self) -> dict[str, Any]:
        """How long before each sample the truth had already passed what it showed."""
        return {where: self._lags(samples) for where, samples in self.shown.items() if samples}

    def _lags(self, samples: list[tuple[float, int]]) -> dict[str, Any]:
        lags = []
        for seen_at, shown in samples:
            passed = next((t for t, n in self.truth if n > shown and t <= seen_at), None)
            lags.append(seen_at - passed if passed is not None else 0.0)
        lags.sort()
        return {
            "samples": len(lags),
            "max_s": round(lags[-1], 2),
            "p95_s": round(lags[int(0.95 * (len(lags) - 1))], 2),
        }


def _count_at(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as response:
        document = json.loads(response.read())
    for key in ("signatures", "count", "total", "confirmed"):
        if isinstance(document.get(key), int):
            return int(document[key])
    raise KeyError(f"no count in {document}")
