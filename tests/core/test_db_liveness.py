from __future__ import annotations

import time

from sqlalchemy import create_engine, text

import organizer.db_liveness  # noqa: F401 (the checkout check under test)


def _engine(services):
    url = "postgresql+psycopg://" + services.database_url.split("://", 1)[1]
    return create_engine(url, pool_size=1, max_overflow=0)


def test_a_connection_the_server_closed_is_replaced_before_use(services):
    engine = _engine(services)
    try:
        with engine.connect() as connection:
            first_pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        # The connection is idle in the pool when the server ends it, as in a restart.
        admin = _engine(services)
        try:
            with admin.connect() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid})
                connection.commit()
        finally:
            admin.dispose()
        time.sleep(0.2)  # the backend's farewell reaches the idle socket
        with engine.connect() as connection:
            second_pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert second_pid != first_pid
    finally:
        engine.dispose()


def test_a_live_idle_connection_is_kept(services):
    engine = _engine(services)
    try:
        pids = set()
        for _ in range(3):
            with engine.connect() as connection:
                pids.add(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
        assert len(pids) == 1
    finally:
        engine.dispose()
