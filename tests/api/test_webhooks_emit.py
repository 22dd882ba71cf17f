"""What other domains emit: a delivery per listening subscription, written in the same
transaction as the change, with the OSDI payload; and nothing at all when nobody listens."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from organizer.api import webhooks
from organizer.api.models import WebhookDelivery, WebhookEvent
from organizer.events import rsvp
from organizer.extensions import db
from organizer.privacy import services as privacy
from organizer.signatures import confirmation
from organizer.supporters import erase
from organizer.supporters.models import Supporter, SupporterStatus
from organizer.supporters.status import change_status
from tests.factories import EventFactory, GroupFactory, UserFactory
from tests.signatures.conftest import confirm_now, make_campaign, sign

ALL = [e.value for e in WebhookEvent]


@pytest.fixture
def owner(ctx):
    return UserFactory(display_name="Olive Owner")


@pytest.fixture
def campaign(owner):
    return make_campaign(owner, slug="hooked")


def _deliveries(event_name: str | None = None) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).order_by(WebhookDelivery.id)
    if event_name is not None:
        query = query.where(WebhookDelivery.event == event_name)
    return list(db.session.scalars(query))


def _subscribe(group, owner, events=ALL, url="http://127.0.0.1:9/hook"):
    return webhooks.subscribe(group, url, events, owner)


def _confirmed(campaign, email="ada@example.org"):
    _outcome, signature = sign(campaign, email, receive_updates=True)
    return confirm_now(signature)


def test_a_confirmed_signature_is_delivered_with_its_person(campaign, owner):
    subscription = _subscribe(campaign.group, owner)
    signature = _confirmed(campaign)
    (delivery,) = _deliveries()
    assert (delivery.subscription_id, delivery.event) == (subscription.id, "signature.confirmed")
    body = delivery.payload["osdi:signature"]
    assert body["identifiers"] == [f"action_network:{signature.public_id}"]
    assert body["status"] == "confirmed"
    assert body["person"]["email_addresses"][0]["address"] == "ada@example.org"
    assert body["_links"]["osdi:petition"]["href"].endswith(f"/petitions/{campaign.public_id}")


def test_only_listening_active_subscriptions_of_that_group_get_it(campaign, owner):
    _subscribe(campaign.group, owner, events=["rsvp.created"])
    off = _subscribe(campaign.group, owner, events=["signature.confirmed"])
    webhooks.disable(off, owner)
    _subscribe(GroupFactory(owner=owner), owner, events=["signature.confirmed"])
    listening = _subscribe(campaign.group, owner, events=["signature.confirmed"])
    _confirmed(campaign)
    assert [d.subscription_id for d in _deliveries()] == [listening.id]


def test_withdrawing_a_counted_signature_is_delivered_a_pending_one_is_not(campaign, owner):
    _subscribe(campaign.group, owner)
    signature = _confirmed(campaign)
    _outcome, pending = sign(campaign, "bob@example.org")
    assert privacy.withdraw(pending)
    assert _deliveries("signature.withdrawn") == []
    assert privacy.withdraw(signature)
    (withdrawn,) = _deliveries("signature.withdrawn")
    assert withdrawn.payload["osdi:signature"]["status"] == "withdrawn"
    # Signing again after withdrawing is a new confirmation, delivered again.
    _outcome, again = sign(campaign, "ada@example.org")
    confirm_now(again)
    assert len(_deliveries("signature.confirmed")) == 2


def test_rsvps_created_and_cancelled_are_delivered(owner):
    screening = EventFactory()
    _subscribe(screening.campaign.group, owner)
    guest_user = UserFactory(email="guest@example.org")
    request = rsvp.request_place(screening, "Grace", guest_user.email, 2, "en", guest_user)
    assert request.confirmed
    (created,) = _deliveries("rsvp.created")
    body = created.payload["osdi:attendance"]
    assert body["identifiers"] == [f"action_network:{request.rsvp.public_id}"]
    assert body["status"] == "accepted"
    assert body["person"]["email_addresses"][0]["address"] == "guest@example.org"
    rsvp.cancel(request.rsvp)
    (cancelled,) = _deliveries("rsvp.cancelled")
    assert cancelled.payload["osdi:attendance"]["status"] == "declined"


def test_a_guest_a_host_added_is_delivered_without_a_person(owner):
    screening = EventFactory()
    _subscribe(screening.campaign.group, owner)
    rsvp.add_by_host(screening, "Walk-in", "walkin@example.org", 1, "en")
    (created,) = _deliveries("rsvp.created")
    assert "person" not in created.payload["osdi:attendance"]


def test_a_pending_rsvp_cancelled_is_not_delivered(owner):
    screening = EventFactory()
    _subscribe(screening.campaign.group, owner)
    request = rsvp.request_place(screening, "Hal", "hal@example.org", 1, "en", None)
    rsvp.cancel(request.rsvp)
    assert _deliveries() == []


def test_an_unsubscribe_is_delivered_an_erasure_is_not(campaign, owner):
    _subscribe(campaign.group, owner, events=["supporter.unsubscribed"])
    _confirmed(campaign, "ada@example.org")
    _confirmed(campaign, "bob@example.org")
    ada, bob = db.session.scalars(select(Supporter).order_by(Supporter.email))
    assert ada.status == bob.status == SupporterStatus.SUBSCRIBED
    assert change_status(ada, SupporterStatus.UNSUBSCRIBED, source_type="unsubscribe")
    (delivery,) = _deliveries("supporter.unsubscribed")
    assert delivery.payload["osdi:person"]["identifiers"] == [f"action_network:{ada.public_id}"]
    erase.erase(bob, owner)
    assert len(_deliveries("supporter.unsubscribed")) == 1


def test_the_same_change_is_delivered_once(campaign, owner):
    _subscribe(campaign.group, owner)
    group_id = campaign.group_id
    first = webhooks.emit(group_id, WebhookEvent.RSVP_CREATED, "same-key", {"a": 1})
    again = webhooks.emit(group_id, WebhookEvent.RSVP_CREATED, "same-key", {"a": 2})
    assert len(first) == 1 and again == []


def test_with_no_subscription_confirming_reads_one_cached_row_set(campaign, app):
    """The hot path: one indexed query per request or task, then nothing."""
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        if "webhook" in statement:
            statements.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        _confirmed(campaign, "one@example.org")
        _confirmed(campaign, "two@example.org")
        _outcome, third = sign(campaign, "three@example.org")
        confirmation.withdraw(confirm_now(third))
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(statements) == 1
    assert statements[0].lstrip().upper().startswith("SELECT")
