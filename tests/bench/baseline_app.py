"""The yardstick: the least a Flask POST that stores something can cost on this machine.

One endpoint inserts one row, with no validation, no session, no template, served by the
same gunicorn settings against the same PostgreSQL as Cahier. Not part of the product.
"""

from __future__ import annotations

import os
from functools import cache

from flask import Flask, request
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    func,
)

metadata = MetaData()
baseline_row = Table(
    "bench_baseline",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
)


@cache
def engine() -> Engine:
    # Made in each gunicorn worker on first use, so no connection crosses a fork.
    url = "postgresql+psycopg://" + os.environ["DATABASE_URL"].split("://", 1)[1]
    return create_engine(url)


app = Flask(__name__)


@app.get("/healthz")
def healthz() -> str:
    return "ok"


@app.post("/baseline")
def insert() -> tuple[str, int]:
    with engine().begin() as connection:
        connection.execute(baseline_row.insert().values(email=request.form.get("email", "")))
    return "stored\n", 201
