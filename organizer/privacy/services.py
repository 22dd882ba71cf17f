"""Signer self-service (GDPR): see what is stored, take it away, download it, stop updates.

The signer proves who they are with the signed link every email to them carries; no account
and no session are involved.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from organizer.audit.services import record
from organizer.extensions import db
from organizer.signatures import confirmation
from organizer.signatures.models import Commitment, Pledge, Signature


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
        "consents": {
            "show_name": {"given": signature.show_name, "text_version": signature.show_name_text},
            "receive_updates": {
                "given": signature.receive_updates,
                "text_version": signature.receive_updates_text,
            },
        },
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
    if not signature.receive_updates:
        return False
    signature.receive_updates = False
    db.session.flush()
    record(
        None,
        "signature.updates_stopped",
        "signature",
        signature.id,
        {"campaign": signature.campaign_id},
    )
    return True
