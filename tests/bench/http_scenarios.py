"""The HTTP scenarios: baseline, read, sign and confirm, each driven by wrk.

Each returns a dict of figures; the checks after a run (nothing lost, one confirmation per
signature, an exact count) read the database directly.
"""

from __future__ import annotations

import re
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import psycopg
from flask import Flask, url_for

from tests.bench.seed import plain_url
from tests.bench.stack import Stack
from tests.bench.wrk import Load, run_wrk
from tests.support.services import wait_for

ACCEPTED = ("200", "201", "302", "303")


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


def _accepted(figures: dict[str, Any]) -> int:
    return sum(n for code, n in figures["statuses"].items() if code in ACCEPTED)


def baseline(ctx: Context) -> dict[str, Any]:
    before = ctx.sql("SELECT count(*) FROM bench_baseline")[0][0]
    url = f"http://127.0.0.1:{ctx.stack.baseline_port}/baseline"
    origin = ctx.stack.base_url
    figures = run_wrk(url, "sign.lua", ctx.load, ctx.stack.workdir, (ctx.run_id, "FR", origin))
    rows = ctx.sql("SELECT count(*) FROM bench_baseline")[0][0] - before
    figures.update(rows_in_db=rows, accepted=_accepted(figures))
    figures["nothing_lost"] = rows >= figures["accepted"]
    return figures


def read(ctx: Context) -> dict[str, Any]:
    slug = ctx.campaign["slug"]
    results: dict[str, Any] = {}
    for name, path in (
        ("page", ctx.path("campaigns.page", slug=slug)),
        ("count_json", _count_json_path(ctx)),
    ):
        if path is None:
            results[name] = {"skipped": "no such route yet"}
            continue
        url = ctx.stack.base_url + path
        results[name] = run_wrk(url, "get.lua", ctx.load, ctx.stack.workdir)
        results[name].update(_anonymous_checks(url))
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
    args = (ctx.run_id, "FR", ctx.stack.base_url)
    figures = run_wrk(ctx.stack.base_url + path, "sign.lua", ctx.load, ctx.stack.workdir, args)
    ctx.sign_emails = f"s-{ctx.run_id}-%"
    figures.update(_sign_checks(ctx, _accepted(figures)))
    figures["mail_delivered_during_run"] = ctx.stack.sink.stats()["window"]
    return figures


def _sign_checks(ctx: Context, accepted: int) -> dict[str, Any]:
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
        "rows_equal_accepted": rows[0] == accepted,
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
    watcher = CountWatcher(ctx, ctx.stack.base_url + count_path)
    watcher.start()
    try:
        figures = run_wrk(ctx.stack.base_url, "confirm.lua", ctx.load, ctx.stack.workdir, args)
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
    real = watcher.real_count()
    try:
        settled = wait_for(lambda: watcher.public_count() == real, 30, 0.2, "the count")
    except TimeoutError:
        settled = False
    after_run = watcher.public_count()
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
    """Samples the public count and the real COUNT every 0.1 s while confirmations run."""

    def __init__(self, ctx: Context, url: str) -> None:
        self.ctx, self.url = ctx, url
        self.truth: list[tuple[float, int]] = []
        self.public: list[tuple[float, int]] = []
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
            self.public.append((time.monotonic(), self.public_count()))

    def real_count(self) -> int:
        return int(self.ctx.sql(
            "SELECT count(*) FROM signature WHERE campaign_id = %s AND status = 'confirmed' "
            "AND NOT suspect", self.ctx.campaign["id"],
        )[0][0])  # fmt: skip

    def public_count(self) -> int:
        import json

        # A cache-buster, so that what we measure is the app's count, not an HTTP cache.
        url = f"{self.url}?t={time.monotonic_ns()}"
        with urllib.request.urlopen(url, timeout=5) as response:
            document = json.loads(response.read())
        for key in ("signatures", "count", "total", "confirmed"):
            if isinstance(document.get(key), int):
                return int(document[key])
        raise KeyError(f"no count in {document}")

    def staleness(self) -> dict[str, Any]:
        """How long before each public sample the truth had already passed what it showed."""
        lags = []
        for seen_at, shown in self.public:
            passed = next((t for t, n in self.truth if n > shown and t <= seen_at), None)
            lags.append(seen_at - passed if passed is not None else 0.0)
        lags.sort()
        if not lags:
            return {"samples": 0}
        return {
            "samples": len(lags),
            "max_s": round(lags[-1], 2),
            "p95_s": round(lags[int(0.95 * (len(lags) - 1))], 2),
        }
