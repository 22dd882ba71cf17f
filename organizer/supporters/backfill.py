"""Supporters for signatures confirmed in bulk, without the confirmation path (the demo
seeds hundreds at once): the same rows :func:`organizer.supporters.from_actions` writes one by
one, written a few statements at a time."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, select, update

from organizer.campaigns.models import Campaign
from organizer.db import utcnow
from organizer.extensions import db
from organizer.mail import suppression
from organizer.signatures.consents import Purpose
from organizer.signatures.models import Signature, SignatureConsent, SignatureStatus
from organizer.supporters.models import ConsentEvent, Supporter, SupporterStatus
from organizer.supporters.services import SIGNATURE


def from_campaign(campaign_id: int) -> int:
    """Make supporters of the campaign's counted signers who are not yet; returns how many."""
    group_id = db.session.scalar(select(Campaign.group_id).where(Campaign.id == campaign_id))
    updates = (
        select(SignatureConsent.text_version)
        .where(
            SignatureConsent.signature_id == Signature.id,
            SignatureConsent.purpose == str(Purpose.UPDATES),
            SignatureConsent.withdrawn_at.is_(None),
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Signature, updates)
        .where(
            Signature.campaign_id == campaign_id,
            Signature.status == SignatureStatus.CONFIRMED,
            Signature.suspect.is_(False),
            Signature.supporter_id.is_(None),
        )
        .order_by(Signature.id)
    ).all()
    known = set(
        db.session.scalars(select(Supporter.canonical_email).where(Supporter.group_id == group_id))
    )
    fresh = [(s, version) for s, version in rows if s.canonical_email not in known]
    if not fresh:
        return 0
    ids = db.session.scalars(
        insert(Supporter).returning(Supporter.id, sort_by_parameter_order=True),
        [_supporter_row(group_id, s, version) for s, version in fresh],
    ).all()
    # A bulk insert skips the mapper events that set the flag of a row as it is written.
    suppression.refresh(ids)
    db.session.execute(
        update(Signature),
        [{"id": s.id, "supporter_id": i} for (s, _v), i in zip(fresh, ids, strict=True)],
    )
    events = [
        {"supporter_id": i, "purpose": "updates", "granted": True, "source_type": SIGNATURE,
         "source_id": s.id, "text_version": version, "at": s.confirmed_at or utcnow()}
        for (s, version), i in zip(fresh, ids, strict=True)
        if version
    ]  # fmt: skip
    if events:
        db.session.execute(insert(ConsentEvent), events)
    db.session.flush()
    return len(ids)


def _supporter_row(
    group_id: int | None, signature: Signature, version: str | None
) -> dict[str, Any]:
    at = signature.confirmed_at or utcnow()
    return {
        "group_id": group_id,
        "public_id": str(uuid.uuid4()),
        "canonical_email": signature.canonical_email,
        "email": signature.email,
        "name": signature.name,
        "country": signature.country,
        "postal_code": signature.postal_code,
        "language": signature.locale,
        "status": SupporterStatus.SUBSCRIBED if version else SupporterStatus.UNSUBSCRIBED,
        "created_at": at,
        "updated_at": at,
        "last_action_at": at,
    }
