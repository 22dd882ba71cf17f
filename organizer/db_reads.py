"""Requests that only read, outside a transaction.

psycopg opens a transaction with its own ``BEGIN`` round trip before the first statement,
and the session's close sends ``ROLLBACK``: two of the three round trips of a request that
runs one query (count.json, an API page). In autocommit, neither is sent. Each statement
still sees the rows committed before it started, as it does in a transaction at
PostgreSQL's default isolation (READ COMMITTED); only a request that writes needs more.
"""

from __future__ import annotations

from sqlalchemy import Engine

from organizer.extensions import db


def read_outside_a_transaction() -> None:
    """Call before the request's first statement; later statements of the request share
    the connection. A write in the same request commits on its own."""
    if db.session().in_transaction():
        return
    bind = db.session.get_bind()
    # A session bound to a connection joins that connection's transaction (the tests'
    # savepoints), whose isolation cannot change; SQLite gains nothing.
    if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
