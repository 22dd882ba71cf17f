"""Erasing a supporter: their personal data goes, everywhere in the group; counts stay.

What goes: the supporter's name, address, country and postal code; the name, address,
postal code and IP hash of their signatures in the group's campaigns; the name and address
of their RSVPs; the bodies and recipient of the emails sent to them about these. What stays:
signatures stay confirmed and counted (a count is not personal), with the country letters
route by; places taken at screenings; letters already sent (they are records). Draft
letters' documents are rebuilt, so that the erased names leave their annexes.

A keyed HMAC of the canonical email is kept (:mod:`organizer.supporters.tombstones`), so
that the same person signing again replaces their erased signature instead of counting
twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    String,
    cast,
    delete,
    false,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import QueryableAttribute

from organizer.accounts.models import User
from organizer.audit.services import record
from organizer.campaigns.models import Campaign
from organizer.db import utcnow
from organizer.events import reminders
from organizer.events.models import RSVP, Event, RSVPStatus
from organizer.extensions import db
from organizer.letters import documents
from organizer.letters.models import DocumentsStatus, Letter, LetterStatus
from organizer.letters.services import request_documents
from organizer.mail.models import EmailStatus, OutboundEmail
from organizer.mailings.models import MailingRecipient
from organizer.signatures.canonical import canonical_email
from organizer.signatures.models import (
    Commitment,
    CommitmentStatus,
    Signature,
    SignatureConsent,
    SignatureStatus,
)
from organizer.supporters.models import ErasedSupporter, Supporter, SupporterStatus, Tagging
from organizer.supporters.status import change_status, supporter_for
from organizer.supporters.tombstones import MARK, counted_mark, email_hmac

ERASED = "supporter.erased"
ANONYMIZED = "supporter.anonymized"


@dataclass(frozen=True)
class Erasure:
    """What one erasure did, for the page that tells the person and for the audit log."""

    signatures: int = 0
    commitments: int = 0
    rsvps: int = 0
    emails: int = 0
    drafts_rebuilt: int = 0
    # Of the signatures, those that still count (confirmed, not suspect), nameless now.
    still_counted: int = 0
    already_erased: bool = False

    def details(self) -> dict[str, int]:
        return {
            "signatures": self.signatures,
            "commitments": self.commitments,
            "rsvps": self.rsvps,
            "emails": self.emails,
            "drafts_rebuilt": self.drafts_rebuilt,
            "still_counted": self.still_counted,
        }


def erase(supporter: Supporter, actor: User | None) -> Erasure:
    """The person (actor None) or a group organizer erases the supporter."""
    return anonymize(supporter, actor, ERASED)


def erase_address(group_id: int, canonical: str, actor: User | None) -> Erasure:
    """Erase what the group holds for an address, supporter or not yet (a pending signature
    is not a supporter, but it holds a name and an address all the same)."""
    supporter = supporter_for(group_id, canonical)
    if supporter is not None:
        return erase(supporter, actor)
    return _anonymize(group_id, canonical, None, {canonical}, actor, ERASED)


def anonymize(supporter: Supporter, actor: User | None, action: str) -> Erasure:
    if supporter.erased_at is not None:
        return Erasure(already_erased=True)
    if supporter.canonical_email is None:
        _erase_supporter(supporter)  # no address, so nothing of theirs elsewhere to find
        return Erasure()
    addresses = {a.lower() for a in (supporter.email, supporter.canonical_email) if a}
    return _anonymize(
        supporter.group_id, supporter.canonical_email, supporter, addresses, actor, action
    )


def _anonymize(
    group_id: int,
    canonical: str,
    supporter: Supporter | None,
    addresses: set[str],
    actor: User | None,
    action: str,
) -> Erasure:
    supporter_id = supporter.id if supporter is not None else None
    campaigns = select(Campaign.id).where(Campaign.group_id == group_id)
    signature_ids = list(
        db.session.scalars(
            select(Signature.id).where(
                Signature.campaign_id.in_(campaigns),
                _linked(Signature.supporter_id, supporter_id)
                | (Signature.canonical_email == canonical),
            )
        )
    )
    addresses |= _signature_emails(signature_ids)
    still_counted = _erase_signatures(signature_ids, canonical)
    rsvp_ids = _rsvp_ids(supporter_id, canonical, campaigns, addresses)
    _erase_rsvps(rsvp_ids)
    emails = _scrub_emails(supporter_id, signature_ids, rsvp_ids)
    commitments = _count_commitments(signature_ids)
    drafts = _rebuild_drafts(campaigns) if signature_ids else 0
    if supporter is not None:
        _erase_supporter(supporter)
    _remember(group_id, canonical)
    result = Erasure(len(signature_ids), commitments, len(rsvp_ids), emails, drafts, still_counted)
    # Audited without the address: the supporter's id and what was done, nothing more.
    by = "organizer" if actor is not None else "system" if action == ANONYMIZED else "self"
    details = {"group": group_id, "by": by, **result.details()}
    record(actor, action, "supporter", supporter_id, details)
    return result


def _linked(
    column: QueryableAttribute[int | None], supporter_id: int | None
) -> ColumnElement[bool]:
    """Rows of this supporter; none at all when there is no supporter (never ``IS NULL``)."""
    return column == supporter_id if supporter_id is not None else false()


def _signature_emails(signature_ids: list[int]) -> set[str]:
    if not signature_ids:
        return set()
    emails = db.session.scalars(select(Signature.email).where(Signature.id.in_(signature_ids)))
    return {email.lower() for email in emails}


def _erase_signatures(signature_ids: list[int], canonical: str) -> int:
    """Scrub the signatures; returns how many of them still count."""
    if not signature_ids:
        return 0
    now = utcnow()
    # A pending one never counted and would never be confirmed now: it is withdrawn.
    pending = [
        *db.session.scalars(
            select(Signature.id).where(
                Signature.id.in_(signature_ids), Signature.status == SignatureStatus.PENDING
            )
        )
    ]
    if pending:
        _update(Signature, Signature.id.in_(pending), status=SignatureStatus.WITHDRAWN,
                withdrawn_at=now)  # fmt: skip
        _update(Commitment, Commitment.signature_id.in_(pending),
                Commitment.status == CommitmentStatus.PENDING,
                status=CommitmentStatus.WITHDRAWN)  # fmt: skip
    counted = Signature.id.in_(
        select(Signature.id).where(
            Signature.id.in_(signature_ids),
            Signature.status == SignatureStatus.CONFIRMED,
            Signature.suspect.is_(False),
        )
    )
    scrubbed = {
        "name": "", "email": "", "email_domain": "", "postal_code": None, "ip_hmac": None,
        "token_hash": None, "token_expires_at": None, "updated_at": now,
    }  # fmt: skip
    # One counted signature per campaign and person, so the HMAC mark stays unique.
    _update(Signature, counted, canonical_email=counted_mark(canonical), **scrubbed)
    _update(Signature, Signature.id.in_(signature_ids), ~counted,
            canonical_email=_tombstone(Signature.id), **scrubbed)  # fmt: skip
    # Being named or shown needs a name: those consents end with it.
    _update(SignatureConsent, SignatureConsent.signature_id.in_(signature_ids),
            SignatureConsent.withdrawn_at.is_(None), withdrawn_at=now)  # fmt: skip
    return int(db.session.scalar(select(func.count()).where(counted)) or 0)


def _tombstone(id_column: QueryableAttribute[int]) -> ColumnElement[str]:
    """``erased:#<id>`` in SQL (organizer.supporters.tombstones.retired_mark)."""
    return literal(MARK + "#").concat(cast(id_column, String))


