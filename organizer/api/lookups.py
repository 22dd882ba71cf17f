"""The token's group's rows, by public id: anything of another group, or erased, is a 404."""

from __future__ import annotations

from typing import TypeVar

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from organizer.api.auth import current_token
from organizer.campaigns.models import Campaign
from organizer.events.models import RSVP, Event
from organizer.extensions import db
from organizer.mailings.models import Mailing
from organizer.signatures.models import Signature
from organizer.supporters.models import Supporter, Tag, Tagging

T = TypeVar("T")


def group_id() -> int:
    return current_token().group_id


def _one_or_404(statement: Select[T], kind: str, public_id: str) -> T:
    found = db.session.scalar(statement)
    if found is None:
        abort(404, description=_l("Couldn't find %(kind)s with id = %(id)s", kind=kind,
                                  id=public_id))  # fmt: skip
    return found


def person_or_404(public_id: str) -> Supporter:
    return _one_or_404(
        select(Supporter).where(
            Supporter.public_id == public_id,
            Supporter.group_id == group_id(),
            Supporter.erased_at.is_(None),
        ),
        "person",
        public_id,
    )


def tag_or_404(public_id: str) -> Tag:
    return _one_or_404(
        select(Tag).where(Tag.public_id == public_id, Tag.group_id == group_id()),
        "tag",
        public_id,
    )


def tagging_or_404(tag: Tag, public_id: str) -> Tagging:
    return _one_or_404(
        select(Tagging)
        .join(Supporter, Supporter.id == Tagging.supporter_id)
        .where(
            Tagging.public_id == public_id,
            Tagging.tag_id == tag.id,
            Supporter.erased_at.is_(None),
        ),
        "tagging",
        public_id,
    )


def petition_or_404(public_id: str) -> Campaign:
    return _one_or_404(
        select(Campaign).where(Campaign.public_id == public_id, Campaign.group_id == group_id()),
        "petition",
        public_id,
    )


def signature_or_404(campaign: Campaign, public_id: str) -> Signature:
    return _one_or_404(
        select(Signature).where(
            Signature.public_id == public_id, Signature.campaign_id == campaign.id
        ),
        "signature",
        public_id,
    )


def event_or_404(public_id: str) -> Event:
    return _one_or_404(
        select(Event)
        .join(Campaign, Campaign.id == Event.campaign_id)
        .where(Event.public_id == public_id, Campaign.group_id == group_id()),
        "event",
        public_id,
    )


def attendance_or_404(event: Event, public_id: str) -> RSVP:
    return _one_or_404(
        select(RSVP).where(RSVP.public_id == public_id, RSVP.event_id == event.id),
        "attendance",
        public_id,
    )


def message_or_404(public_id: str) -> Mailing:
    return _one_or_404(
        select(Mailing).where(Mailing.public_id == public_id, Mailing.group_id == group_id()),
        "message",
        public_id,
    )
