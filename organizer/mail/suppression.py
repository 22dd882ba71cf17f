"""The suppression list: addresses no non-transactional mail goes to (DESIGN.md, Suppression).

A row with no group applies to every group (a mailbox that does not exist); a row with a
group applies to that group's mail only (a complaint about that group's mailing).

Each supporter row carries the answer as ``Supporter.suppressed``, so that the audience
indexes leave suppressed people out and a count over a million supporters never probes the
list per row. This module keeps the flag true to the list: :func:`suppress` and :func:`lift`
set it on the rows of the address, and the mapper events at the bottom set it on a supporter
row whose address is written (a new supporter, a changed address, an erasure). Writers that
bypass the ORM's unit of work (bulk inserts) call :func:`refresh` on what they wrote.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    delete,
    event,
    func,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapper, QueryableAttribute

from organizer.extensions import db
from organizer.groups.models import Group
from organizer.mail.models import Suppression, SuppressionReason
from organizer.supporters.models import Supporter


def normalized(address: str) -> str:
    return address.strip().lower()


def suppress(
    address: str, reason: SuppressionReason, *, group_id: int | None = None, detail: str = ""
) -> None:
    """Add the address (idempotent: a second report of the same kind changes nothing)."""
    email = normalized(address)
    _lock(db.session.connection(), email)
    if is_suppressed(email, group_id if group_id is not None else None, exact=True):
        return
    insert = pg_insert if _dialect() == "postgresql" else sqlite_insert
    db.session.execute(
        insert(Suppression)
        .values(email=email, group_id=group_id, reason=reason, detail=detail or None)
        .on_conflict_do_nothing()
    )
    _set_flags(email, group_id)


def lift(
    address: str,
    *,
    group_id: int | None = None,
    reasons: Collection[SuppressionReason] | None = None,
) -> bool:
    """Take the address off the list for the group (or its every-group row when group_id
    is None), only where it was put for one of ``reasons`` when given; False when there was
    no such row. Another row may still apply: the flags are read again from what is left."""
    email = normalized(address)
    _lock(db.session.connection(), email)
    scope = Suppression.group_id.is_(None) if group_id is None else Suppression.group_id == group_id
    query = delete(Suppression).where(Suppression.email == email, scope)
    if reasons is not None:
        query = query.where(Suppression.reason.in_(list(reasons)))
    removed = db.session.execute(query)
    if not removed.rowcount:  # type: ignore[attr-defined]
        return False
    _set_flags(email, group_id)
    return True


def refresh(supporter_ids: Iterable[int]) -> None:
    """Set the flag of these supporters from the list (after a bulk insert)."""
    ids = list(supporter_ids)
    if ids:
        db.session.execute(
            update(Supporter)
            .where(Supporter.id.in_(ids))
            .values(suppressed=applies(func.lower(Supporter.email), Supporter.group_id))
            .execution_options(synchronize_session=False)
        )


def _set_flags(email: str, group_id: int | None) -> None:
    """The rows of the address, in the group or (a row for every group) in each group, get
    their flag from the list as it now is."""
    # One index descent per group on ix_supporter_group_email_lower, rather than a scan of
    # the whole supporter table for a row that applies to every group.
    groups = [group_id] if group_id is not None else list(db.session.scalars(select(Group.id)))
    if not groups:
        return
    db.session.execute(
        update(Supporter)
        .where(Supporter.group_id.in_(groups), func.lower(Supporter.email) == email)
        .values(suppressed=applies(func.lower(Supporter.email), Supporter.group_id))
        .execution_options(synchronize_session="fetch")
    )


def applies(
    email_column: ColumnElement[str] | str, group_id: QueryableAttribute[int] | int
) -> ColumnElement[bool]:
    """SQL: true when the address is suppressed for this group (or for every group)."""
    return (
        select(Suppression.id)
        .where(
            Suppression.email == email_column,
            or_(Suppression.group_id.is_(None), Suppression.group_id == group_id),
        )
        .exists()
    )


def is_suppressed(address: str, group_id: int | None, *, exact: bool = False) -> bool:
    """Whether mail to the address is suppressed for the group; ``exact`` asks about the
    group's own row only (or the global one when group_id is None)."""
    email = normalized(address)
    query = select(Suppression.id).where(Suppression.email == email)
    if exact:
        query = query.where(
            Suppression.group_id.is_(None) if group_id is None else Suppression.group_id == group_id
        )
    elif group_id is not None:
        query = query.where(or_(Suppression.group_id.is_(None), Suppression.group_id == group_id))
    else:
        query = query.where(Suppression.group_id.is_(None))
    return db.session.scalar(query.limit(1)) is not None


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _lock(connection: Connection, email: str) -> None:
    """Serialize, per address, adding to the list and writing a supporter's address: else a
    supporter inserted while a suppression of its address commits next to it would read the
    list before the suppression and be updated by it before it exists, and keep a false
    flag. Until the transaction ends; SQLite has one writer at a time already."""
    if connection.dialect.name != "postgresql":
        return
    digest = hashlib.blake2b(b"suppression:" + email.encode(), digest_size=8).digest()
    connection.execute(select(func.pg_advisory_xact_lock(int.from_bytes(digest, signed=True))))


def _flag(connection: Connection, target: Supporter) -> None:
    if target.email is None:
        target.suppressed = False
        return
    email = normalized(target.email)
    _lock(connection, email)
    target.suppressed = bool(connection.scalar(select(applies(email, target.group_id))))


def _flag_on_insert(_mapper: Mapper[Any], connection: Connection, target: Supporter) -> None:
    _flag(connection, target)


def _flag_on_update(_mapper: Mapper[Any], connection: Connection, target: Supporter) -> None:
    if inspect(target).attrs.email.history.added:
        _flag(connection, target)


event.listen(Supporter, "before_insert", _flag_on_insert)
event.listen(Supporter, "before_update", _flag_on_update)