def _update(model: type, *where: ColumnElement[bool], **values: object) -> None:
    db.session.execute(
        update(model).where(*where).values(**values).execution_options(synchronize_session=False)
    )


def _rsvp_ids(
    supporter_id: int | None, canonical: str, campaigns: object, addresses: set[str]
) -> list[int]:
    events = select(Event.id).where(Event.campaign_id.in_(campaigns))  # type: ignore[arg-type]
    candidates = db.session.execute(
        select(RSVP.id, RSVP.email, RSVP.supporter_id).where(
            RSVP.event_id.in_(events),
            _linked(RSVP.supporter_id, supporter_id) | func.lower(RSVP.email).in_(addresses),
        )
    )
    # An RSVP keeps the address as typed: the same person may have typed it another way.
    return [
        rsvp_id
        for rsvp_id, email, linked in candidates
        if (linked is not None and linked == supporter_id) or canonical_email(email) == canonical
        or email.lower() in addresses
    ]  # fmt: skip


def _erase_rsvps(rsvp_ids: list[int]) -> None:
    if not rsvp_ids:
        return
    now = utcnow()
    # Guests not holding a place would be mailed when one frees up: there is no one to mail.
    _update(RSVP, RSVP.id.in_(rsvp_ids),
            RSVP.status.in_((RSVPStatus.PENDING, RSVPStatus.WAITLISTED)),
            status=RSVPStatus.CANCELLED, cancelled_at=now)  # fmt: skip
    _update(RSVP, RSVP.id.in_(rsvp_ids), name="",
            email=_tombstone(RSVP.id), confirm_token_hash=None,
            manage_token_hash=None, manage_salt=None)  # fmt: skip
    for guest in db.session.scalars(select(RSVP).where(RSVP.id.in_(rsvp_ids))):
        reminders.skip_for_rsvp(guest)


