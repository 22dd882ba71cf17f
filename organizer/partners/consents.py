"""A confirmed signature joins the supporter list of each partner its signer asked to keep
them informed (DESIGN.md decision 13), in the confirmation's own transaction.

The consent is the signature's ``partner:<id>`` row, with its wording version. It stands
after the partner leaves the coalition: leaving ends the partnership, not the consent.
"""

from __future__ import annotations

from sqlalchemy import select

from organizer.extensions import db
from organizer.partners.models import Partner
from organizer.signatures.consents import is_partner_purpose, partner_id
from organizer.signatures.models import Signature, SignatureConsent
from organizer.supporters.models import Supporter
from organizer.supporters.services import SIGNATURE, record_action


def _standing_partner_consents(signature: Signature) -> dict[int, str]:
    rows = db.session.execute(
        select(SignatureConsent.purpose, SignatureConsent.text_version).where(
            SignatureConsent.signature_id == signature.id,
            SignatureConsent.purpose.startswith("partner:"),
            SignatureConsent.withdrawn_at.is_(None),
        )
    )
    found: dict[int, str] = {}
    for purpose, version in rows:
        id_ = partner_id(purpose) if is_partner_purpose(purpose) else None
        if id_ is not None:
            found[id_] = version
    return found


def signature_confirmed(signature: Signature) -> list[Supporter]:
    """The signer, subscribed with the consent's wording, in each consented partner's list."""
    versions = _standing_partner_consents(signature)
    if not versions:
        return []
    partners = db.session.execute(
        select(Partner.id, Partner.group_id)
        .where(Partner.id.in_(versions), Partner.campaign_id == signature.campaign_id)
        .order_by(Partner.id)
    )
    return [
        record_action(
            group_id=group_id,
            email=signature.email,
            canonical_email=signature.canonical_email,
            name=signature.name,
            country=signature.country,
            postal_code=signature.postal_code,
            language=signature.locale,
            source_type=SIGNATURE,
            source_id=signature.id,
            updates=True,
            text_version=versions[id_],
            at=signature.confirmed_at,
        )
        for id_, group_id in partners
    ]
