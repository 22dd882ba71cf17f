"""Whether registering and signing take as long for an address on file as for a new one.

A stranger who can time the answers must not learn who has an account or who has signed.
Run: .venv/bin/python -m tests.bench.bench_timing  (prints one JSON document)
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable

from tests.support.services import PostgresServer, RedisServer
from tests.support.web import csrf_token

ROUNDS = 60
_fresh = itertools.count()


def _post(client, page: str | None, url: str, form: dict[str, str]) -> float:
    """One timed POST; ``page`` is the form's page, for its CSRF token (the sign form has none)."""
    if page is not None:
        form["csrf_token"] = csrf_token(client.get(page).get_data(as_text=True))
    started = time.perf_counter()
    response = client.post(url, data=form, headers={"Origin": "http://localhost"})
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed


def _alternating(
    client,
    page: str | None,
    url: str,
    on_file: Callable[[], dict[str, str]],
    new: Callable[[], dict[str, str]],
) -> dict[str, float]:
    """Both kinds in turn, so that the shared machine's changing load hits both alike."""
    for _ in range(5):  # warm-up
        _post(client, page, url, new())
    timings: tuple[list[float], list[float]] = ([], [])
    for _ in range(ROUNDS):
        timings[0].append(_post(client, page, url, on_file()))
        timings[1].append(_post(client, page, url, new()))
    return _figures(*timings)


def _figures(on_file: list[float], new: list[float]) -> dict[str, float]:
    figures = {
        "rounds": ROUNDS,
        "on_file_median_ms": round(statistics.median(on_file), 2),
        "new_median_ms": round(statistics.median(new), 2),
    }
    figures["median_ratio"] = round(figures["on_file_median_ms"] / figures["new_median_ms"], 2)
    return figures


def _registration(client) -> dict[str, float]:
    def form(email: str) -> dict[str, str]:
        return {"display_name": "Ada", "email": email, "password": "tulips in the rain"}

    url = "/account/register"
    return _alternating(
        client,
        url,
        url,
        lambda: form("known@example.org"),
        lambda: form(f"new{next(_fresh)}@example.org"),
    )


def _signing(client) -> dict[str, float]:
    def form(email: str) -> dict[str, str]:
        return {"name": "Ada Lovelace", "email": email, "country": "GB"}

    url = "/c/bench/sign"
    _post(client, None, url, form("signed@example.org"))
    return _alternating(
        client,
        None,
        url,
        lambda: form("signed@example.org"),
        lambda: form(f"signer{next(_fresh)}@example.org"),
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
            # Past the cap a repeat signature is not mailed again: keep measuring the real path.
            SIGNATURE_MAX_RESENDS="100000",
        )
        import flask_migrate

        from organizer import create_app
        from organizer.extensions import db
        from tests.factories import UserFactory
        from tests.signatures.conftest import make_campaign

        app = create_app({"TESTING": True})
        with app.app_context():
            flask_migrate.upgrade()
            UserFactory(email="known@example.org")
            make_campaign(UserFactory(), slug="bench")
            db.session.commit()
        client = app.test_client()
        print(
            json.dumps(
                {"registration_timing": _registration(client), "signing_timing": _signing(client)},
                indent=2,
            )
        )
    finally:
        redis.stop()
        postgres.cleanup()


if __name__ == "__main__":
    main()
