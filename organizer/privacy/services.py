"""Signer self-service (GDPR): see what is stored, correct it, take it away, download it,
change what they consent to.

The signer proves who they are with the signed link every email to them carries; no account
and no session are involved.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from organizer.audit.services import record
from organizer.extensions import db
from organizer.signatures import confirmation, consents, corrections
from organizer.signatures.consents import Purpose
from organizer.signatures.models import Commitment, Pledge, Signature, SignatureConsent


def stored_data(signature: Signature) -> dict[str, Any]:
    """Everything Cahier keeps about this signature, as the signer may download it."""
    commitments = db.session.execute(
        select(Pledge.text, Commitment.status, Commitment.created_at)
        .join(Pledge, Pledge.id == Commitment.pledge_id)
        .where(Commitment.signature_id == signature.id)
        .order_by(Commitment.id)
    )
    revision = signature.revision
    return {
        "campaign": {"slug": signature.campaign.slug, "title": signature.campaign.title},
        "signed_text": {"revision": revision.number, "sha256": revision.content_hash},
        "name": signature.name,
        "email": signature.email,
        "country": signature.country,
        "postal_code": signature.postal_code,
        "language": signature.locale,
        "consents": _consents(signature),
        "status": signature.status.value,
        "signed_at": signature.created_at.isoformat(),
        "confirmed_at": _iso(signature.confirmed_at),
        "withdrawn_at": _iso(signature.withdrawn_at),
        "ip_address": "kept only as a keyed hash, deleted 30 days after signing"
        if signature.ip_hmac
        else None,
        "pledges": [
            {"pledge": text, "status": status.value, "committed_at": at.isoformat()}
            for text, status, at in commitments
        ],
    }


def _consents(signature: Signature) -> dict[str, dict[str, Any]]:
    """Each purpose, given or not, with the wording's version and when it was given or
    withdrawn (the history a signer may ask for, not only the current state)."""
    rows = {
        row.purpose: row
        for row in db.session.scalars(
            select(SignatureConsent).where(SignatureConsent.signature_id == signature.id)
        )
    }
    purposes = [*Purpose, *sorted(set(rows) - set(Purpose))]
    result = {}
    for purpose in purposes:
        row = rows.get(purpose)
        result[str(purpose)] = {
            "given": row is not None and row.withdrawn_at is None,
            "text_version": row.text_version if row else None,
            "given_at": _iso(row.given_at) if row else None,
            "withdrawn_at": _iso(row.withdrawn_at) if row else None,
        }
    return result


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def withdraw(signature: Signature) -> bool:
    changed = confirmation.withdraw(signature)
    if changed:
        record(
            None,
            "signature.withdrawn_by_signer",
            "signature",
            signature.id,
            {"campaign": signature.campaign_id},
        )
    return changed


def stop_updates(signature: Signature) -> bool:
    if not consents.withdraw(signature, Purpose.UPDATES):
        return False
    record(
        None,
        "signature.updates_stopped",
        "signature",
        signature.id,
        {"campaign": signature.campaign_id},
    )
    return True


def change_consents(signature: Signature, wanted: frozenset[str]) -> bool:
    """The signer's new choices; withdrawn ones keep their row, re-granted ones the wording
    shown now. Returns whether anything changed, which is then audited."""
    before = consents.standing(signature) & set(Purpose)
    if before == wanted:
        return False
    consents.set_consents(signature, wanted)
    record(
        None,
        "signature.consents_changed",
        "signature",
        signature.id,
        {
            "campaign": signature.campaign_id,
            "granted": sorted(wanted - before),
            "withdrawn": sorted(before - wanted),
        },
    )
    return True


def correct_details(signature: Signature, details: corrections.Details) -> bool:
    """Name, country or postal code as the signer corrects them; audited by field name."""
    changed = corrections.correct(signature, details)
    if changed:
        record(
            None,
            "signature.details_corrected",
            "signature",
            signature.id,
            {"campaign": signature.campaign_id, "fields": changed},
        )
    return bool(changed)
