"""Which campaign news each person wants by email: one switch per kind, on unless turned off."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select

from organizer.accounts.models import NotificationKind, NotificationPreference, User
from organizer.extensions import db


def preferences(user: User) -> dict[NotificationKind, bool]:
    rows = db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.enabled).where(
            NotificationPreference.user_id == user.id
        )
    )
    stored = {kind: enabled for kind, enabled in rows}
    return {kind: stored.get(kind, True) for kind in NotificationKind}


def set_preferences(user: User, choices: Mapping[NotificationKind, bool]) -> None:
    for kind, enabled in choices.items():
        row = db.session.get(NotificationPreference, (user.id, kind))
        if row is None:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, enabled=enabled))
        else:
            row.enabled = enabled
    db.session.flush()


def wanting(users: Iterable[User], kind: NotificationKind) -> list[User]:
    """The given people, less those who turned this kind off."""
    people = list(users)
    if not people:
        return []
    off = set(
        db.session.scalars(
            select(NotificationPreference.user_id).where(
                NotificationPreference.user_id.in_([u.id for u in people]),
                NotificationPreference.kind == kind,
                NotificationPreference.enabled.is_(False),
            )
        )
    )
    return [u for u in people if u.id not in off]
