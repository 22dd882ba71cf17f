"""What an erasure leaves behind so that a returning person is not counted twice.

The erased supporter's canonical email survives only as a keyed HMAC: in ErasedSupporter,
and in place of the canonical email on their counted signatures. When the same person signs
the same campaign again, their new signature takes the erased one's place in the count.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from sqlalchemy import exists, select

from organizer.extensions import db
from organizer.signatures.models import Signature, SignatureStatus
from organizer.supporters.models import ErasedSupporter

MARK = "erased:"


def email_hmac(canonical: str) -> str:
    """Keyed with the app secret (as client IPs are): without the key, nobody can check a
    list of addresses against the erased ones."""
    key = "erased-supporter:" + current_app.config["SECRET_KEY"]
    return hmac.new(key.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def counted_mark(canonical: str) -> str:
    """What a counted erased signature holds instead of its canonical email."""
    return MARK + email_hmac(canonical)


def was_erased(group_id: int, canonical: str) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    ErasedSupporter.group_id == group_id,
                    ErasedSupporter.email_hmac == email_hmac(canonical),
                )
            )
        )
    )


def erased_twin(signature: Signature, group_id: int) -> Signature | None:
    """The counted, erased signature the same person left on this campaign, if any."""
    if signature.canonical_email.startswith(MARK) or not was_erased(
        group_id, signature.canonical_email
    ):
        return None
    return db.session.scalar(
        select(Signature).where(
            Signature.campaign_id == signature.campaign_id,
            Signature.canonical_email == counted_mark(signature.canonical_email),
            Signature.status == SignatureStatus.CONFIRMED,
            Signature.id != signature.id,
        )
    )


def retired_mark(signature_id: int) -> str:
    """A tombstone for an erased signature that does not count (or no longer does)."""
    return f"{MARK}#{signature_id}"
