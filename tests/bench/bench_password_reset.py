"""How close in time the password-reset answers for known and unknown addresses are.

Run: .venv/bin/python -m tests.bench.bench_password_reset  (prints one JSON document)
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time

from tests.support.services import PostgresServer, RedisServer
from tests.support.web import csrf_token

ROUNDS = 60


def _timed_posts(client, email: str) -> list[float]:
    timings = []
    for _ in range(ROUNDS):
        token = csrf_token(client.get("/account/password/forgot").get_data(as_text=True))
        started = time.perf_counter()
        response = client.post(
            "/account/password/forgot", data={"email": email, "csrf_token": token}
        )
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return timings


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
        )
        import flask_migrate

        from organizer import create_app
        from organizer.extensions import db
        from tests.factories import UserFactory

        app = create_app({"TESTING": True})
        with app.app_context():
            flask_migrate.upgrade()
            UserFactory(email="known@example.org")
            db.session.commit()
        client = app.test_client()
        _timed_posts(client, "warmup@example.org")
        known = _timed_posts(client, "known@example.org")
        unknown = _timed_posts(client, "unknown@example.org")
        figures = {
            "rounds": ROUNDS,
            "known_median_ms": round(statistics.median(known), 2),
            "unknown_median_ms": round(statistics.median(unknown), 2),
            "known_p90_ms": round(statistics.quantiles(known, n=10)[-1], 2),
            "unknown_p90_ms": round(statistics.quantiles(unknown, n=10)[-1], 2),
        }
        figures["median_ratio"] = round(
            figures["known_median_ms"] / figures["unknown_median_ms"], 2
        )
        print(json.dumps({"password_reset_timing": figures}, indent=2))
    finally:
        redis.stop()
        postgres.cleanup()


if __name__ == "__main__":
    main()
