"""The suppression list: addresses no non-transactional mail goes to (DESIGN.md, Suppression).

A row with no group applies to every group (a mailbox that does not exist); a row with a
group applies to that group's mail only (a complaint about that group's mailing).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from organizer.extensions import db
from organizer.mail.models import Suppression, SuppressionReason


def normalized(address: str) -> str:
    return address.strip().lower()


def suppress(
    address: str, reason: SuppressionReason, *, group_id: int | None = None, detail: str = ""
) -> None:
    """Add the address (idempotent: a second report of the same kind changes nothing)."""
    email = normalized(address)
    if is_suppressed(email, group_id if group_id is not None else None, exact=True):
        return
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(Suppression)
        .values(email=email, group_id=group_id, reason=reason, detail=detail or None)
        .on_conflict_do_nothing()
    )


def applies(email_column: ColumnElement[str] | str, group_id: int) -> ColumnElement[bool]:
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
