"""Every write through the API is in the audit log, under the token's label (the token is
the actor; no person is). Details hold ids and field names, never personal data."""

from __future__ import annotations

from typing import Any

from organizer.api.tokens import ActiveToken
from organizer.audit import services as audit
from organizer.audit.models import AuditLog


def record(
    token: ActiveToken, action: str, object_type: str, object_id: int | None, **details: Any
) -> AuditLog:
    return audit.record(
        None,
        action,
        object_type,
        object_id,
        {"token": token.label, "token_id": token.id, "group": token.group_id, **details},
    )
