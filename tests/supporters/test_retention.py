"""Retention: supporters with no action for SUPPORTER_RETENTION_DAYS are anonymized by beat."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from organizer.audit.models import AuditLog
from organizer.audit.sentences import describe
from organizer.db import utcnow
from organizer.extensions import db
from organizer.supporters import retention
from organizer.supporters.models import Supporter
from tests.factories import UserFactory
from tests.signatures.conftest import confirm_now, folded_total, make_campaign, sign
from tests.support.services import wait_for
from workers.schedule import beat_schedule


@pytest.fixture
def campaign(ctx):
    return make_campaign(UserFactory(), slug="retention", goal=100)


def _supporter(campaign, email, days_since_action, ip):
    signature = confirm_now(sign(campaign, email, ip=ip, receive_updates=True)[1])
    supporter = db.session.get(Supporter, signature.supporter_id)
    supporter.last_action_at = utcnow() - timedelta(days=days_since_action)
    db.session.flush()
    return signature, supporter


def test_the_default_period_is_two_years(app):
    assert app.config["SUPPORTER_RETENTION_DAYS"] == 730


def test_supporters_past_the_period_are_anonymized_and_the_others_stay(campaign):
    old_signature, old = _supporter(campaign, "old@example.org", 731, "192.0.2.60")
    _recent_signature, recent = _supporter(campaign, "recent@example.org", 729, "192.0.2.61")
    assert retention.anonymize_batch() == 1
    db.session.flush()
    db.session.refresh(old_signature)
    assert old.erased_at is not None and old.email is None and old.name == ""
    assert old_signature.name == "" and old_signature.is_counted  # counted, not named
    assert recent.erased_at is None and recent.email == "recent@example.org"
    assert folded_total(campaign) == 2
    assert retention.anonymize_batch() == 0  # once is enough
    [entry] = db.session.scalars(select(AuditLog).where(AuditLog.action == "supporter.anonymized"))
    assert entry.actor_id is None and entry.object_id == old.id
    assert "old@example.org" not in str(entry.details)
    assert "retention period" in describe(entry)


def test_a_new_action_restarts_the_period(campaign):
    _signature, supporter = _supporter(campaign, "back@example.org", 800, "192.0.2.62")
    other = make_campaign(UserFactory(), slug="retention-two", title="Two")
    other.group_id = campaign.group_id
    db.session.flush()
    confirm_now(sign(other, "back@example.org", ip="192.0.2.63")[1])
    assert supporter.last_action_at > utcnow() - timedelta(minutes=1)
    assert retention.anonymize_batch() == 0


def test_the_period_comes_from_configuration(campaign, app):
    _supporter(campaign, "short@example.org", 10, "192.0.2.64")
    saved = app.config["SUPPORTER_RETENTION_DAYS"]
    app.config["SUPPORTER_RETENTION_DAYS"] = 7
    try:
        assert retention.anonymize_batch() == 1
    finally:
        app.config["SUPPORTER_RETENTION_DAYS"] = saved


def test_beat_schedules_the_retention_task(app):
    entry = beat_schedule(app.config)["supporters-retention"]
    assert entry["task"] == "supporters.anonymize_inactive"
    assert entry["schedule"] == app.config["SUPPORTER_RETENTION_INTERVAL_SECONDS"]


@pytest.mark.integration
def test_the_worker_anonymizes_and_commits(app, committed_db, worker):
    with app.app_context():
        campaign = make_campaign(UserFactory(), slug="retention-worker")
        _signature, supporter = _supporter(campaign, "gone@example.org", 1000, "192.0.2.65")
        db.session.commit()
        supporter_id = supporter.id
    app.extensions["celery"].send_task("supporters.anonymize_inactive")

    def erased():
        with app.app_context():
            found = db.session.get(Supporter, supporter_id)
            done = found is not None and found.erased_at is not None and found.email is None
            db.session.remove()
            return done

    wait_for(erased, what="the retention task")
