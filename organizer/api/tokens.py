"""API tokens: 32 random bytes shown once, kept as their SHA-256 only. A token of that
entropy needs no slow hash: guessing it is hopeless, and the lookup is one indexed read."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app
from sqlalchemy import JSON, Integer, String, select, text

from organizer.accounts.models import User
from organizer.api.models import ApiScope, ApiToken
from organizer.audit.services import record
from organizer.db import UTCDateTime, utcnow
from organizer.extensions import db
from organizer.groups.models import Group

# Tells a Cahier token apart in a secret scanner or a config file.
TOKEN_MARK = "cah_"  # noqa: S105  (a prefix, not a secret)
PREFIX_LENGTH = 10


class TokenError(ValueError):
    pass


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def normalize_scopes(scopes: Iterable[str]) -> list[str]:
    """The scopes in a stable order; ``write`` and ``import`` need ``read`` to see what they
    wrote, so ``read`` always comes with them."""
    wanted = {ApiScope(scope) for scope in scopes} | {ApiScope.READ}
    return [scope.value for scope in ApiScope if scope in wanted]


def create_token(
    group: Group, label: str, scopes: Iterable[str], created_by: User | None = None
) -> tuple[ApiToken, str]:
    label = label.strip()
    if not label:
        raise TokenError("A token needs a label.")
    plaintext = TOKEN_MARK + secrets.token_urlsafe(32)
    token = ApiToken(
        group_id=group.id,
        label=label[:80],
        scopes=normalize_scopes(scopes),
        token_hash=hash_token(plaintext),
        token_prefix=plaintext[:PREFIX_LENGTH],
        created_by_id=created_by.id if created_by is not None else None,
    )
    db.session.add(token)
    db.session.flush()
    record(created_by, "api.token_created", "group", group.id,
           {"label": token.label, "scopes": token.scopes})  # fmt: skip
    return token, plaintext


def revoke(token: ApiToken, by: User | None = None) -> bool:
    """False when it was already revoked."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    db.session.flush()
    forget_recent()
    record(by, "api.token_revoked", "group", token.group_id, {"label": token.label})
    return True


@dataclass(frozen=True)
class ActiveToken:
    """Who a request acts for: what the API needs of a token, read without the ORM."""

    id: int
    group_id: int
    label: str
    scopes: tuple[str, ...]
    last_used_at: datetime | None


# Every API request starts with this lookup: a textual statement on the session's connection
# costs a third of an ORM query of the entity (no identity map, no compile of a new select).
_ACTIVE = text(
    "SELECT id, group_id, label, scopes, last_used_at FROM api_token"
    " WHERE token_hash = :token_hash AND revoked_at IS NULL"
).columns(id=Integer, group_id=Integer, label=String, scopes=JSON,
          last_used_at=UTCDateTime())  # fmt: skip


# Tokens this process found, for API_TOKEN_CACHE_SECONDS: a pager's 4,000 requests in a
# row would otherwise read the same row 4,000 times. Revoking clears it in the process that
# revokes; the others stop accepting the token when their entry expires.
_recent: dict[str, tuple[float, ActiveToken]] = {}
MAX_RECENT = 256


def find_active(plaintext: str) -> ActiveToken | None:
    if not plaintext:
        return None
    key = hash_token(plaintext)
    hit = _recent.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    row = db.session.connection().execute(_ACTIVE, {"token_hash": key}).first()
    if row is None:
        _recent.pop(key, None)
        return None
    token = ActiveToken(row.id, row.group_id, row.label, tuple(row.scopes or ()),
                        row.last_used_at)  # fmt: skip
    _keep(key, token)
    return token


def _keep(key: str, token: ActiveToken) -> None:
    ttl = float(current_app.config["API_TOKEN_CACHE_SECONDS"])
    if ttl <= 0:
        return
    if len(_recent) >= MAX_RECENT:
        _recent.clear()
    _recent[key] = (time.monotonic() + ttl, token)


def used_at(plaintext: str, token: ActiveToken, moment: datetime) -> None:
    """What a remembered token's last use now is, so that it is not written again."""
    key = hash_token(plaintext)
    if key in _recent:
        _keep(key, replace(token, last_used_at=moment))


def forget_recent() -> None:
    _recent.clear()


def tokens_of(group: Group) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.group_id == group.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def token_of_group(group: Group, token_id: int) -> ApiToken | None:
    token = db.session.get(ApiToken, token_id)
    return token if token is not None and token.group_id == group.id else None
