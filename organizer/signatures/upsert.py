"""INSERT … ON CONFLICT for PostgreSQL and SQLite, the two databases Cahier runs on."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from organizer.extensions import db


def insert_for(model: type[Any]) -> Any:
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model)


def add_to_counters(model: type[Any], keys: list[str], rows: list[dict[str, Any]]) -> None:
    """Create missing counter rows and add each row's ``confirmed`` to the stored one."""
    if not rows:
        return
    statement = insert_for(model).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={"confirmed": model.confirmed + statement.excluded.confirmed},
    )
    db.session.execute(statement)


def ensure_row(model: type[Any], keys: list[str], values: dict[str, Any]) -> None:
    db.session.execute(insert_for(model).values(values).on_conflict_do_nothing(index_elements=keys))
