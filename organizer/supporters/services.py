"""A group's supporters, made and updated from confirmed actions (DESIGN.md decision 13).

Callers are the confirmations of signatures, commitments and RSVPs, and the CSV import: each
calls :func:`record_action` in its own transaction, so a supporter exists exactly when the
action that made them does. Erasing lives in :mod:`organizer.supporters.erase`, which reads
the other domains; this module stays light so that they can import it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from organizer.db import utcnow
from organizer.extensions import db
from organizer.groups.models import Group
from organizer.supporters.actions import actions_of
from organizer.supporters.models import ConsentEvent, Supporter, SupporterStatus
from organizer.supporters.status import change_status, supporter_for

# The source types of actions (ConsentEvent.source_type takes these and a few more).
SIGNATURE = "signature"
COMMITMENT = "commitment"
RSVP = "rsvp"
IMPORT = "import"


def record_action(
    *,
    group_id: int,
    email: str,
    canonical_email: str,
    name: str,
    country: str | None,
    postal_code: str | None,
    language: str,
    source_type: str,
    source_id: int,
    updates: bool | None,
    text_version: str | None,
    at: datetime | None = None,
) -> Supporter:
    """Make or update the group's supporter for this confirmed action, in the caller's
    transaction. ``updates=True`` subscribes (with a consent event), ``False`` unsubscribes,
    ``None`` (no updates consent given with this action) leaves the status as it is; a new
    supporter then comes in unsubscribed."""
    at = at or utcnow()
    supporter = _upsert(group_id, canonical_email, at)
    supporter.email = email
    supporter.name = name.strip()[:120] or supporter.name
    # A later action that did not ask for a field keeps what an earlier one gave.
    supporter.country = country or supporter.country
    supporter.postal_code = postal_code or supporter.postal_code
    supporter.language = language or supporter.language
    if supporter.last_action_at is None or supporter.last_action_at < at:
        supporter.last_action_at = at
    supporter.updated_at = utcnow()
    db.session.flush()
    if updates is not None:
        wanted = SupporterStatus.SUBSCRIBED if updates else SupporterStatus.UNSUBSCRIBED
        change_status(
            supporter,
            wanted,
            source_type=source_type,
            source_id=source_id,
            text_version=text_version,
        )
    return supporter


def _upsert(group_id: int, canonical_email: str, at: datetime) -> Supporter:
    """The row for (group, canonical email), inserted if missing. ``ON CONFLICT DO NOTHING``
    makes two confirmations of one person at the same moment share one row."""
    existing = supporter_for(group_id, canonical_email)
    if existing is not None:
        return existing
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    now = utcnow()
    db.session.execute(
        dialect.insert(Supporter)
        .values(
            group_id=group_id,
            canonical_email=canonical_email,
            status=SupporterStatus.UNSUBSCRIBED,
            # Joined with the action that made them, which may be earlier than now.
            created_at=min(at, now),
            updated_at=now,
            last_action_at=at,
        )
        .on_conflict_do_nothing(index_elements=["group_id", "canonical_email"])
    )
    supporter = supporter_for(group_id, canonical_email)
    assert supporter is not None
    return supporter


def unsubscribe(supporter: Supporter, *, source_type: str, source_id: int | None = None) -> bool:
    """The person asks for no more of the group's updates; False when already so."""
    return change_status(
        supporter, SupporterStatus.UNSUBSCRIBED, source_type=source_type, source_id=source_id
    )


def consent_history(supporter: Supporter) -> list[ConsentEvent]:
    return list(
        db.session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.supporter_id == supporter.id)
            .order_by(ConsentEvent.at, ConsentEvent.id)
        )
    )


def export_data(supporter: Supporter) -> dict[str, Any]:
    """Everything the group holds about this supporter, as they may download it."""
    group = db.session.get(Group, supporter.group_id)
    assert group is not None
    return {
        "group": {"slug": group.slug, "name": group.name},
        "supporter": {
            "id": supporter.public_id,
            "name": supporter.name,
            "email": supporter.email,
            "country": supporter.country,
            "postal_code": supporter.postal_code,
            "language": supporter.language,
            "email_status": supporter.status.value,
            "joined_at": supporter.created_at.isoformat(),
            "last_action_at": supporter.last_action_at.isoformat(),
            "erased_at": supporter.erased_at.isoformat() if supporter.erased_at else None,
        },
        "consent_history": [
            {
                "purpose": event.purpose,
                "granted": event.granted,
                "through": event.source_type,
                "text_version": event.text_version,
                "at": event.at.isoformat(),
            }
            for event in consent_history(supporter)
        ],
        "actions": [action.as_dict() for action in actions_of(supporter)],
    }
