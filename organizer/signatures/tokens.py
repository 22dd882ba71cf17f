"""Links in signer emails.

- The confirmation token is 32 random bytes, stored as its sha256, single-use, and valid for
  SIGNATURE_TOKEN_MAX_AGE_DAYS (DESIGN.md decision 4).
- The manage and one-click unsubscribe links carry a signed, timeless token naming the
  signature and a fingerprint of its canonical email: no table, and they stop working once
  the signer's data is anonymized.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from organizer.db import utcnow
from organizer.extensions import db
from organizer.signatures.models import Signature

MANAGE_SALT = "cahier.signature-manage"
UNSUBSCRIBE_SALT = "cahier.signature-unsubscribe"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_confirmation_token(signature: Signature) -> str:
    """Give the signature a fresh token; any earlier link stops working."""
    token, signature.token_hash, signature.token_expires_at = new_token()
    signature.token_used_at = None
    return token


def is_live(signature: Signature, now: datetime | None = None) -> bool:
    expires = signature.token_expires_at
    return expires is not None and expires > (now or utcnow())


def new_token() -> tuple[str, str, datetime]:
    """A fresh confirmation token: (the token for the link, its hash, when it expires)."""
    token = secrets.token_urlsafe(32)
    days = current_app.config["SIGNATURE_TOKEN_MAX_AGE_DAYS"]
    return token, hash_token(token), utcnow() + timedelta(days=days)


def _fingerprint(signature: Signature) -> str:
    return _fingerprint_of(signature.canonical_email)


def _fingerprint_of(canonical_email: str) -> str:
    return hashlib.sha256(canonical_email.encode()).hexdigest()[:16]


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def manage_token(signature: Signature) -> str:
    return manage_token_for(signature.id, signature.canonical_email)


def manage_token_for(signature_id: int, canonical_email: str) -> str:
    return str(_serializer(MANAGE_SALT).dumps([signature_id, _fingerprint_of(canonical_email)]))


def unsubscribe_token(signature: Signature) -> str:
    return str(_serializer(UNSUBSCRIBE_SALT).dumps([signature.id, _fingerprint(signature)]))


def _load(salt: str, token: str) -> Signature | None:
    try:
        data = _serializer(salt).loads(token)
    except BadSignature:
        return None
    if not (isinstance(data, list) and len(data) == 2 and isinstance(data[0], int)):
        return None
    signature = db.session.get(Signature, data[0])
    if signature is None or not secrets.compare_digest(_fingerprint(signature), str(data[1])):
        return None
    return signature


def signature_for_manage_token(token: str) -> Signature | None:
    return _load(MANAGE_SALT, token)


def signature_for_unsubscribe_token(token: str) -> Signature | None:
    return _load(UNSUBSCRIBE_SALT, token)
