"""Races on real PostgreSQL with committed data: parallel confirmations and pledge beats."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from organizer.campaigns import revisions
from organizer.db import utcnow
from organizer.extensions import db
from organizer.mail.models import OutboundEmail
from organizer.signatures import confirmation, counting, pledges
from organizer.signatures.models import Commitment, PledgeStatus, Signature
from organizer.signatures.tokens import hash_token
from tests.factories import UserFactory

from .conftest import confirm_now, make_campaign, sign

pytestmark = pytest.mark.integration

COUNTRIES = ["US", "GB", "FR", "IE", "IN", "DE", "CA"]


def _pending_signatures(app, n):
    with app.app_context():
        campaign = make_campaign(UserFactory(), slug="race")
        revision = revisions.published_revision(campaign)
        tokens = [f"token-{i:04d}-" + "x" * 32 for i in range(n)]
        expires = utcnow() + timedelta(days=14)
        db.session.execute(
            insert(Signature),
            [
                {
                    "campaign_id": campaign.id,
                    "revision_id": revision.id,
                    "name": f"Signer {i}",
                    "email": f"s{i}@example.org",
                    "canonical_email": f"s{i}@example.org",
                    "email_domain": "example.org",
                    "country": COUNTRIES[i % len(COUNTRIES)],
                    "locale": "en",
                    "token_hash": hash_token(token),
                    "token_expires_at": expires,
                }
                for i, token in enumerate(tokens)
            ],
        )
        db.session.commit()
        return campaign.id, tokens


def _confirm(app, token):
    with app.app_context():
        try:
            confirmed = confirmation.confirm(token) is not None
            db.session.commit()
            return confirmed
        finally:
            db.session.remove()


def _fold(app):
    with app.app_context():
        try:
            changed = counting.fold(batch=100)
            db.session.commit()
            return changed
        finally:
            db.session.remove()


def test_the_count_is_exact_after_1000_parallel_confirmations(app, committed_db):
    campaign_id, tokens = _pending_signatures(app, 1000)
    stop = threading.Event()

    def folding():
        while not stop.is_set():
            _fold(app)

    folder = threading.Thread(target=folding)
    folder.start()
    try:
        # Every link is clicked twice at once (a double click, or two tabs).
        with ThreadPoolExecutor(max_workers=12) as pool:
            results = list(pool.map(lambda t: _confirm(app, t), tokens + tokens))
    finally:
        stop.set()
        folder.join()
    assert sum(results) == 1000
    while _fold(app):
        pass
    with app.app_context():
        assert counting.totals(campaign_id, None).online == 1000
        assert counting.real_count(campaign_id) == 1000
        assert sum(n for _c, n in counting.by_country(campaign_id)) == 1000
        assert sum(n for _d, n in counting.by_day(campaign_id)) == 1000
        assert counting.reconcile([campaign_id]) == {}


def test_a_pledge_triggers_once_when_two_beats_run_at_once(app, committed_db):
    with app.app_context():
        owner = UserFactory()
        campaign = make_campaign(owner, slug="pledge-race")
        pledge = pledges.create_pledge(
            campaign, owner, "I will switch off", 3, utcnow().date() + timedelta(days=3)
        )
        for i in range(2):
            confirm_now(sign(campaign, f"c{i}@example.org", pledge=pledge)[1])
        pledge_id = pledge.id
        db.session.commit()
        assert pledges.check_pledges() == []
        db.session.commit()
        # One short: a third supporter commits and confirms.
        confirm_now(sign(campaign, "third@example.org", pledge=pledge)[1])
        db.session.commit()

    barrier = threading.Barrier(2)

    def beat():
        with app.app_context():
            try:
                barrier.wait()
                decided = pledges.check_pledges()
                db.session.commit()
                return decided
            finally:
                db.session.remove()

    for _round in range(2):  # and again later, as the next beat would
        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = list(pool.map(lambda _: beat(), range(2)))
        assert sum(len(o) for o in outcomes) == (1 if _round == 0 else 0)
    with app.app_context():
        sent = db.session.scalars(
            select(OutboundEmail.to_addr).where(OutboundEmail.kind == "pledge_triggered")
        ).all()
        assert sorted(sent) == ["c0@example.org", "c1@example.org", "third@example.org"]
        assert db.session.get(pledges.Pledge, pledge_id).status == PledgeStatus.TRIGGERED
        assert db.session.scalar(select(func.count()).select_from(Commitment)) == 3
