"""The secret address of a host's calendar feed. It is signed, and it names the host's
current key: rotating the key retires every address handed out before."""

from __future__ import annotations

import hmac
import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from organizer.accounts.models import User
from organizer.db import utcnow
from organizer.events.models import HostFeedKey
from organizer.extensions import db

FEED_SALT = "cahier.host-feed"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=FEED_SALT)


def _secret(user_id: int) -> str:
    # No key yet: the addresses given before keys existed keep working until a rotation.
    key = db.session.get(HostFeedKey, user_id)
    return key.secret if key is not None else ""


def host_feed_token(user: User) -> str:
    payload: dict[str, object] = {"u": user.id}
    secret = _secret(user.id)
    if secret:
        payload["k"] = secret
    return str(_serializer().dumps(payload))


def user_for_feed_token(token: str) -> User | None:
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    if not hmac.compare_digest(str(data.get("k", "")), _secret(data["u"])):
        return None
    return db.session.get(User, data["u"])


def rotate(user: User) -> None:
    key = db.session.get(HostFeedKey, user.id)
    if key is None:
        key = HostFeedKey(user_id=user.id)
        db.session.add(key)
    key.secret = secrets.token_hex(16)
    key.rotated_at = utcnow()
    db.session.flush()
