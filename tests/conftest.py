"""Test harness: real PostgreSQL, Redis and SMTP for the whole session.

Two kinds of database test:
- most tests run inside a transaction that is rolled back, with every commit turned into
  a savepoint release (``db_session``), so they are fast and isolated;
- tests marked ``integration`` commit for real, so that worker and web processes see the
  data, and every table is truncated afterwards (``committed_db``).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import text
from sqlalchemy.orm import scoped_session, sessionmaker

from tests.support.services import (
    ROOT,
    PostgresServer,
    RedisServer,
    SmtpSink,
    celery_worker,
)

ARTIFACTS = ROOT / "test-artifacts"

# Read when organizer.accounts.passwords is first imported, so set before any test module
# loads; the stack's processes inherit it through Services.env.
os.environ.setdefault("ARGON2_PROFILE", "CHEAPEST")


@dataclass
class Services:
    postgres: PostgresServer
    database_url: str
    redis: RedisServer
    smtp: SmtpSink
    log_dir: Path
    instance: Path

    def env(self, **overrides: str) -> dict[str, str]:
        """The environment a worker or web process of the test stack runs with."""
        env = {
            **os.environ,
            "CAHIER_ENV": "test",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis.url,
            "SMTP_URL": self.smtp.url,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "CAHIER_INSTANCE_PATH": str(self.instance),
            "MAIL_RETRY_BASE_SECONDS": "0.3",
            # The sweeper picks up a lost message after a second rather than a minute.
            "OUTBOX_SWEEP_AGE_SECONDS": "1",
            # Webhook retries (tests/api/test_webhooks_delivery.py) within a second, not hours.
            "WEBHOOK_RETRY_BASE_SECONDS": "0.05",
            "WEBHOOK_RETRY_MAX_SECONDS": "0.2",
            "WEBHOOK_MAX_ATTEMPTS": "3",
            "WEBHOOK_SWEEP_AGE_SECONDS": "1",
            "LOGIN_LIMIT_PER_IP": "10000/minute",
            "LOGIN_LIMIT_PER_ACCOUNT": "10000/minute",
            "ACCOUNT_EMAIL_LIMIT_PER_IP": "10000/minute",
            # Every test signs from 127.0.0.1; tests/e2e/test_shared_ip.py restores 5/minute.
            "SIGN_LIMIT_PER_IP": "10000/minute",
            "SIGN_HARD_LIMIT_PER_IP": "100000/hour",
            # The same for RSVPs: with one pytest process per core, which files share a
            # process (and its limiter's hour) varies from run to run.
            "EVENT_RSVP_LIMIT_PER_IP": "10000/minute",
            # tests/api/test_auth.py restores Action Network's 4/second on an app of its own.
            "API_RATE_LIMIT": "100000/second",
            # Totals afresh on every request; tests/api/test_paging.py turns the cache on.
            "API_PAGING_CACHE_SECONDS": "0",
            # Tokens looked up on every request; tests/api/test_auth.py turns the cache on.
            "API_TOKEN_CACHE_SECONDS": "0",
            # Tests change a campaign and sign it from other processes at once;
            # tests/signatures/test_target.py turns the cache back on.
            "SIGN_TARGET_CACHE_SECONDS": "0",
            "PYTHONPATH": str(ROOT),
        }
        env.update(overrides)
        return env


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    postgres = PostgresServer()
    postgres.start()
    redis = RedisServer()
    smtp = SmtpSink()
    try:
        database_url = postgres.create_database("cahier_test")
        redis.start()
        smtp.start()
        log_dir = ARTIFACTS / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        yield Services(
            postgres, database_url, redis, smtp, log_dir, tmp_path_factory.mktemp("instance")
        )
    finally:
        smtp.stop()
        redis.stop()
        postgres.cleanup()


@pytest.fixture(scope="session")
def app(services: Services) -> Iterator[Flask]:
    import flask_migrate

    from organizer import create_app
    from organizer.extensions import db

    saved = dict(os.environ)
    os.environ.update(services.env())
    try:
        flask_app = create_app({"TESTING": True})
        with flask_app.app_context():
            flask_migrate.upgrade()
        yield flask_app
        # Close the pooled connections ourselves: left to the garbage collector at exit,
        # each one is a ResourceWarning, which -W error turns into a failed run.
        with flask_app.app_context():
            for engine in db.engines.values():
                engine.dispose()
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def db_session(app: Flask) -> Iterator[None]:
    """Roll back everything the test wrote, including what its requests committed."""
    from organizer.extensions import db

    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
    original = db.session
    # A plain SQLAlchemy session: Flask-SQLAlchemy's own picks the engine, not our connection.
    db.session = scoped_session(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
        scopefunc=_app_ctx_id,
    )
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
        db.session = original
        transaction.rollback()
        connection.close()


# The gazetteer is reference data loaded by migration 0015, like the schema version.
TABLES_KEPT = {"alembic_version", "gazetteer_city"}


@pytest.fixture
def committed_db(app: Flask, services: Services) -> Iterator[None]:
    """Data that other processes can see; wiped afterwards."""
    from organizer.extensions import db

    services.smtp.reset()
    yield
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in db.metadata.sorted_tables if t.name not in TABLES_KEPT]
        quoted = ", ".join(f'"{name}"' for name in tables)
        _truncate(db.session, f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    services.smtp.reset()


def _truncate(session: Any, statement: str, attempts: int = 5) -> None:
    """Workers and beats of the test stack may still be writing (a count fold every half
    second, a late delivery): TRUNCATE's locks can then deadlock with them, and PostgreSQL
    picks one side to fail. The test's data must go all the same, so try again."""
    from sqlalchemy.exc import OperationalError

    for attempt in range(attempts):
        try:
            session.execute(text(statement))
            session.commit()
            return
        except OperationalError as error:
            session.rollback()
            if "deadlock detected" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.2)


