"""The group's webhooks page: owners only, the secret shown once, events, off and on, a new
secret, deletion, the delivery log; every change audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from organizer.api.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from organizer.audit.models import AuditLog
from organizer.extensions import db
from organizer.groups.models import GroupMembership, GroupRole
from tests.campaigns.conftest import login, setup
from tests.factories import GroupFactory, UserFactory
from tests.support.web import csrf_token, submit

SLUG = "hooks-union"
PAGE = f"/organize/groups/{SLUG}/webhooks"
URL = "http://127.0.0.1:8765/cahier?token=receiver-own-secret"


@pytest.fixture
def team(app, db_session):
    with setup(app):
        owner = UserFactory(email="owner@example.org")
        group = GroupFactory(owner=owner, slug=SLUG, name="Hooks Union")
        organizer = UserFactory(email="organizer@example.org")
        db.session.add(
            GroupMembership(group_id=group.id, user_id=organizer.id, role=GroupRole.ORGANIZER)
        )
        UserFactory(email="outsider@example.org")
        group_id = group.id
    return group_id


def _subscribe(client, url=URL, events=("signature.confirmed", "rsvp.created")):
    return submit(client, PAGE, {"url": url, "events": list(events)})


def _only_subscription(app) -> WebhookSubscription:
    with app.app_context():
        (subscription,) = db.session.scalars(select(WebhookSubscription))
        db.session.expunge(subscription)
        return subscription


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_owners_reach_the_page_from_the_group_dashboard(client, team):
    login(client, "owner@example.org")
    dashboard = client.get(f"/organize/groups/{SLUG}").get_data(as_text=True)
    assert f'href="{PAGE}"' in dashboard
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "The group has no webhook yet." in page.get_data(as_text=True)


@pytest.mark.parametrize(("email", "status"), [("organizer@example.org", 403),
                                               ("outsider@example.org", 404)])  # fmt: skip
def test_only_owners_manage_webhooks(client, team, email, status):
    login(client, email)
    assert client.get(PAGE).status_code == status
    assert f'href="{PAGE}"' not in client.get(f"/organize/groups/{SLUG}").get_data(as_text=True)


def test_subscribing_shows_the_secret_once(app, client, team):
    login(client, "owner@example.org")
    created = _subscribe(client)
    assert created.status_code == 201
    subscription = _only_subscription(app)
    assert subscription.events == ["signature.confirmed", "rsvp.created"]
    assert subscription.active and len(subscription.secret) == 64
    assert subscription.secret in created.get_data(as_text=True)
    later = client.get(f"{PAGE}/{subscription.public_id}")
    assert later.status_code == 200
    assert subscription.secret not in later.get_data(as_text=True)
    assert subscription.secret not in client.get(PAGE).get_data(as_text=True)
    # The audit log names the host, not the URL with the receiver's own token in it.
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "webhook.subscribed"))
        assert entry.details["host"] == "127.0.0.1"
        assert "receiver-own-secret" not in str(entry.details)


@pytest.mark.parametrize(
    ("url", "events", "message"),
    [
        ("http://example.org/hook", ("signature.confirmed",), "must start with https://"),
        ("not a url", ("signature.confirmed",), "Enter a full URL"),
        (URL, (), "Choose at least one event."),
        (URL, ("signature.deleted",), "is not a valid choice"),
    ],
)
def test_a_bad_subscription_is_a_400_with_the_reason(app, client, team, url, events, message):
    login(client, "owner@example.org")
    refused = _subscribe(client, url, events)
    assert refused.status_code == 400
    assert message in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(WebhookSubscription)).all() == []


def _post(client, path):
    page = client.get(path.rsplit("/", 1)[0])
    return client.post(path, data={"csrf_token": csrf_token(page.get_data(as_text=True))})


def test_off_on_new_secret_events_and_delete(app, client, team):
    login(client, "owner@example.org")
    _subscribe(client)
    old = _only_subscription(app)
    detail = f"{PAGE}/{old.public_id}"

    off = _post(client, f"{detail}/disable")
    assert off.status_code == 302
    assert not _only_subscription(app).active
    assert "events are no longer sent" in client.get(detail).get_data(as_text=True)
    _post(client, f"{detail}/enable")
    assert _only_subscription(app).active

    rotated = _post(client, f"{detail}/secret")
    new_secret = _only_subscription(app).secret
    assert rotated.status_code == 200 and new_secret != old.secret
    assert new_secret in rotated.get_data(as_text=True)

    page = client.get(detail).get_data(as_text=True)
    form = {"csrf_token": csrf_token(page), "events": ["supporter.unsubscribed"]}
    saved = client.post(f"{detail}/events", data=form)
    assert saved.status_code == 302
    assert _only_subscription(app).events == ["supporter.unsubscribed"]

    deleted = _post(client, f"{detail}/delete")
    assert deleted.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(WebhookSubscription)).all() == []
    assert _actions(app) == [
        "webhook.subscribed", "webhook.disabled", "webhook.enabled", "webhook.secret_rotated",
        "webhook.events_changed", "webhook.deleted",
    ]  # fmt: skip


def test_the_delivery_log_says_what_happened(app, client, team):
    login(client, "owner@example.org")
    _subscribe(client)
    subscription = _only_subscription(app)
    with setup(app):
        db.session.add_all([
            WebhookDelivery(subscription_id=subscription.id, event="signature.confirmed",
                            dedupe_key="a", payload={}, status=DeliveryStatus.DELIVERED,
                            attempts=1, last_status_code=204),
            WebhookDelivery(subscription_id=subscription.id, event="rsvp.created",
                            dedupe_key="b", payload={}, status=DeliveryStatus.ABANDONED,
                            attempts=3, last_status_code=302, last_error="redirect"),
            WebhookDelivery(subscription_id=subscription.id, event="rsvp.created",
                            dedupe_key="c", payload={}, status=DeliveryStatus.PENDING,
                            attempts=1, last_error="address: 10.0.0.1"),
        ])  # fmt: skip
    html = client.get(f"{PAGE}/{subscription.public_id}").get_data(as_text=True)
    assert "Delivered" in html and "HTTP 204" in html
    assert "Given up" in html and "HTTP 302" in html
    assert "a redirect, which webhooks do not follow" in html
    assert "resolves to 10.0.0.1, which is not a public address" in html
    assert "Next attempt:" in html


def test_another_groups_webhook_is_a_404(app, client, team):
    login(client, "owner@example.org")
    with setup(app):
        other = GroupFactory()
        foreign = WebhookSubscription(group_id=other.id, url=URL, events=[], secret="x" * 64)
        db.session.add(foreign)
    with app.app_context():
        public_id = db.session.scalar(select(WebhookSubscription.public_id))
    assert client.get(f"{PAGE}/{public_id}").status_code == 404
