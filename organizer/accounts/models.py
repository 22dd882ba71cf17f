"""People with an account: organizers, moderators, hosts, and signed-in supporters."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from organizer.db import Base, str_enum, utcnow


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    email_verified_at: Mapped[datetime | None]
    locale: Mapped[str] = mapped_column(String(8), default="en")
    # Bumped to end every other session, e.g. when the password changes.
    session_version: Mapped[int] = mapped_column(default=1)
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Two-factor login (organizer.accounts.twofactor): the TOTP secret, never shown again
    # after enrolment, and the last time step used, so that a seen code is not replayed.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None]
    two_factor_enabled_at: Mapped[datetime | None]

    # Flask-Login's interface, spelled out rather than inherited from UserMixin so that
    # get_id carries the session version.
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return True

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def has_two_factor(self) -> bool:
        return self.two_factor_enabled_at is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class NotificationKind(enum.StrEnum):
    """What a campaign's owners and organizers are emailed about (organizer.campaigns.notify)."""

    PLEDGE = "pledge"  # a pledge triggered or lapsed
    MILESTONE = "milestone"
    SCREENING = "screening"  # a screening awaits approval
    LETTER_RESPONSE = "letter_response"


class NotificationPreference(Base):
    """One person's choice for one kind. No row means on: nobody misses news by default."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[NotificationKind] = mapped_column(
        str_enum(NotificationKind, "notification_kind"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LoginSession(Base):
    """One logged-in browser. Its cookie carries a random key and this row its hash, so that
    logging out ends the session on the server and a copied cookie is refused after it."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Touched at most once a minute, for the idle timeout.
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class RecoveryCode(Base):
    """A one-time code to log in without the authenticator app; only its hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None]
