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
from organizer.supporters import erase as erasing
from organizer.supporters.models import Supporter, SupporterStatus
from organizer.supporters.services import export_data
from organizer.supporters.status import change_status, supporter_for
from organizer.supporters.tombstones import MARK

# What the signer's own choices on the manage page are recorded as, in the consent history.
MANAGE = "manage"


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


def supporter_of(signature: Signature) -> Supporter | None:
    """The group's supporter this signer is, through this signature or another action."""
    group_id = signature.campaign.group_id
    if signature.supporter_id is not None:
        supporter = db.session.get(Supporter, signature.supporter_id)
        # A campaign moved to another group leaves its consents with the old group.
        if supporter is not None and supporter.group_id == group_id:
            return supporter
    if signature.canonical_email.startswith(MARK):
        return None
    return supporter_for(group_id, signature.canonical_email)


def group_data(signature: Signature) -> dict[str, Any] | None:
    """Everything the campaign's group holds about the signer, when they are a supporter."""
    supporter = supporter_of(signature)
    if supporter is None or supporter.erased_at is not None:
        return None
    return export_data(supporter)


def _group_updates(signature: Signature, wanted: bool, through: str = MANAGE) -> bool:
    """The signer's choice on this campaign's page is their choice for its whole group."""
    supporter = supporter_of(signature)
    if supporter is None or supporter.erased_at is not None:
        return False
    status = SupporterStatus.SUBSCRIBED if wanted else SupporterStatus.UNSUBSCRIBED
    if wanted and supporter.status != SupporterStatus.UNSUBSCRIBED:
        # Bouncing or complained: only the mail system's evidence may lift that.
        return False
    return change_status(
        supporter,
        status,
        source_type=through,
        source_id=signature.id,
        text_version=consents.text_version(Purpose.UPDATES) if wanted else None,
    )


def stop_updates(signature: Signature, through: str = MANAGE) -> bool:
    """No more updates from the campaign's group (the signature's consent and the group's
    list alike); False when there were none to stop."""
    withdrawn = consents.withdraw(signature, Purpose.UPDATES)
    unsubscribed = _group_updates(signature, wanted=False, through=through)
    if not (withdrawn or unsubscribed):
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
    if Purpose.UPDATES in before ^ wanted:
        _group_updates(signature, wanted=Purpose.UPDATES in wanted)
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


def erase(signature: Signature) -> erasing.Erasure:
    """The signer erases what the campaign's group holds about them."""
    return erasing.erase_address(signature.campaign.group_id, signature.canonical_email, None)
