"""A disconnect check on every pool checkout that costs no round trip.

SQLAlchemy's ``pool_pre_ping`` sends ``SELECT 1`` before each request's first query: on the
sign path that was one PostgreSQL round trip (and two context switches) of six. An idle
connection has nothing to read, unless the server has closed it (a restart, a failover, an
administrator's ``pg_terminate_backend``): then its socket is readable, with the server's
farewell message or the end of the stream. Seeing that, the checkout raises
``DisconnectionError`` and the pool replaces the connection before anyone uses it, as the
pre-ping would have. A silently dead network path is not seen this way; the first query
then fails, and SQLAlchemy discards the pool (the fault drill restarts PostgreSQL).
"""

from __future__ import annotations

import select
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.pool import Pool


@event.listens_for(Pool, "checkout")
def _discard_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:  # not psycopg (SQLite): nothing can close it under us
        return
    try:
        readable, _, _ = select.select([pgconn.socket], [], [], 0)
    except Exception as error:  # the connection is already closed
        raise exc.DisconnectionError(str(error)) from error
    if readable:
        raise exc.DisconnectionError("the server closed the connection")
