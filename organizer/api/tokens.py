"""API tokens: 32 random bytes shown once, kept as their SHA-256 only. A token of that
entropy needs no slow hash: guessing it is hopeless, and the lookup is one indexed read."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from sqlalchemy import select

from organizer.accounts.models import User
from organizer.api.models import ApiScope, ApiToken
from organizer.audit.services import record
from organizer.db import utcnow
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
    record(by, "api.token_revoked", "group", token.group_id, {"label": token.label})
    return True


def find_active(plaintext: str) -> ApiToken | None:
    if not plaintext:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plaintext)))
    if token is None or token.revoked_at is not None:
        return None
    return token


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
