"""Whether registering and signing take as long for an address on file as for a new one.

A stranger who can time the answers must not learn who has an account or who has signed.
Issue 14 wants each ratio of the medians between 0.8 and 1.25.

Run alone: .venv/bin/python -m tests.bench.bench_timing  (prints one JSON document; the app
in this process, through Flask's test client, on its own PostgreSQL and Redis). ``make bench``
runs the signing half as its "timing" scenario, over HTTP against the production-shaped
stack (:func:`signing_over_http`).
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from tests.support.services import PostgresServer, RedisServer
from tests.support.web import csrf_token

ROUNDS = 60
WARM_UP = 5
SIGN_FORM = {"name": "Ada Lovelace", "country": "GB"}
_fresh = itertools.count()

# Posts one form and returns how long the answer took, in milliseconds.
Post = Callable[[dict[str, str]], float]


def _alternating(
    post: Post,
    on_file: Callable[[], dict[str, str]],
    new: Callable[[], dict[str, str]],
    rounds: int = ROUNDS,
) -> dict[str, Any]:
    """Both kinds in turn, so that the shared machine's changing load hits both alike."""
    for _ in range(WARM_UP):
        post(new())
    timings: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        timings[0].append(post(on_file()))
        timings[1].append(post(new()))
    return figures(*timings)


def figures(on_file: list[float], new: list[float]) -> dict[str, Any]:
    def p95(values: list[float]) -> float:
        return statistics.quantiles(values, n=20, method="inclusive")[18]

    result: dict[str, Any] = {"rounds": len(on_file)}
    for name, values in (("on_file", on_file), ("new", new)):
        result[f"{name}_median_ms"] = round(statistics.median(values), 2)
        result[f"{name}_p95_ms"] = round(p95(values), 2)
    result["median_ratio"] = round(result["on_file_median_ms"] / result["new_median_ms"], 2)
    result["p95_ratio"] = round(result["on_file_p95_ms"] / result["new_p95_ms"], 2)
    result["within_target"] = 0.8 <= result["median_ratio"] <= 1.25
    return result


def _signing(post: Post, rounds: int = ROUNDS) -> dict[str, Any]:
    def form(email: str) -> dict[str, str]:
        return {**SIGN_FORM, "email": email}

    on_file = f"signed{next(_fresh)}-{os.getpid()}@example.org"
    post(form(on_file))
    return _alternating(
        post,
        lambda: form(on_file),
        lambda: form(f"signer{next(_fresh)}-{os.getpid()}-{time.time_ns()}@example.org"),
        rounds,
    )


def signing_over_http(base_url: str, path: str, rounds: int = 100) -> dict[str, Any]:
    """The "timing" scenario of ``make bench``: the sign form posted to the running stack."""
    url = base_url + path

    def post(form: dict[str, str]) -> float:
        request = urllib.request.Request(
            url, data=urllib.parse.urlencode(form).encode(), headers={"Origin": base_url}
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status == 200, response.status
        return elapsed

    return _signing(post, rounds)


def _client_post(client: Any, url: str, page: str | None = None) -> Post:
    """``page`` is the form's page, for its CSRF token (the sign form has none)."""

    def post(form: dict[str, str]) -> float:
        if page is not None:
            form["csrf_token"] = csrf_token(client.get(page).get_data(as_text=True))
        started = time.perf_counter()
        response = client.post(url, data=form, headers={"Origin": "http://localhost"})
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        return elapsed

    return post


def _registration(client: Any) -> dict[str, Any]:
    def form(email: str) -> dict[str, str]:
        return {"display_name": "Ada", "email": email, "password": "tulips in the rain"}

    url = "/account/register"
    return _alternating(
        _client_post(client, url, url),
        lambda: form("known@example.org"),
        lambda: form(f"new{next(_fresh)}@example.org"),
    )


def main() -> None:
    postgres, redis = PostgresServer(), RedisServer()
    postgres.start()
    redis.start()
    try:
        os.environ.update(
            CAHIER_ENV="test",
            DATABASE_URL=postgres.create_database("bench"),
            REDIS_URL=redis.url,
            SMTP_URL="smtp://127.0.0.1:9",
            SECRET_KEY="bench",
            CAHIER_INSTANCE_PATH=tempfile.mkdtemp(),
            ACCOUNT_EMAIL_LIMIT_PER_IP="100000/minute",
            SIGN_LIMIT_PER_IP="100000/minute",
            SIGN_HARD_LIMIT_PER_IP="100000/minute",
            SIGN_LIMIT_PER_DOMAIN="100000/minute",
        )
        import flask_migrate

        from organizer import create_app
        from organizer.extensions import db
        from organizer.mail.dispatch import flush_all
        from tests.factories import UserFactory
        from tests.signatures.conftest import make_campaign

        app = create_app({"TESTING": True})
        with app.app_context():
            flask_migrate.upgrade()
            UserFactory(email="known@example.org")
            make_campaign(UserFactory(), slug="bench")
            db.session.commit()
        client = app.test_client()
        document = {
            "registration_timing": _registration(client),
            "signing_timing": _signing(_client_post(client, "/c/bench/sign")),
            "load_avg_1m_after": round(os.getloadavg()[0], 2),
        }
        # Publish the outbox's last ids while Redis still runs, not at exit.
        flush_all()
        print(json.dumps(document, indent=2))
    finally:
        redis.stop()
        postgres.cleanup()


if __name__ == "__main__":
    main()
