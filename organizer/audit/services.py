"""Write and read the audit log. Every domain records its organizer and moderator actions here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from organizer.accounts.models import User
from organizer.audit.models import AuditLog
from organizer.extensions import db

PAGE_SIZE = 50


def _campaign_of(object_type: str, object_id: int | None, details: dict[str, Any]) -> int | None:
    if object_type == "campaign":
        return object_id
    found = details.get("campaign_id", details.get("campaign"))
    return found if isinstance(found, int) else None


def record(
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | None,
    details: dict[str, Any] | None = None,
) -> AuditLog:
    """Add an entry in the caller's transaction: it stands or falls with the action itself."""
    details = details or {}
    entry = AuditLog(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        campaign_id=_campaign_of(object_type, object_id, details),
        details=details,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def entries_for(object_type: str, object_id: int, limit: int = 50) -> list[AuditLog]:
    return list(
        db.session.scalars(
            select(AuditLog)
            .where(AuditLog.object_type == object_type, AuditLog.object_id == object_id)
            .order_by(AuditLog.id.desc())
            .limit(limit)
        )
    )


def campaign_entries(campaign_id: int, page: int = 1) -> tuple[list[AuditLog], int]:
    """One page of everything done on a campaign, newest first, and the number of entries."""
    where = AuditLog.campaign_id == campaign_id
    total = int(db.session.scalar(select(func.count()).where(where)) or 0)
    entries = db.session.scalars(
        select(AuditLog)
        .where(where)
        .order_by(AuditLog.id.desc())
        .offset((max(page, 1) - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return list(entries), total
