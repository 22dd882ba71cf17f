"""A first signature, on the hot path: one INSERT for the signature, one for its consents
(when a box was ticked), one for its email.

In a spike almost every POST is a new address. Rather than look the address up, build ORM
objects and flush them, the signature is inserted with ``ON CONFLICT DO NOTHING``. When the
address has signed before nothing is written, and what signing again means (a re-sent link,
an "already signed" note) is left to a worker
(:mod:`organizer.signatures.sign_again`): done here, it made the answer to an
address on file twice as slow as to a new one, which told a stranger who has signed.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Executable, Table, bindparam, insert
from sqlalchemy.dialects import postgresql, sqlite

from organizer.db import utcnow
from organizer.extensions import db
from organizer.mail.services import queue_email_id
from organizer.signatures import confirm_mail, sign_again
from organizer.signatures.consents import consent_rows
from organizer.signatures.mailing import manage_url_for
from organizer.signatures.models import Signature, SignatureConsent
from organizer.signatures.signing import Outcome, Screening, Signer, screen, signer_columns
from organizer.signatures.target import SignTarget
from organizer.signatures.tokens import new_token
from organizer.urls import external_url


def sign(target: SignTarget, signer: Signer, screening: Screening | None = None) -> Outcome:
    """Sign from the public form: two INSERTs for a new address; for one that signed before,
    the INSERT that wrote nothing and a task for a worker. The abuse checks run once, in the
    request, whichever path it takes (the caller may have run them already, to ask for a
    challenge)."""
    if screening is None:
        screening = screen(target.campaign_id, signer)
    now = utcnow()
    outcome = sign_first(target, signer, screening, now)
    if outcome is not None:
        return outcome
    if screening.reason is not None:
        # Nothing is mailed for a suspect, on file or not: no task either.
        return Outcome.SUSPECT
    sign_again.defer(target.campaign_id, target.revision_id, signer, now)
    return Outcome.DEFERRED


def sign_first(
    target: SignTarget, signer: Signer, screening: Screening, now: datetime | None = None
) -> Outcome | None:
    """Outcome.CREATED or SUSPECT for a new address; None when it has signed before."""
    token, token_hash, expires = new_token() if screening.reason is None else (None, None, None)
    now = now or utcnow()
    signature_id = _insert_new(
        **signer_columns(signer),
        created_at=now,
        campaign_id=target.campaign_id,
        revision_id=target.revision_id,
        suspect=screening.reason is not None,
        suspect_reason=screening.reason,
        ip_hmac=screening.ip_key,
        token_hash=token_hash,
        token_expires_at=expires,
        confirmation_sends=0 if token is None else 1,
    )
    if signature_id is None:
        return None
    _insert_consents(consent_rows(signature_id, sorted(signer.consents), now, target.campaign_id))
    if token is None:
        # Nothing is mailed for a suspect: a flood must not become spam.
        return Outcome.SUSPECT
    _send_confirmation(target, signer, signature_id, token)
    return Outcome.CREATED


def _insert_new(**values: Any) -> int | None:
    statement = _insert_statement(db.session.get_bind().dialect.name, tuple(values))
    return db.session.execute(statement, values).scalar()


@lru_cache(maxsize=8)
def _insert_statement(dialect_name: str, columns: tuple[str, ...]) -> Executable:
    """Built once: constructing the statement and its cache key on every signature cost
    more than running it. Core still fills the columns' Python defaults (timestamps)."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    table = Signature.__table__
    return (
        dialect.insert(table)
        .values({name: bindparam(name) for name in columns})
        .on_conflict_do_nothing(index_elements=["campaign_id", "canonical_email"])
        .returning(table.c.id)
    )


def _insert_consents(rows: list[dict[str, Any]]) -> None:
    if rows:
        statement = _consents_statement(len(rows))
        db.session.execute(
            statement, {f"{k}_{i}": v for i, r in enumerate(rows) for k, v in r.items()}
        )


@lru_cache(maxsize=8)
def _consents_statement(count: int) -> Executable:
    """One multi-row INSERT per number of ticked boxes, built once like the signature's."""
    table = SignatureConsent.__table__
    assert isinstance(table, Table)
    columns = ("signature_id", "purpose", "text_version", "given_at", "withdrawn_at")
    rows: list[dict[str, Any]] = [{c: bindparam(f"{c}_{i}") for c in columns} for i in range(count)]
    return insert(table).values(rows)


def _send_confirmation(target: SignTarget, signer: Signer, signature_id: int, token: str) -> None:
    confirm_url = external_url("signatures.confirm", token=token)
    manage_url = manage_url_for(signature_id, signer.address.canonical)
    queue_email_id(
        to=signer.address.email,
        template=confirm_mail.TEMPLATE,
        locale=signer.locale,
        rendered=confirm_mail.confirmation_email(
            target, signer.locale, signer.name, confirm_url, manage_url
        ),
        related=("signature", signature_id),
    )
