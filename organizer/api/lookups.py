"""The token's group's rows, by public id: anything of another group, or erased, is a 404."""

from __future__ import annotations

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from organizer.api.auth import current_token
from organizer.campaigns.models import Campaign
from organizer.events.models import RSVP, Event
from organizer.extensions import db
from organizer.mailings.models import Mailing
from organizer.signatures.models import Signature
from organizer.supporters.models import Supporter, Tag, Tagging


def group_id() -> int:
    return current_token().group_id


def _not_found(kind: str, public_id: str) -> None:
    abort(404, description=_l("Couldn't find %(kind)s with id = %(id)s", kind=kind, id=public_id))


def person_or_404(public_id: str) -> Supporter:
    found = db.session.scalar(
        select(Supporter).where(
            Supporter.public_id == public_id,
            Supporter.group_id == group_id(),
            Supporter.erased_at.is_(None),
        )
    )
    if found is None:
        _not_found("person", public_id)
    assert found is not None
    return found


def tag_or_404(public_id: str) -> Tag:
    found = db.session.scalar(
        select(Tag).where(Tag.public_id == public_id, Tag.group_id == group_id())
    )
    if found is None:
        _not_found("tag", public_id)
    assert found is not None
    return found


def tagging_or_404(tag: Tag, public_id: str) -> Tagging:
    found = db.session.scalar(
        select(Tagging)
        .join(Supporter, Supporter.id == Tagging.supporter_id)
        .where(
            Tagging.public_id == public_id,
            Tagging.tag_id == tag.id,
            Supporter.erased_at.is_(None),
        )
    )
    if found is None:
        _not_found("tagging", public_id)
    assert found is not None
    return found


def petition_or_404(public_id: str) -> Campaign:
    found = db.session.scalar(
        select(Campaign).where(Campaign.public_id == public_id, Campaign.group_id == group_id())
    )
    if found is None:
        _not_found("petition", public_id)
    assert found is not None
    return found


def signature_or_404(campaign: Campaign, public_id: str) -> Signature:
    found = db.session.scalar(
        select(Signature).where(
            Signature.public_id == public_id, Signature.campaign_id == campaign.id
        )
    )
    if found is None:
        _not_found("signature", public_id)
    assert found is not None
    return found


def event_or_404(public_id: str) -> Event:
    found = db.session.scalar(
        select(Event)
        .join(Campaign, Campaign.id == Event.campaign_id)
        .where(Event.public_id == public_id, Campaign.group_id == group_id())
    )
    if found is None:
        _not_found("event", public_id)
    assert found is not None
    return found


def attendance_or_404(event: Event, public_id: str) -> RSVP:
    found = db.session.scalar(
        select(RSVP).where(RSVP.public_id == public_id, RSVP.event_id == event.id)
    )
    if found is None:
        _not_found("attendance", public_id)
    assert found is not None
    return found


def message_or_404(public_id: str) -> Mailing:
    found = db.session.scalar(
        select(Mailing).where(Mailing.public_id == public_id, Mailing.group_id == group_id())
    )
    if found is None:
        _not_found("message", public_id)
    assert found is not None
    return found
