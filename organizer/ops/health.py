"""Readiness: can this process serve? The database and Redis answer, migrations are current."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from organizer.extensions import db


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""


def check_database() -> Check:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        return Check("database", False, type(exc).__name__)
    return Check("database", True)


def check_redis() -> Check:
    try:
        client = redis.Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=1)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        return Check("redis", False, type(exc).__name__)
    return Check("redis", True)


def pending_migrations() -> tuple[set[str], set[str]]:
    """(heads the code has, heads the database is at)."""
    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return set(script.get_heads()), current


def check_migrations() -> Check:
    try:
        expected, current = pending_migrations()
    except SQLAlchemyError as exc:
        return Check("migrations", False, type(exc).__name__)
    if expected != current:
        return Check("migrations", False, "database is not at the latest migration")
    return Check("migrations", True)


def readiness() -> list[Check]:
    return [check_database(), check_redis(), check_migrations()]
