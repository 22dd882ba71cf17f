"""`flask doctor`: every configuration problem a deployer must fix, in one list."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from flask import Flask

from organizer.config import PRODUCTION_REQUIRED
from organizer.ops.health import check_database, check_migrations, check_redis

MIN_SECRET_LENGTH = 32


def problems(app: Flask, env: dict[str, str]) -> Iterator[str]:
    production = app.config["CAHIER_ENV"] == "production"
    yield from _settings(app, env, production)
    with app.app_context():
        for check in (check_database(), check_redis(), check_migrations()):
            if not check.ok:
                yield f"{check.name}: {check.detail or 'unreachable'}" + _fix(check.name)


def _settings(app: Flask, env: dict[str, str], production: bool) -> Iterator[str]:
    if not production:
        yield (
            f"CAHIER_ENV is {app.config['CAHIER_ENV']!r}: set CAHIER_ENV=production on a server "
            "(development mode captures mail in /dev/mail instead of sending it)."
        )
    for name in PRODUCTION_REQUIRED:
        if not env.get(name):
            yield f"{name} is not set."
    if len(app.config["SECRET_KEY"]) < MIN_SECRET_LENGTH:
        yield f"SECRET_KEY is shorter than {MIN_SECRET_LENGTH} characters."
    base = urlsplit(app.config["BASE_URL"])
    if production and base.scheme != "https":
        yield f"BASE_URL should be https:// in production, not {app.config['BASE_URL']!r}."
    if production and base.hostname in ("127.0.0.1", "localhost"):
        yield "BASE_URL points at this machine; links in emails would not work for anyone else."
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and production:
        yield "DATABASE_URL is SQLite; production needs PostgreSQL."
    if production and app.config["TRUSTED_PROXIES"] == 0:
        yield (
            "TRUSTED_PROXIES is 0: behind nginx or a load balancer, set it to the number of "
            "proxy hops, or every visitor shares the proxy's rate limits."
        )


def _fix(check: str) -> str:
    return {
        "database": " Check DATABASE_URL and that PostgreSQL accepts connections.",
        "redis": " Check REDIS_URL and that Redis is running.",
        "migrations": " Run `flask db upgrade`.",
    }.get(check, "")
