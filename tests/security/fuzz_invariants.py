"""What must still be true after any walk of hostile requests."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, or_, select

from organizer.campaigns.models import Campaign
from organizer.events.models import RSVP, Event, RSVPStatus
from organizer.extensions import db
from organizer.mail.models import OutboundEmail
from organizer.signatures import counting


def assert_invariants(app: Flask) -> None:
    with app.app_context():
        # What the beat would fold by now; then every counter is a real COUNT.
        counting.fold()
        for campaign_id in db.session.scalars(select(Campaign.id)):
            counted = counting.totals(campaign_id, None).online
            assert counted == counting.real_count(campaign_id), campaign_id
        going = func.coalesce(func.sum(RSVP.party_size), 0)
        overbooked = db.session.execute(
            select(Event.id, Event.capacity, going)
            .join(RSVP, RSVP.event_id == Event.id)
            .where(RSVP.status == RSVPStatus.GOING)
            .group_by(Event.id, Event.capacity)
            .having(going > Event.capacity)
        ).all()
        assert overbooked == []
        blank = [func.trim(column) == "" for column in _outbox_text()]
        incomplete = db.session.scalars(select(OutboundEmail.id).where(or_(*blank))).all()
        assert incomplete == []
        db.session.commit()


def _outbox_text() -> list:
    return [OutboundEmail.to_addr, OutboundEmail.subject, OutboundEmail.text_body]
