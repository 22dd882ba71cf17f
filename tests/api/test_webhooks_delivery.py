"""Webhook deliveries through the real Celery worker to a real receiver on loopback:
the signature header, retries after 5xx, no redirects, disabling after failures, the sweeper.

The test stack retries within a second (tests/conftest.py: base 0.05 s, 3 attempts)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from organizer.api import webhook_delivery, webhooks
from organizer.api.models import DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookSubscription
from organizer.audit.models import AuditLog
from organizer.db import utcnow
from organizer.extensions import db
from tests.api.webhooks_receiver import Receiver
from tests.factories import GroupFactory, UserFactory
from tests.support.services import wait_for

pytestmark = pytest.mark.integration

CONFIRMED = WebhookEvent.SIGNATURE_CONFIRMED


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


def _subscribe(app: Any, url: str, events: tuple[WebhookEvent, ...] = (CONFIRMED,)) -> dict:
    with app.app_context():
        owner = UserFactory()
        group = GroupFactory(owner=owner)
        subscription = webhooks.subscribe(group, url, [e.value for e in events], owner)
        db.session.commit()
        return {"group_id": group.id, "id": subscription.id, "secret": subscription.secret}


def _emit(app: Any, sub: dict, n: int = 1, enqueue: bool = True) -> list[int]:
    with app.app_context():
        ids: list[int] = []
        for i in range(n):
            key = f"test:{sub['id']}:{i}:{utcnow().isoformat()}"
            ids += webhooks.emit(sub["group_id"], CONFIRMED, key, {"osdi:signature": {"n": i}})
        if not enqueue:
            # As if the broker had lost the message: the rows exist, nobody was told.
            db.session().info.clear()
        db.session.commit()
        return ids


def _delivery(app: Any, delivery_id: int) -> WebhookDelivery:
    with app.app_context():
        row = db.session.get(WebhookDelivery, delivery_id)
        assert row is not None
        db.session.expunge(row)
        return row


def _subscription(app: Any, sub: dict) -> WebhookSubscription:
    with app.app_context():
        row = db.session.get(WebhookSubscription, sub["id"])
        assert row is not None
        db.session.expunge(row)
        return row


def _settled(app: Any, delivery_id: int) -> WebhookDelivery | None:
    row = _delivery(app, delivery_id)
    return row if row.status != DeliveryStatus.PENDING else None


def test_a_delivery_is_signed_with_the_subscription_secret(app, committed_db, worker, receiver):
    sub = _subscribe(app, receiver.url("/signed"))
    (delivery_id,) = _emit(app, sub)
    (request,) = receiver.wait_for("/signed")
    row = wait_for(lambda: _settled(app, delivery_id), what="the delivery to be recorded")

    timestamp = request.headers["X-Cahier-Timestamp"]
    signed = timestamp.encode() + b"." + request.body
    expected = "sha256=" + hmac.new(sub["secret"].encode(), signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers["X-Cahier-Signature"], expected)
    # The signature covers the body: one changed byte no longer verifies.
    tampered = timestamp.encode() + b"." + request.body.replace(b'"n":0', b'"n":1')
    forged = "sha256=" + hmac.new(sub["secret"].encode(), tampered, hashlib.sha256).hexdigest()
    assert request.headers["X-Cahier-Signature"] != forged

    assert request.headers["X-Cahier-Event"] == "signature.confirmed"
    assert request.headers["Content-Type"] == "application/json"
    (event,) = json.loads(request.body)
    assert event["idempotency_key"] == request.headers["X-Cahier-Delivery"] == row.public_id
    assert event["osdi:signature"] == {"n": 0}
    assert (row.status, row.attempts, row.last_status_code) == (DeliveryStatus.DELIVERED, 1, 200)
    assert row.delivered_at is not None
    # Once sent, the log keeps no copy of the personal data the payload carried.
    assert row.payload == {}


def test_server_errors_are_retried_then_delivered(app, committed_db, worker, receiver):
    receiver.answer("/flaky", 500, 503)
    sub = _subscribe(app, receiver.url("/flaky"))
    (delivery_id,) = _emit(app, sub)
    row = wait_for(lambda: _settled(app, delivery_id), what="the retried delivery")
    requests = receiver.to("/flaky")
    assert len(requests) == 3
    # Every attempt is the same delivery, so a receiver can tell a retry from a new event.
    assert {r.headers["X-Cahier-Delivery"] for r in requests} == {row.public_id}
    assert (row.status, row.attempts, row.last_status_code) == (DeliveryStatus.DELIVERED, 3, 200)
    assert row.last_error is None
    assert _subscription(app, sub).consecutive_failures == 0


def test_a_redirect_is_a_failure_and_is_never_followed(app, committed_db, worker, receiver):
    receiver.answer("/moved", 302, 302, 302)
    receiver.redirects["/moved"] = receiver.url("/elsewhere")
    sub = _subscribe(app, receiver.url("/moved"))
    (delivery_id,) = _emit(app, sub)
    row = wait_for(lambda: _settled(app, delivery_id), what="the redirected delivery")
    assert (row.status, row.attempts) == (DeliveryStatus.ABANDONED, 3)
    assert (row.last_status_code, row.last_error) == (302, "redirect")
    assert len(receiver.to("/moved")) == 3
    assert receiver.to("/elsewhere") == []


def test_a_success_resets_the_failure_count(app, committed_db, worker, receiver):
    receiver.answer("/shaky", 500, 500, 500)
    sub = _subscribe(app, receiver.url("/shaky"))
    (first,) = _emit(app, sub)
    assert wait_for(lambda: _settled(app, first)).status == DeliveryStatus.ABANDONED
    assert _subscription(app, sub).consecutive_failures == 1
    (second,) = _emit(app, sub)
    assert wait_for(lambda: _settled(app, second)).status == DeliveryStatus.DELIVERED
    assert _subscription(app, sub).consecutive_failures == 0


def test_twenty_failed_deliveries_in_a_row_disable_the_subscription(
    app, committed_db, worker, receiver
):
    assert app.config["WEBHOOK_DISABLE_AFTER_FAILURES"] == 20
    receiver.answer("/down", *([500] * 60))
    sub = _subscribe(app, receiver.url("/down"))
    ids = _emit(app, sub, n=20)
    wait_for(lambda: not _subscription(app, sub).active, what="the subscription to be disabled")
    rows = [wait_for(lambda i=i: _settled(app, i)) for i in ids]
    assert {(r.status, r.attempts) for r in rows} == {(DeliveryStatus.ABANDONED, 3)}
    assert len(receiver.to("/down")) == 60
    disabled = _subscription(app, sub)
    assert disabled.consecutive_failures == 20 and disabled.disabled_at is not None
    with app.app_context():
        (entry,) = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "webhook.auto_disabled")
        )
        assert (entry.object_id, entry.details["failures"]) == (sub["id"], 20)
    # A disabled subscription is sent nothing more.
    assert _emit(app, sub) == []


def test_the_sweeper_sends_what_the_broker_lost(app, committed_db, worker, receiver):
    sub = _subscribe(app, receiver.url("/lost"))
    (delivery_id,) = _emit(app, sub, enqueue=False)
    with app.app_context():
        # Not yet due long enough: the sweeper leaves it to its task.
        assert webhook_delivery.sweep() == []
        db.session.get(WebhookDelivery, delivery_id).next_attempt_at = utcnow() - timedelta(
            minutes=5
        )
        assert webhook_delivery.sweep() == [delivery_id]
        db.session.commit()
    receiver.wait_for("/lost")
    assert wait_for(lambda: _settled(app, delivery_id)).status == DeliveryStatus.DELIVERED


def test_a_claim_left_by_a_dead_worker_is_posted_again_with_the_same_id(
    app, committed_db, worker, receiver
):
    sub = _subscribe(app, receiver.url("/twice"))
    (delivery_id,) = _emit(app, sub)
    wait_for(lambda: _settled(app, delivery_id))
    with app.app_context():
        # As if the worker had died after the receiver answered, before its commit.
        row = db.session.get(WebhookDelivery, delivery_id)
        row.status, row.delivered_at = DeliveryStatus.PENDING, None
        row.claimed_at = row.next_attempt_at = utcnow() - timedelta(hours=1)
        row.payload = {"osdi:signature": {"n": 0}}
        db.session.commit()
        assert webhook_delivery.sweep() == [delivery_id]
        db.session.commit()
    first, second = receiver.wait_for("/twice", count=2)
    # At least once: the receiver dedupes on the delivery id.
    assert first.headers["X-Cahier-Delivery"] == second.headers["X-Cahier-Delivery"]
    assert wait_for(lambda: _settled(app, delivery_id)).status == DeliveryStatus.DELIVERED


def test_a_confirmed_signature_reaches_the_receiver(app, committed_db, worker, receiver):
    """The whole path: the confirmation's transaction writes the delivery, its commit
    queues it, the worker posts the signature as the API shows it, person included."""
    from tests.signatures.conftest import confirm_now, make_campaign, sign

    with app.app_context():
        owner = UserFactory()
        campaign = make_campaign(owner, slug="end-to-end")
        webhooks.subscribe(campaign.group, receiver.url("/crm"), [CONFIRMED.value], owner)
        db.session.commit()
        _outcome, signature = sign(campaign, "ada@example.org", receive_updates=True)
        confirm_now(signature)
        db.session.commit()
        signature_id, campaign_id = signature.public_id, campaign.public_id
    (request,) = receiver.wait_for("/crm")
    (event,) = json.loads(request.body)
    body = event["osdi:signature"]
    assert event["cahier:event"] == "signature.confirmed"
    assert body["identifiers"] == [f"action_network:{signature_id}"]
    assert body["_links"]["osdi:petition"]["href"].endswith(f"/api/v2/petitions/{campaign_id}")
    assert body["person"]["email_addresses"][0]["address"] == "ada@example.org"
