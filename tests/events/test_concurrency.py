"""Races on PostgreSQL with committed data: two cancellations at once, and reminder sweeps
run side by side (threads), and two real beat processes feeding a real worker."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from organizer.db import utcnow
from organizer.events import reminders, rsvp
from organizer.events.models import RSVP, Reminder, ReminderStatus, RSVPStatus
from organizer.extensions import db
from organizer.mail.models import OutboundEmail
from tests.factories import EventFactory, RSVPFactory
from tests.support.services import celery_beat, celery_worker, wait_for

pytestmark = pytest.mark.integration


def _race(app, work, ids):
    barrier = threading.Barrier(len(ids))
    errors: list[BaseException] = []

    def run(item):
        with app.app_context():
            try:
                barrier.wait()
                work(item)
                db.session.commit()
            except BaseException as exc:
                errors.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def _full_event_with_waitlist(app, waitlist_sizes):
    with app.app_context():
        event = EventFactory(capacity=2)
        going = [RSVPFactory(event=event, email=f"going{i}@example.org") for i in range(2)]
        now = utcnow()
        for i, size in enumerate(waitlist_sizes):
            RSVPFactory(
                event=event, email=f"wait{i}@example.org", party_size=size,
                status=RSVPStatus.WAITLISTED, waitlisted_at=now + timedelta(seconds=i),
            )  # fmt: skip
        db.session.commit()
        return event.id, [g.id for g in going]


def _statuses(app, event_id):
    with app.app_context():
        rows = db.session.scalars(select(RSVP).where(RSVP.event_id == event_id).order_by(RSVP.id))
        return {r.email: (r.status, r.party_size) for r in rows}


def _cancel(rsvp_id):
    rsvp.cancel(db.session.get(RSVP, rsvp_id))


@pytest.mark.parametrize("round_", range(3))
def test_two_concurrent_cancellations_neither_overfill_nor_double_promote(
    app, committed_db, round_
):
    event_id, going_ids = _full_event_with_waitlist(app, [1, 1, 1])
    _race(app, _cancel, going_ids)
    statuses = _statuses(app, event_id)
    going = {e for e, (s, _) in statuses.items() if s == RSVPStatus.GOING}
    assert going == {"wait0@example.org", "wait1@example.org"}
    assert statuses["wait2@example.org"][0] == RSVPStatus.WAITLISTED
    with app.app_context():
        promoted_mails = db.session.scalar(
            select(func.count(OutboundEmail.id)).where(OutboundEmail.kind == "rsvp_promoted")
        )
    assert promoted_mails == 2


def test_two_cancellations_together_free_room_for_a_party_of_two(app, committed_db):
    # Either cancellation alone frees one place; the party of two fits only after both.
    event_id, going_ids = _full_event_with_waitlist(app, [2])
    _race(app, _cancel, going_ids)
    assert _statuses(app, event_id)["wait0@example.org"] == (RSVPStatus.GOING, 2)


def _due_event(app, guests):
    with app.app_context():
        # Due in 30 s of real time; the sweeps below look 60 s ahead (clock offset).
        start = (utcnow() + timedelta(hours=24, seconds=30)).replace(microsecond=0)
        event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=2), capacity=50)
        for i in range(guests):
            guest = RSVPFactory(event=event, email=f"reminded{i}@example.org")
            reminders.schedule(guest)
        db.session.commit()
        return event.id


def _reminder_outbox(app):
    with app.app_context():
        return db.session.scalar(
            select(func.count(OutboundEmail.id)).where(OutboundEmail.kind == "event_reminder")
        )


def test_concurrent_reminder_sweeps_send_each_reminder_once(app, committed_db):
    _due_event(app, guests=12)
    later = utcnow() + timedelta(seconds=60)
    _race(app, lambda _: reminders.send_due(now=later, batch=5), range(6))
    _race(app, lambda _: reminders.send_due(now=later), range(3))
    assert _reminder_outbox(app) == 12
    with app.app_context():
        sent = db.session.scalar(
            select(func.count(Reminder.id)).where(Reminder.status == ReminderStatus.SENT)
        )
    assert sent == 12


def test_two_beat_processes_and_a_worker_send_each_reminder_once(
    app, services, committed_db, tmp_path
):
    _due_event(app, guests=3)
    # A broker database of its own, so that only this worker (clock moved a minute ahead)
    # runs these sweeps.
    env = services.env(
        REDIS_URL=services.redis.url.rsplit("/", 1)[0] + "/2",
        CLOCK_OFFSET_SECONDS="60",
        EVENT_REMINDER_INTERVAL_SECONDS="0.5",
        OUTBOX_SWEEP_INTERVAL_SECONDS="60",
    )
    own_worker = celery_worker(env, services.log_dir, concurrency=2, name="worker-reminders")
    beats = [celery_beat(env, services.log_dir, tmp_path / f"beat-{n}-schedule") for n in range(2)]
    try:
        for n in range(3):
            services.smtp.wait_for_message(f"reminded{n}@example.org")
        # Let both beats run several more sweeps: nothing more may go out.
        for beat in beats:
            wait_for(lambda b=beat: b.log().count("events.send_due_reminders") >= 4,
                     what="more sweeps")  # fmt: skip
    finally:
        for beat in beats:
            beat.stop()
        own_worker.stop()
    for n in range(3):
        assert len(services.smtp.messages_to(f"reminded{n}@example.org")) == 1
    assert _reminder_outbox(app) == 3
