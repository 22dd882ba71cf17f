"""Write and read the audit log. Every domain records its organizer and moderator actions here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from organizer.accounts.models import User
from organizer.audit.models import AuditLog
from organizer.extensions import db


def record(
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | None,
    details: dict[str, Any] | None = None,
) -> AuditLog:
    """Add an entry in the caller's transaction: it stands or falls with the action itself."""
    entry = AuditLog(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details or {},
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
