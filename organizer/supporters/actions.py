"""What a supporter did across their group's campaigns: signatures, commitments, RSVPs.

Read by the signer's "manage my data" page, its JSON export and the organizers' supporter
page, so that all three show the same list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from organizer.campaigns.models import Campaign
from organizer.events.models import RSVP, Event
from organizer.extensions import db
from organizer.signatures.models import Commitment, Pledge, Signature
from organizer.supporters.models import Supporter


@dataclass(frozen=True)
class Action:
    kind: str  # "signature" | "commitment" | "rsvp"
    source_id: int
    campaign_slug: str
    campaign_title: str
    # The pledge's text or the screening's title; empty for a signature.
    subject: str
    status: str
    at: datetime  # when it was made (signed, committed, asked for a place)
    confirmed_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "campaign": {"slug": self.campaign_slug, "title": self.campaign_title},
            "subject": self.subject,
            "status": self.status,
            "at": self.at.isoformat(),
            "confirmed_at": self.confirmed_at.isoformat() if self.confirmed_at else None,
        }


def actions_of(supporter: Supporter) -> list[Action]:
    """The supporter's actions, newest first."""
    actions = [*_signatures(supporter.id), *_commitments(supporter.id), *_rsvps(supporter.id)]
    return sorted(actions, key=lambda action: (action.at, action.kind), reverse=True)


def _signatures(supporter_id: int) -> list[Action]:
    rows = db.session.execute(
        select(Signature.id, Campaign.slug, Campaign.title, Signature.status,
               Signature.created_at, Signature.confirmed_at)
        .join(Campaign, Campaign.id == Signature.campaign_id)
        .where(Signature.supporter_id == supporter_id)
    )  # fmt: skip
    return [
        Action("signature", id_, slug, title, "", str(status), at, confirmed)
        for id_, slug, title, status, at, confirmed in rows
    ]


def _commitments(supporter_id: int) -> list[Action]:
    rows = db.session.execute(
        select(Commitment.id, Campaign.slug, Campaign.title, Pledge.text, Commitment.status,
               Commitment.created_at, Commitment.confirmed_at)
        .join(Pledge, Pledge.id == Commitment.pledge_id)
        .join(Campaign, Campaign.id == Pledge.campaign_id)
        .where(Commitment.supporter_id == supporter_id)
    )  # fmt: skip
    return [
        Action("commitment", id_, slug, title, text, str(status), at, confirmed)
        for id_, slug, title, text, status, at, confirmed in rows
    ]


def _rsvps(supporter_id: int) -> list[Action]:
    rows = db.session.execute(
        select(RSVP.id, Campaign.slug, Campaign.title, Event.title, RSVP.status,
               RSVP.created_at, RSVP.confirmed_at)
        .join(Event, Event.id == RSVP.event_id)
        .join(Campaign, Campaign.id == Event.campaign_id)
        .where(RSVP.supporter_id == supporter_id)
    )  # fmt: skip
    return [
        Action("rsvp", id_, slug, campaign_title, title, str(status), at, confirmed)
        for id_, slug, campaign_title, title, status, at, confirmed in rows
    ]
