"""SQLite settings for the zero-setup default, where web, worker and beat share one file."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Engine, event


def tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets the web process read while a worker writes; the timeout waits for a lock
        # instead of failing at once with "database is locked".
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        # PostgreSQL's name for it, so that set-based inserts write one UUID per row alike.
        dbapi_connection.create_function(
            "gen_random_uuid", 0, lambda: str(uuid.uuid4()), deterministic=False
        )
