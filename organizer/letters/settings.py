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
from organizer.letters.sender import Sender, merged, sender_of

# Letters whose documents can still change: built PDFs carry the old signature block.
UNSENT = (LetterStatus.DRAFT, LetterStatus.FAILED)


@dataclass(frozen=True)
class SettingsDetails:
    signatory: str
    organization: str
    postal_address: str
    email: str


def settings_of(campaign: Campaign) -> Sender | None:
    """The letters' sender, the group's name and address filling the campaign's blanks."""
    return sender_of(campaign)


def form_values(campaign: Campaign) -> Sender:
    """What the settings form shows: the saved values, else the group's defaults."""
    return merged(campaign, db.session.get(LetterSettings, campaign.id))


def is_complete(campaign: Campaign) -> bool:
    found = settings_of(campaign)
    return found is not None and found.is_complete


def save(campaign: Campaign, actor: User | None, details: SettingsDetails) -> LetterSettings:
    found = db.session.get(LetterSettings, campaign.id)
    if found is None:
        found = LetterSettings(campaign_id=campaign.id)
        db.session.add(found)
    before = merged(campaign, found)
    found.signatory = details.signatory.strip()
    found.organization = _override(details.organization.strip(), campaign.group.name)
    found.postal_address = _override(_lines(details.postal_address), campaign.group.postal_address)
    found.email = details.email.strip().lower()
    found.updated_by_id = actor.id if actor else None
    db.session.flush()
    if merged(campaign, found) != before:
        _discard_unsent_documents(campaign)
    record(actor, "letter_settings.saved", "campaign", campaign.id, {})
    return found


def _lines(address: str) -> str:
    # One line per line of the address, without the blank lines a paste brings along.
    return "\n".join(line.strip() for line in address.splitlines() if line.strip())


def _override(value: str, group_default: str) -> str:
    """Stored only when it differs from the group's: a campaign that keeps the group's value
    follows the group when the group changes it."""
    return "" if value == group_default else value


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
