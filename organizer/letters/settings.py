"""A campaign's letter settings: the named signatory, the organization and the return
addresses. A regulator answers a person at an address, not "the organizers"."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from organizer.accounts.models import User
from organizer.audit.services import record
from organizer.campaigns.models import Campaign
from organizer.extensions import db
from organizer.letters import documents
from organizer.letters.models import DocumentsStatus, Letter, LetterSettings, LetterStatus

# Letters whose documents can still change: built PDFs carry the old signature block.
UNSENT = (LetterStatus.DRAFT, LetterStatus.FAILED)


@dataclass(frozen=True)
class SettingsDetails:
    signatory: str
    organization: str
    postal_address: str
    email: str


def settings_of(campaign: Campaign) -> LetterSettings | None:
    return db.session.get(LetterSettings, campaign.id)


def is_complete(campaign: Campaign) -> bool:
    found = settings_of(campaign)
    return found is not None and found.is_complete


def save(campaign: Campaign, actor: User | None, details: SettingsDetails) -> LetterSettings:
    found = settings_of(campaign)
    if found is None:
        found = LetterSettings(campaign_id=campaign.id)
        db.session.add(found)
    before = (found.signatory, found.organization, found.postal_address, found.email)
    found.signatory = details.signatory.strip()
    found.organization = details.organization.strip()
    # One line per line of the address, without the blank lines a paste brings along.
    found.postal_address = "\n".join(
        line.strip() for line in details.postal_address.splitlines() if line.strip()
    )
    found.email = details.email.strip().lower()
    found.updated_by_id = actor.id if actor else None
    db.session.flush()
    if (found.signatory, found.organization, found.postal_address, found.email) != before:
        _discard_unsent_documents(campaign)
    record(actor, "letter_settings.saved", "campaign", campaign.id, {})
    return found


def _discard_unsent_documents(campaign: Campaign) -> None:
    stale = db.session.scalars(
        select(Letter).where(
            Letter.campaign_id == campaign.id,
            Letter.status.in_(UNSENT),
            Letter.documents_status == DocumentsStatus.READY,
        )
    )
    for letter in stale:
        documents.discard(letter)
