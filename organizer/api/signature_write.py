"""The record signature helper and PUT on signatures.

A signature from a write token is an ordinary pending signature: the person is mailed the
confirmation link (double opt-in), exactly as from the sign form. An import token that
attests the signature was confirmed elsewhere, naming the consent text shown, has it
confirmed through the real confirmation path at once, so that the count, its journal and
the supporter it makes stay right.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from organizer.api import write_audit
from organizer.api.consent import Attestation, check_subscribe
from organizer.api.people_write import tag_by_names
from organizer.api.tokens import ActiveToken
from organizer.api.write_input import SUBSCRIBED, PersonInput, WriteError, merged_name
from organizer.campaigns.models import Campaign
from organizer.campaigns.revisions import published_revision
from organizer.extensions import db
from organizer.signatures import confirmation, signing
from organizer.signatures.consents import Purpose
from organizer.signatures.countries import UNKNOWN_COUNTRY
from organizer.signatures.models import Signature, SignatureConsent, SignatureStatus
from organizer.signatures.tokens import new_confirmation_token
from organizer.supporters.models import Supporter
from organizer.supporters.status import supporter_for

_STANDING = (SignatureStatus.PENDING, SignatureStatus.CONFIRMED)
# Trusted: a group's own token is not screened like an anonymous visitor.
UNSCREENED = signing.Screening(ip_key=None, reason=None)


@dataclass(frozen=True)
class Recorded:
    signature: Signature
    created: bool


def record(
    token: ActiveToken,
    campaign: Campaign,
    person: PersonInput,
    *,
    source: str | None,
    add_tags: list[str],
    attested: Attestation | None,
) -> Recorded:
    if person.address is None:
        raise WriteError(400, _l("A signature needs the person's email address."))
    check_subscribe(person.status, attested, invite=False)
    revision = published_revision(campaign)
    if revision is None or not signing.is_open(campaign):
        raise WriteError(409, _l("This petition does not take signatures now."))
    signer = signing.Signer(
        name=merged_name(person, ""), address=person.address,
        country=person.country or UNKNOWN_COUNTRY, postal_code=person.postal_code,
        locale=person.language or campaign.language, source=source,
    )  # fmt: skip
    existing = _existing(campaign, person)
    if existing is not None and existing.status not in _STANDING:
        # Withdrawn by the person or struck out by a moderator: a client does not undo that.
        raise WriteError(409, _l("This person's signature was withdrawn or invalidated; "
                                 "only they can sign again."))  # fmt: skip
    if attested is not None:
        signature, created = _confirmed_elsewhere(campaign, revision.id, signer, existing,
                                                  attested, person.status)  # fmt: skip
    elif existing is not None and existing.status == SignatureStatus.CONFIRMED:
        # Already counted: a client syncing its list again mails nobody.
        signature, created = existing, False
    else:
        outcome, signature = signing.sign(campaign, revision, signer, screening=UNSCREENED)
        created = outcome == signing.Outcome.CREATED
    details: dict[str, object] = {"campaign": campaign.id, "signature": signature.id,
                                  "confirmed_elsewhere": attested is not None}  # fmt: skip
    if attested is not None:
        details.update(attested.details())
    write_audit.record(token, "api.signature_recorded", "signature", signature.id, **details)
    _tag(signature, add_tags)
    db.session.flush()
    return Recorded(signature, created)


def _existing(campaign: Campaign, person: PersonInput) -> Signature | None:
    assert person.address is not None
    return db.session.scalar(
        select(Signature).where(
            Signature.campaign_id == campaign.id,
            Signature.canonical_email == person.address.canonical,
        )
    )


def _confirmed_elsewhere(
    campaign: Campaign,
    revision_id: int,
    signer: signing.Signer,
    existing: Signature | None,
    attested: Attestation,
    status: str | None,
) -> tuple[Signature, bool]:
    signature = existing or _new_unmailed(campaign, revision_id, signer)
    if status == SUBSCRIBED:
        _attest_updates(signature, attested)
    pending = signature.status == SignatureStatus.PENDING
    if pending and confirmation.confirm(new_confirmation_token(signature)) is None:
        raise WriteError(409, _l("The signature changed at the same moment; try again."))
    return signature, existing is None


def _new_unmailed(campaign: Campaign, revision_id: int, signer: signing.Signer) -> Signature:
    """A pending signature like the form's, without its email: it is confirmed next."""
    signature = Signature(campaign_id=campaign.id, revision_id=revision_id, confirmation_sends=0,
                          **signing.signer_columns(signer))  # fmt: skip
    db.session.add(signature)
    db.session.flush()
    return signature


def _attest_updates(signature: Signature, attested: Attestation) -> None:
    """The updates consent, with the attested wording's version: confirming the signature
    then subscribes its signer, recorded in their consent history."""
    row = db.session.scalar(
        select(SignatureConsent).where(
            SignatureConsent.signature_id == signature.id,
            SignatureConsent.purpose == str(Purpose.UPDATES),
        )
    )
    if row is None:
        row = SignatureConsent(signature_id=signature.id, purpose=str(Purpose.UPDATES))
        db.session.add(row)
    row.text_version = attested.version
    row.given_at = attested.agreed_at or row.given_at
    row.withdrawn_at = None
    db.session.flush()


def _tag(signature: Signature, add_tags: list[str]) -> None:
    """Tags go on the group's supporter; a pending signature has none yet (a pending
    signature is nobody's consent), unless the person already is one."""
    if not add_tags:
        return
    supporter: Supporter | None = None
    if signature.supporter_id is not None:
        supporter = db.session.get(Supporter, signature.supporter_id)
    else:
        supporter = supporter_for(signature.campaign.group_id, signature.canonical_email)
    if supporter is not None and supporter.erased_at is None:
        tag_by_names(supporter, add_tags)


def refuse_comments() -> None:
    raise WriteError(422, _l("Cahier keeps no comments on signatures: a free text about a "
                             "person would escape the erasure and retention rules."))  # fmt: skip


def update(token: ActiveToken, signature: Signature, *, source: str | None,
           comments: str | None) -> Signature:  # fmt: skip
    if comments and comments.strip():
        refuse_comments()
    changed = []
    if source is not None and source != signature.source:
        signature.source = source
        changed.append("source")
    write_audit.record(token, "api.signature_updated", "signature", signature.id,
                       campaign=signature.campaign_id, fields=changed)  # fmt: skip
    db.session.flush()
    return signature
