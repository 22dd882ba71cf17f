"""flask seed-demo: three screenings of the 2018 campaign, and a second run adds nothing."""

from __future__ import annotations

from sqlalchemy import select

from organizer import demo
from organizer.events import rsvp
from organizer.events.models import Event, EventMode, EventStatus, RSVPStatus
from organizer.extensions import db


def test_seed_demo_adds_three_screenings_once(ctx):
    account = demo.seed_demo_organizer()
    demo.seed_demo_campaign(account.user)
    assert demo.seed_demo_screenings(account.user) == 3
    assert demo.seed_demo_screenings(account.user) == 0
    events = {e.uid: e for e in db.session.scalars(select(Event))}
    assert len(events) == 3
    online = events["demo-online-screening"]
    assert online.mode == EventMode.ONLINE and online.is_open
    full = events["demo-full-screening"]
    assert rsvp.places_left(full) == 0
    assert [g.status for g in rsvp.waitlist(full)] == [RSVPStatus.WAITLISTED] * 2
    past = events["demo-past-screening"]
    assert past.status == EventStatus.COMPLETED and past.report.attendee_count == 23
