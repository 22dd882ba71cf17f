"""Webhook subscriptions, and the events other domains emit to them.

A group subscribes a URL to some events. When one of them happens, the service that made
the change calls :func:`emit` in its own transaction: one ``WebhookDelivery`` row per
subscription listening, posted by a worker once the transaction commits
(``organizer.api.webhook_delivery``). Nothing here commits.

The sign and confirm paths are hot, so a group's subscriptions are read with one indexed
query per request (or task), and nothing else happens when no subscription listens.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import g
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from organizer.accounts.models import User
from organizer.api.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from organizer.api.webhook_delivery import enqueue_after_commit, is_production
from organizer.api.webhook_targets import TargetError, parse_url, resolve
from organizer.audit.services import record
from organizer.db import utcnow
from organizer.extensions import db
from organizer.groups.models import Group

if TYPE_CHECKING:
    from organizer.events.models import RSVP
    from organizer.signatures.models import Signature
    from organizer.supporters.models import Supporter

# A group rarely needs more; each one multiplies every delivery.
MAX_SUBSCRIPTIONS = 10
_CACHE = "cahier_webhook_subscriptions"
Payload = Mapping[str, Any] | Callable[[], Mapping[str, Any]]


class WebhookError(ValueError):
    """A request the rules refuse; the message is for the organizer (already translated)."""


# --- Subscriptions ----------------------------------------------------------------------------


def new_secret() -> str:
    return secrets.token_hex(32)


def subscriptions_of(group: Group) -> list[WebhookSubscription]:
    return list(
        db.session.scalars(
            select(WebhookSubscription)
            .where(WebhookSubscription.group_id == group.id)
            .order_by(WebhookSubscription.id)
        )
    )


def get(group: Group, public_id: str) -> WebhookSubscription | None:
    return db.session.scalar(
        select(WebhookSubscription).where(
            WebhookSubscription.group_id == group.id, WebhookSubscription.public_id == public_id
        )
    )


def check_url(url: str) -> str:
    """The URL as stored, or WebhookError: in production its host must resolve to public
    addresses now (the worker checks again at each delivery)."""
    production = is_production()
    try:
        target = parse_url(url, production)
        if production:
            resolve(target, production)
    except TargetError as exc:
        raise WebhookError(str(exc)) from exc
    return url.strip()


def _events(events: list[str]) -> list[str]:
    chosen: list[str] = [e.value for e in WebhookEvent if e.value in set(events)]
    if not chosen:
        raise WebhookError(_("Choose at least one event."))
    return chosen


def subscribe(group: Group, url: str, events: list[str], actor: User) -> WebhookSubscription:
    """A new active subscription, with a fresh secret (the caller shows it once)."""
    if len(subscriptions_of(group)) >= MAX_SUBSCRIPTIONS:
        raise WebhookError(
            ngettext(
                "A group can have at most %(num)d webhook.",
                "A group can have at most %(num)d webhooks.",
                MAX_SUBSCRIPTIONS,
            )
        )
    subscription = WebhookSubscription(
        group_id=group.id, url=check_url(url), events=_events(events), secret=new_secret(),
        created_by_id=actor.id,
    )  # fmt: skip
    db.session.add(subscription)
    db.session.flush()
    _audit(actor, "webhook.subscribed", subscription)
    return subscription


def change_events(subscription: WebhookSubscription, events: list[str], actor: User) -> None:
    subscription.events = _events(events)
    db.session.flush()
    _audit(actor, "webhook.events_changed", subscription)


def rotate_secret(subscription: WebhookSubscription, actor: User) -> str:
    subscription.secret = new_secret()
    db.session.flush()
    _audit(actor, "webhook.secret_rotated", subscription)
    return subscription.secret


def disable(subscription: WebhookSubscription, actor: User) -> bool:
    if not subscription.active:
        return False
    subscription.active, subscription.disabled_at = False, utcnow()
    db.session.flush()
    _audit(actor, "webhook.disabled", subscription)
    return True


def enable(subscription: WebhookSubscription, actor: User) -> bool:
    """Back on, with its failure count cleared; deliveries given up on stay given up."""
    if subscription.active:
        return False
    subscription.url = check_url(subscription.url)
    subscription.active, subscription.disabled_at = True, None
    subscription.consecutive_failures = 0
    db.session.flush()
    _audit(actor, "webhook.enabled", subscription)
    return True


def delete(subscription: WebhookSubscription, actor: User) -> None:
    _audit(actor, "webhook.deleted", subscription)
    db.session.delete(subscription)
    db.session.flush()


def _audit(actor: User, action: str, subscription: WebhookSubscription) -> None:
    _forget(subscription.group_id)
    # The URL may hold a receiver's own token in its query string: the host is enough.
    host = parse_url_host(subscription.url)
    record(actor, action, "webhook_subscription", subscription.id,
           {"group_id": subscription.group_id, "host": host,
            "events": list(subscription.events)})  # fmt: skip


def parse_url_host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def deliveries_of(subscription: WebhookSubscription, limit: int = 50) -> list[WebhookDelivery]:
    return list(
        db.session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription.id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


# --- Emitting ---------------------------------------------------------------------------------


def _listening(group_id: int) -> list[tuple[int, frozenset[str]]]:
    """The group's active subscriptions and their events, read once per request or task."""
    cache: dict[int, list[tuple[int, frozenset[str]]]] = g.setdefault(_CACHE, {})
    if group_id not in cache:
        rows = db.session.execute(
            select(WebhookSubscription.id, WebhookSubscription.events).where(
                WebhookSubscription.group_id == group_id, WebhookSubscription.active.is_(True)
            )
        )
        cache[group_id] = [(row.id, frozenset(row.events or ())) for row in rows]
    return cache[group_id]


