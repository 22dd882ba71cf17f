"""Who a campaign's letters come from: its letter settings, with the group's name and postal
address filling what the campaign leaves empty. Kept apart from ``settings`` so that the
document builder, which ``settings`` calls, can read it too."""

from __future__ import annotations

from dataclasses import dataclass

from organizer.campaigns.models import Campaign
from organizer.extensions import db
from organizer.letters.models import LetterSettings


@dataclass(frozen=True)
class Sender:
    signatory: str
    organization: str
    postal_address: str
    email: str

    @property
    def is_complete(self) -> bool:
        return all(
            value.strip()
            for value in (self.signatory, self.organization, self.postal_address, self.email)
        )


def merged(campaign: Campaign, stored: LetterSettings | None) -> Sender:
    """The campaign's own values win; an empty organization or address is the group's."""
    group = campaign.group
    return Sender(
        signatory=stored.signatory if stored else "",
        organization=(stored.organization if stored else "") or group.name,
        postal_address=(stored.postal_address if stored else "") or group.postal_address,
        email=stored.email if stored else "",
    )


def sender_of(campaign: Campaign) -> Sender | None:
    """None until the campaign's team has saved its letter settings."""
    stored = db.session.get(LetterSettings, campaign.id)
    return None if stored is None else merged(campaign, stored)
