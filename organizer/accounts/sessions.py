"""Flask-Login wiring, with sessions kept on the server so that logging out ends them.

The signed cookie names the user, the session version it was made for (bumped by a new
password or "log out everywhere") and the random key of a :class:`LoginSession` row. Logout
revokes the row, so a copied cookie, or the remember-me cookie that carries the same id, is
refused afterwards. A session also ends after ``SESSION_LIFETIME_DAYS`` whatever happens,
and after ``SESSION_IDLE_MINUTES`` without a request.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from flask import Flask, current_app, g, session
from flask.wrappers import Response
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from organizer.accounts.models import LoginSession, User
from organizer.db import utcnow
from organizer.extensions import db, login_manager

log = logging.getLogger(__name__)
# How stale last_seen_at may get: at most one write a minute per session, not one per hit.
TOUCH_INTERVAL = timedelta(minutes=1)
_ID_KEY = "_user_id"  # Flask-Login's key in the session, also what its remember cookie holds
_PENDING_KEY = "second_factor"
# Time to fetch the phone and type the code after the password; then the password again.
PENDING_SECONDS = 300


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    app.config.setdefault(
        "REMEMBER_COOKIE_DURATION", timedelta(days=app.config["SESSION_LIFETIME_DAYS"])
    )
    app.after_request(_save_touch)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(user: User, remember: bool = False) -> None:
    """Log ``user`` in on this browser, with a session of its own on the server."""
    key = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, key_hash=_hash(key)))
    db.session.flush()
    login_user(user, remember=remember)
    session[_ID_KEY] = f"{user.get_id()}:{key}"


def begin_second_step(user: User, next_path: str | None) -> None:
    """Remember, in a fresh cookie session, who passed the password and awaits the code.

    Nobody is logged in yet: no LoginSession row exists until :func:`start_session`."""
    session.clear()
    session[_PENDING_KEY] = {
        "user": user.id,
        "version": user.session_version,
        "at": utcnow().timestamp(),
        "next": next_path,
    }


def pending_user() -> User | None:
    """Who passed the password on this browser in the last few minutes, awaiting a code."""
    pending = session.get(_PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if utcnow().timestamp() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user = db.session.get(User, int(pending.get("user", 0)))
    if user is None or user.session_version != pending.get("version"):
        return None
    return user


def has_pending() -> bool:
    """Whether this browser passed a password for the code step, however long ago."""
    return _PENDING_KEY in session


def pending_next() -> str | None:
    pending = session.get(_PENDING_KEY)
    return pending.get("next") if isinstance(pending, dict) else None


def end_session() -> None:
    """Log this browser out, and revoke its session so that no copy of the cookie works."""
    # Asking who is logged in runs load_user, which finds this browser's session row.
    current_user.is_authenticated  # noqa: B018
    session_id = g.pop("login_session_id", None)
    if session_id is not None:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.id == session_id, LoginSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        log.info("logged out", extra={"login_session": session_id})
    logout_user()
    session.clear()


def end_every_session(user: User) -> None:
    """Log ``user`` out of every browser, this one included."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    user.session_version += 1
    log.info("logged out everywhere", extra={"user_id": user.id})
    logout_user()
    session.clear()


def load_user(session_id: str) -> User | None:
    user_id, version, key = [*session_id.split(":"), "", ""][:3]
    if not user_id.isdigit() or not version.isdigit() or not key:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    record = db.session.scalar(
        select(LoginSession).where(
            LoginSession.key_hash == _hash(key), LoginSession.user_id == user.id
        )
    )
    now = utcnow()
    if record is None or not _alive(record, now):
        return None
    if now - record.last_seen_at >= TOUCH_INTERVAL:
        record.last_seen_at = now
        g.login_session_touched = True
    g.login_session_id = record.id
    return user


def _alive(record: LoginSession, now: datetime) -> bool:
    config = current_app.config
    if record.revoked_at is not None:
        return False
    if now - record.created_at >= timedelta(days=config["SESSION_LIFETIME_DAYS"]):
        return False
    return now - record.last_seen_at < timedelta(minutes=config["SESSION_IDLE_MINUTES"])


def _save_touch(response: Response) -> Response:
    # Views commit their own work; a page that only reads leaves the touch to commit here.
    if g.pop("login_session_touched", False):
        try:
            db.session.commit()
        except SQLAlchemyError:
            # A missed touch only shortens the idle timeout; the page itself was served.
            db.session.rollback()
            log.warning("could not record a session's last request", exc_info=True)
    return response