def _scrub_emails(supporter_id: int | None, signature_ids: list[int], rsvp_ids: list[int]) -> int:
    """Emails about these actions keep their existence (counts, delivery history), not their
    recipient or text; those still queued are not sent."""
    recipients = select(MailingRecipient.id).where(MailingRecipient.supporter_id == supporter_id)
    related = or_(
        (OutboundEmail.related_type == "signature") & OutboundEmail.related_id.in_(signature_ids),
        (OutboundEmail.related_type == "rsvp") & OutboundEmail.related_id.in_(rsvp_ids),
        (OutboundEmail.related_type == "mailing_recipient")
        & OutboundEmail.related_id.in_(recipients),
    )
    ids = list(db.session.scalars(select(OutboundEmail.id).where(related)))
    if not ids:
        return 0
    _update(OutboundEmail, OutboundEmail.id.in_(ids), OutboundEmail.status == EmailStatus.QUEUED,
            status=EmailStatus.FAILED, last_error="erased")  # fmt: skip
    _update(OutboundEmail, OutboundEmail.id.in_(ids), to_addr="", subject="", text_body="",
            html_body="", headers={}, merge_values=None)  # fmt: skip
    return len(ids)


def _count_commitments(signature_ids: list[int]) -> int:
    if not signature_ids:
        return 0
    return int(
        db.session.scalar(select(func.count()).where(Commitment.signature_id.in_(signature_ids)))
        or 0
    )


def _rebuild_drafts(campaigns: object) -> int:
    """Draft letters whose documents may name the erased: discarded now, rebuilt later."""
    drafts = list(
        db.session.scalars(
            select(Letter).where(
                Letter.campaign_id.in_(campaigns),  # type: ignore[arg-type]
                Letter.status == LetterStatus.DRAFT,
                # A build not started yet reads the data as it is when it starts.
                Letter.documents_status.in_(
                    (DocumentsStatus.READY, DocumentsStatus.FAILED, DocumentsStatus.RUNNING)
                ),
            )
        )
    )
    for letter in drafts:
        documents.discard(letter)
        request_documents(letter)
    return len(drafts)


def _erase_supporter(supporter: Supporter) -> None:
    change_status(supporter, SupporterStatus.UNSUBSCRIBED, source_type="erase")
    db.session.execute(delete(Tagging).where(Tagging.supporter_id == supporter.id))
    supporter.canonical_email = supporter.email = supporter.country = None
    supporter.postal_code = None
    supporter.name = ""
    # The API's custom fields are whatever a client sent about the person.
    supporter.custom_fields = {}
    supporter.erased_at = utcnow()
    db.session.flush()


def _remember(group_id: int, canonical: str) -> None:
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    db.session.execute(
        dialect.insert(ErasedSupporter)
        .values(group_id=group_id, email_hmac=email_hmac(canonical), erased_at=utcnow())
        .on_conflict_do_nothing(index_elements=["group_id", "email_hmac"])
    )
    db.session.flush()