def _forget(group_id: int) -> None:
    g.get(_CACHE, {}).pop(group_id, None)


def listens(group_id: int, event: WebhookEvent) -> bool:
    return any(event.value in events for _id, events in _listening(group_id))


def emit(group_id: int, event: WebhookEvent, dedupe_key: str, payload: Payload) -> list[int]:
    """Write a delivery for each of the group's subscriptions listening to ``event``, in the
    caller's transaction; they are posted once it commits. ``payload`` may be a function,
    called only when someone listens. The same ``dedupe_key`` is delivered once per
    subscription. Returns the new deliveries' ids."""
    wanted = [sub_id for sub_id, events in _listening(group_id) if event.value in events]
    if not wanted:
        return []
    done = set(
        db.session.scalars(
            select(WebhookDelivery.subscription_id).where(
                WebhookDelivery.subscription_id.in_(wanted),
                WebhookDelivery.dedupe_key == dedupe_key,
            )
        )
    )
    wanted = [sub_id for sub_id in wanted if sub_id not in done]
    if not wanted:
        return []
    body = dict(payload() if callable(payload) else payload)
    rows = [
        WebhookDelivery(
            subscription_id=sub_id, event=event.value, dedupe_key=dedupe_key, payload=body
        )
        for sub_id in wanted
    ]
    db.session.add_all(rows)
    db.session.flush()
    ids = [row.id for row in rows]
    enqueue_after_commit(ids)
    return ids


def _key(event: WebhookEvent, public_id: str, at: datetime | None) -> str:
    return f"{event.value}:{public_id}:{(at or utcnow()).strftime('%Y%m%dT%H%M%S%f')}"


def signature_changed(signature: Signature, event: WebhookEvent) -> None:
    """A signature confirmed (it counts from now) or withdrawn (it stopped counting)."""
    group_id = signature.campaign.group_id
    if not listens(group_id, event):
        return
    from organizer.api import webhook_payloads

    at = (
        signature.confirmed_at
        if event == WebhookEvent.SIGNATURE_CONFIRMED
        else signature.withdrawn_at
    )
    emit(group_id, event, _key(event, signature.public_id, at),
         lambda: webhook_payloads.signature(signature))  # fmt: skip


def rsvp_changed(guest: RSVP, event: WebhookEvent) -> None:
    """A guest confirmed (going or waitlisted), or gave their places back."""
    group_id = guest.event.campaign.group_id
    if not listens(group_id, event):
        return
    from organizer.api import webhook_payloads

    at = guest.cancelled_at if event == WebhookEvent.RSVP_CANCELLED else None
    emit(group_id, event, _key(event, guest.public_id, at),
         lambda: webhook_payloads.attendance(guest))  # fmt: skip


def supporter_unsubscribed(supporter: Supporter) -> None:
    event = WebhookEvent.SUPPORTER_UNSUBSCRIBED
    if not listens(supporter.group_id, event):
        return
    from organizer.api import webhook_payloads

    emit(supporter.group_id, event, _key(event, supporter.public_id, supporter.updated_at),
         lambda: webhook_payloads.person(supporter))  # fmt: skip
