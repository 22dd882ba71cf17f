"""Demo data for `flask seed-demo`. Each step is idempotent: a second run changes nothing."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from organizer.accounts.models import User
from organizer.accounts.passwords import hash_password
from organizer.db import utcnow
from organizer.extensions import db

DEMO_ORGANIZER_EMAIL = "organizer@example.org"


@dataclass(frozen=True)
class SeededAccount:
    user: User
    password: str | None  # only when it was created by this run


def seed_demo_organizer() -> SeededAccount:
    user = db.session.scalar(select(User).where(User.email == DEMO_ORGANIZER_EMAIL))
    if user is not None:
        return SeededAccount(user, None)
    password = secrets.token_urlsafe(12)
    user = User(
        email=DEMO_ORGANIZER_EMAIL,
        display_name="Demo Organizer",
        password_hash=hash_password(password),
        email_verified_at=utcnow(),
        locale="en",
    )
    db.session.add(user)
    db.session.flush()
    return SeededAccount(user, password)
