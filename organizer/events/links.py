"""A guest's manage link, which every email about their RSVP carries.

The token is an HMAC of a random per-RSVP salt and only its sha256 is stored: a copy of the
database opens no link, yet every email about an RSVP can carry the same working link.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app
from sqlalchemy import select

from organizer.events.models import RSVP
from organizer.events.tokens import hash_token
from organizer.extensions import db
from organizer.urls import external_url


def manage_token(rsvp: RSVP) -> str:
    if not rsvp.manage_salt:
        rsvp.manage_salt = secrets.token_hex(16)
    key = str(current_app.config["SECRET_KEY"]).encode()
    message = f"rsvp-manage:{rsvp.id}:{rsvp.manage_salt}".encode()
    token = hmac.new(key, message, hashlib.sha256).hexdigest()
    rsvp.manage_token_hash = hash_token(token)
    return token


def manage_url(rsvp: RSVP) -> str:
    return external_url("events.manage_rsvp", token=manage_token(rsvp))


def by_manage_token(token: str) -> RSVP | None:
    if not token or len(token) > 128:
        return None
    return db.session.scalar(select(RSVP).where(RSVP.manage_token_hash == hash_token(token)))
