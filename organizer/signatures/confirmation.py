"""Confirming and withdrawing a signature: each a compare-and-set, each journaled once.

A state change that makes a signature start or stop counting is an UPDATE guarded by the
state it was read in; only the caller whose UPDATE matched writes the journal row, so a
double click, two tabs or a moderator acting at the same moment never count twice.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from organizer.api import webhooks
from organizer.api.models import WebhookEvent
from organizer.db import utcnow
from organizer.extensions import db
from organizer.partners import consents as partner_consents
from organizer.signatures import counting
from organizer.signatures.models import (
    Commitment,
    CommitmentStatus,
    Pledge,
    PledgeStatus,
    Signature,
    SignatureStatus,
)
from organizer.signatures.tokens import hash_token, is_live
from organizer.supporters import from_actions, tombstones


def _by_token(token: str) -> Signature | None:
    # Every page a token leads to shows the campaign, and confirming reads its group.
    return db.session.scalar(
        select(Signature)
        .options(joinedload(Signature.campaign))
        .where(Signature.token_hash == hash_token(token))
    )


def signature_for_token(token: str) -> Signature | None:
    """The signature a live confirmation link belongs to; None if unknown, used or expired."""
    signature = _by_token(token)
    if signature is None or signature.token_used_at is not None or not is_live(signature):
        return None
    if signature.status not in (SignatureStatus.PENDING, SignatureStatus.CONFIRMED):
        return None
    return signature


def already_confirmed_by(token: str) -> Signature | None:
    """The signature this link confirmed before, when it still stands confirmed."""
    signature = _by_token(token)
    if signature is None or signature.token_used_at is None:
        return None
    return signature if signature.status == SignatureStatus.CONFIRMED else None


def _guarded(signature: Signature, **values: Any) -> bool:
    """UPDATE the signature only if it is still as we read it."""
    # RETURNING reloads the row in the same statement, where a refresh was a second one.
    columns = _column_attributes()
    row = db.session.execute(
        update(Signature)
        .where(
            Signature.id == signature.id,
            Signature.status == signature.status,
            Signature.suspect == signature.suspect,
        )
        .values(updated_at=utcnow(), **values)
        .returning(*(getattr(Signature, key) for key in columns))
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        return False
    for key, value in zip(columns, row, strict=True):
        set_committed_value(signature, key, value)
    return True


@cache
def _column_attributes() -> tuple[str, ...]:
    return tuple(prop.key for prop in inspect(Signature).column_attrs)


def confirm(token: str) -> Signature | None:
    """Use a confirmation link: the signature (and its pending commitments) are confirmed."""
    signature = signature_for_token(token)
    if signature is None:
        return None
    now = utcnow()
    # The hash stays, marked used, so that a second click is answered "already confirmed".
    token_used = {"token_used_at": now}
    if signature.status == SignatureStatus.PENDING:
        values = {
            "status": SignatureStatus.CONFIRMED,
            "confirmed_at": now,
            "confirmed_day": now.date(),
            **token_used,
        }
        if not _guarded(signature, **values):
            return None
        _confirm_commitments(signature, now)
        if not signature.suspect:
            _start_counting(signature)
        return signature
    if not _guarded(signature, **token_used):
        return None
    _confirm_commitments(signature, now)
    if signature.is_counted:
        from_actions.commitments_confirmed(signature)
    return signature


def _start_counting(signature: Signature) -> None:
    """A confirmed signature counts from now, and its signer becomes the group's supporter.
    A person whose data was erased and who signs again takes their erased signature's place
    in the count, rather than counting twice."""
    counting.record_change(signature, +1)
    twin = tombstones.erased_twin(signature, signature.campaign.group_id)
    if twin is not None and _retire(twin, SignatureStatus.WITHDRAWN, withdrawn_at=utcnow()):
        twin.canonical_email = tombstones.retired_mark(twin.id)
    from_actions.signature_confirmed(signature)
    webhooks.signature_changed(signature, WebhookEvent.SIGNATURE_CONFIRMED)
    # And of each coalition partner whose line the signer ticked.
    partner_consents.signature_confirmed(signature)


def _confirm_commitments(signature: Signature, now: datetime) -> None:
    open_pledges = select(Pledge.id).where(Pledge.status == PledgeStatus.OPEN)
    db.session.execute(
        update(Commitment)
        .where(
            Commitment.signature_id == signature.id,
            Commitment.status == CommitmentStatus.PENDING,
            Commitment.pledge_id.in_(open_pledges),
        )
        .values(status=CommitmentStatus.CONFIRMED, confirmed_at=now)
        .execution_options(synchronize_session=False)
    )


def withdraw(signature: Signature) -> bool:
    """The signer takes their signature back; the count goes down if it counted."""
    counted = signature.is_counted
    if not _retire(signature, SignatureStatus.WITHDRAWN, withdrawn_at=utcnow()):
        return False
    if counted:
        # Webhooks heard of it only once it counted, so only then of its withdrawal.
        webhooks.signature_changed(signature, WebhookEvent.SIGNATURE_WITHDRAWN)
    return True


def release_commitments(signature_ids: list[int]) -> None:
    """Commitments to pledges still open stop counting with their signature."""
    open_pledges = select(Pledge.id).where(Pledge.status == PledgeStatus.OPEN)
    db.session.execute(
        update(Commitment)
        .where(
            Commitment.signature_id.in_(signature_ids),
            Commitment.status != CommitmentStatus.WITHDRAWN,
            Commitment.pledge_id.in_(open_pledges),
        )
        .values(status=CommitmentStatus.WITHDRAWN)
        .execution_options(synchronize_session=False)
    )


def clear_suspect(signature: Signature) -> bool:
    """A moderator vouches for a suspect: it counts if confirmed, else its link is sent."""
    from organizer.signatures.signing import send_confirmation

    if not signature.suspect or signature.status not in (
        SignatureStatus.PENDING,
        SignatureStatus.CONFIRMED,
    ):
        return False
    if not _guarded(signature, suspect=False, suspect_reason=None):
        return False
    if signature.status == SignatureStatus.CONFIRMED:
        _start_counting(signature)
    else:
        send_confirmation(signature)
    return True


def invalidate(signature: Signature) -> bool:
    """A moderator strikes the signature out; the count goes down if it counted."""
    return _retire(signature, SignatureStatus.INVALIDATED, invalidated_at=utcnow())


def _retire(signature: Signature, status: SignatureStatus, **stamp: Any) -> bool:
    """Take a pending or confirmed signature out for good, keeping the counts exact."""
    if signature.status not in (SignatureStatus.PENDING, SignatureStatus.CONFIRMED):
        return False
    counted = signature.is_counted
    if not _guarded(signature, status=status, token_hash=None, token_expires_at=None, **stamp):
        return False
    if counted:
        counting.record_change(signature, -1)
    release_commitments([signature.id])
    return True
