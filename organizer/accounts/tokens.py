"""Signed, expiring tokens for email verification and password reset.

They need no table: a verification token names the address it verifies, and a reset token
names a fingerprint of the current password hash, so it stops working once used.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from organizer.accounts.models import User
from organizer.extensions import db

VERIFY_SALT = "cahier.verify-email"
RESET_SALT = "cahier.reset-password"


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def make_verify_token(user: User) -> str:
    return _serializer(VERIFY_SALT).dumps({"u": user.id, "e": user.email})


def make_reset_token(user: User) -> str:
    return _serializer(RESET_SALT).dumps({"u": user.id, "h": _fingerprint(user.password_hash)})


def _load(salt: str, token: str, max_age: int) -> dict[str, Any] | None:
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None


def user_for_verify_token(token: str) -> User | None:
    data = _load(VERIFY_SALT, token, current_app.config["EMAIL_TOKEN_MAX_AGE_SECONDS"])
    if data is None:
        return None
    user = db.session.get(User, data.get("u"))
    return user if user is not None and user.email == data.get("e") else None


def user_for_reset_token(token: str) -> User | None:
    data = _load(RESET_SALT, token, current_app.config["RESET_TOKEN_MAX_AGE_SECONDS"])
    if data is None:
        return None
    user = db.session.get(User, data.get("u"))
    if user is None or _fingerprint(user.password_hash) != data.get("h"):
        return None
    return user
