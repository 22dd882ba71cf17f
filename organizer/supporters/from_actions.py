"""The confirmed actions of other domains, read as supporter actions.

Signatures (and the commitments they confirm) and RSVPs call in here when they are
confirmed, in their own transaction. An action carries the updates consent only when its
form asked for it then: a signature's box, ticked when signing. A commitment or an RSVP
carries none, so it leaves the supporter's status as it is.
"""

from __future__ import annotations

from sqlalchemy import select, update

from organizer.campaigns.models import Campaign
from organizer.events.models import RSVP
from organizer.extensions import db
from organizer.mail import suppression
from organizer.mail.models import SuppressionReason
from organizer.signatures.canonical import canonical_email
from organizer.signatures.consents import Purpose
from organizer.signatures.models import Commitment, CommitmentStatus, Signature, SignatureConsent
from organizer.supporters.models import Supporter
from organizer.supporters.services import COMMITMENT, SIGNATURE, record_action
from organizer.supporters.services import RSVP as RSVP_SOURCE


def _group_id(campaign_id: int) -> int:
    # A confirmation has the campaign in the session already: then this runs no query.
    campaign = db.session.get(Campaign, campaign_id)
    assert campaign is not None
    return campaign.group_id


def _updates_version(signature: Signature) -> str | None:
    """The wording of the standing updates consent, or None when there is none."""
    return db.session.scalar(
        select(SignatureConsent.text_version).where(
            SignatureConsent.signature_id == signature.id,
            SignatureConsent.purpose == str(Purpose.UPDATES),
            SignatureConsent.withdrawn_at.is_(None),
        )
    )


def _from_signature(
    signature: Signature, source_type: str, source_id: int, with_consent: bool
) -> Supporter:
    version = _updates_version(signature) if with_consent else None
    return record_action(
        group_id=_group_id(signature.campaign_id),
        email=signature.email,
        canonical_email=signature.canonical_email,
        name=signature.name,
        country=signature.country,
        postal_code=signature.postal_code,
        language=signature.locale,
        source_type=source_type,
        source_id=source_id,
        updates=True if version else None,
        text_version=version,
        at=signature.confirmed_at,
    )


def signature_confirmed(signature: Signature) -> Supporter:
    """A counted signature: its signer is the group's supporter, with the consent they gave
    when signing; its confirmed commitments belong to the same supporter."""
    supporter = _from_signature(signature, SIGNATURE, signature.id, with_consent=True)
    signature.supporter_id = supporter.id
    if supporter.suppressed:
        _mailbox_answers(supporter)
    _link_commitments(signature, supporter)
    return supporter


# What only said that the mailbox did not take mail. A complaint (the person's word about
# this group's mail) and an operator's entry stay until they are taken off by hand.
_MAILBOX_REASONS = (SuppressionReason.HARD_BOUNCE, SuppressionReason.SOFT_BOUNCES)


def _mailbox_answers(supporter: Supporter) -> None:
    """A signer confirmed through the link mailed to the address: that mail arrived, so the
    bounces that suppressed it no longer hold. Whether mail goes to them is still their
    status's to say (their consent), here and in each group."""
    assert supporter.email is not None
    suppression.lift(supporter.email, group_id=None, reasons=_MAILBOX_REASONS)
    suppression.lift(supporter.email, group_id=supporter.group_id, reasons=_MAILBOX_REASONS)


def commitments_confirmed(signature: Signature) -> Supporter | None:
    """A signer already counted confirms new commitments: an action, but no new consent."""
    first = db.session.scalar(
        select(Commitment.id)
        .where(
            Commitment.signature_id == signature.id,
            Commitment.status == CommitmentStatus.CONFIRMED,
            Commitment.supporter_id.is_(None),
        )
        .order_by(Commitment.id)
    )
    if first is None:
        return None
    supporter = _from_signature(signature, COMMITMENT, first, with_consent=False)
    signature.supporter_id = signature.supporter_id or supporter.id
    _link_commitments(signature, supporter)
    return supporter


def _link_commitments(signature: Signature, supporter: Supporter) -> None:
    db.session.execute(
        update(Commitment)
        .where(
            Commitment.signature_id == signature.id,
            Commitment.status == CommitmentStatus.CONFIRMED,
            Commitment.supporter_id.is_(None),
        )
        .values(supporter_id=supporter.id)
        .execution_options(synchronize_session="fetch")
    )


def rsvp_confirmed(guest: RSVP) -> Supporter | None:
    """A guest who confirmed their own RSVP; one the host added gave no consent at all."""
    if guest.added_by_host:
        return None
    campaign_id = guest.event.campaign_id
    supporter = record_action(
        group_id=_group_id(campaign_id),
        email=guest.email,
        canonical_email=canonical_email(guest.email),
        name=guest.name,
        country=None,
        postal_code=None,
        language=guest.locale,
        source_type=RSVP_SOURCE,
        source_id=guest.id,
        updates=None,
        text_version=None,
        at=guest.confirmed_at,
    )
    guest.supporter_id = supporter.id
    return supporter