@pytest.fixture
def client(app: Flask, db_session: None) -> Any:
    return app.test_client()


@pytest.fixture
def ctx(app: Flask, db_session: None) -> Iterator[None]:
    """An app context for a test that calls services directly."""
    with app.app_context():
        yield


@pytest.fixture(scope="session")
def worker(services: Services, app: Flask) -> Iterator[Any]:
    """A real Celery worker process sending to the SMTP sink, shared by integration tests."""
    process = celery_worker(services.env(), services.log_dir, concurrency=2)
    yield process
    process.stop()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    path = ARTIFACTS / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def sqlite_template(services: Services, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to the latest revision once per session: on SQLite the
    migrations take seconds (batch table rebuilds, the gazetteer), so tests copy this one."""
    import flask_migrate

    from organizer import create_app
    from organizer.extensions import db

    directory = tmp_path_factory.mktemp("sqlite-template")
    path = directory / "head.db"
    with pytest.MonkeyPatch.context() as patch:
        overrides = {"DATABASE_URL": f"sqlite:///{path}", "CAHIER_INSTANCE_PATH": str(directory)}
        for name, value in services.env(**overrides).items():
            patch.setenv(name, value)
        made = create_app({"TESTING": True})
        with made.app_context():
            flask_migrate.upgrade()
            for engine in db.engines.values():
                engine.dispose()
    return path


@pytest.fixture
def migrated_sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """The URL of this test's own SQLite database, at the latest migration."""
    copy = tmp_path / "migrated.db"
    # SQLite's backup API, not a file copy: it carries whatever a journal still holds.
    with closing(sqlite3.connect(sqlite_template)) as source, closing(sqlite3.connect(copy)) as to:
        source.backup(to)
    return f"sqlite:///{copy}"


@pytest.fixture
def make_app(services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """Another app, built from the test stack's environment with ``env`` overrides.

    Its database connections are closed at the end, so they are not left to the garbage
    collector (which would warn, and fail the run under -W error).
    """
    from organizer import create_app
    from organizer.extensions import db

    created: list[Flask] = []

    def factory(config: dict[str, Any] | None = None, **env: str) -> Flask:
        overrides = {"CAHIER_INSTANCE_PATH": str(tmp_path), **env}
        for name, value in services.env(**overrides).items():
            monkeypatch.setenv(name, value)
        made = create_app(config)
        created.append(made)
        return made

    yield factory
    for made in created:
        with made.app_context():
            for engine in db.engines.values():
                engine.dispose()
