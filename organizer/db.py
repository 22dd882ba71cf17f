"""The declarative base, shared column types, and the after-commit hook.

Services add and flush; the request (or the task base class) commits once. Work that must
only happen once data is durable, such as putting a task id on the queue, is registered
with :func:`after_commit` and runs after that single commit, or never if it rolls back.
"""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, DateTime, Enum, MetaData, String, cast, event, func
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, registry, scoped_session
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_public_id() -> str:
    """The UUID the API and public links show; integer ids never leave the database."""
    return str(uuid.uuid4())


def new_public_id_sql() -> ColumnElement[str]:
    """A fresh UUID per row inside one INSERT … SELECT, where the Python default would be
    evaluated once for the whole statement (SQLite gets the function in organizer.sqlite)."""
    return cast(func.gen_random_uuid(), String(36))


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on the way in and out, also on SQLite which keeps no offset."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(cls: type[enum.Enum], name: str) -> Enum:
    """A named database enum that stores the members' values ("queued"), not their names."""
    return Enum(cls, name=name, values_callable=lambda members: [m.value for m in members])


class Base(DeclarativeBase):
    # A registry of our own, because Flask-SQLAlchemy subclasses this base and SQLAlchemy
    # only accepts a type map given on the registry in that case.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


_HOOKS_KEY = "cahier_after_commit"


def after_commit(session: Session | scoped_session[Any], callback: Callable[[], Any]) -> None:
    """Run ``callback`` once the session's current transaction has committed."""
    target = session() if isinstance(session, scoped_session) else session
    if not target.in_transaction():
        # Bind the hook to a transaction now, so a rollback before any SQL discards it too.
        target.begin()
    target.info.setdefault(_HOOKS_KEY, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit_hooks(session: Session) -> None:
    callbacks = session.info.pop(_HOOKS_KEY, [])
    for callback in callbacks:
        try:
            callback()
        except Exception:
            # The data is committed; whatever a hook failed to do (usually an enqueue while
            # Redis is down), a sweeper redoes from the database.
            log.warning("after-commit hook %r failed", callback, exc_info=True)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit_hooks(session: Session, previous_transaction: Any) -> None:
    # A savepoint rolled back inside a larger transaction leaves the outer work, and its
    # hooks, standing; only the end of the whole transaction discards them.
    if not session.in_transaction():
        session.info.pop(_HOOKS_KEY, None)
