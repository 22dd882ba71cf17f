"""Posting webhook deliveries: claim, sign, POST to the checked address, record, retry.

The worker's side of the webhook outbox (``WebhookDelivery``), after the mail outbox
(DESIGN.md decision 1): a delivery is claimed with a compare-and-set, the claim is committed
before the POST, and the outcome after it. Delivery is at least once: a worker that dies
after the receiver answered and before its commit leaves the claim behind, and the sweeper
posts the same delivery again once the claim is stale. Receivers dedupe on the delivery id.
Nothing here commits: the task does (``workers/webhooks.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import or_, select, update

from organizer.api.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from organizer.api.webhook_targets import (
    IPAddress,
    NonPublicAddress,
    Target,
    TargetError,
    UnresolvableHost,
    parse_url,
    resolve,
)
from organizer.audit.services import record
from organizer.db import after_commit, utcnow
from organizer.extensions import db

log = logging.getLogger(__name__)

DELIVER_TASK = "webhooks.deliver"
SWEEP_TASK = "webhooks.sweep"
SWEEP_BATCH = 500
# Celery may run a retry a hair before the instant we stored; this much early is still due.
DUE_TOLERANCE = timedelta(seconds=1)
# The receiver's answer is read only this far: its status code is all we keep.
MAX_RESPONSE_BYTES = 64 * 1024
USER_AGENT = "Cahier-Webhooks/1"
SIGNATURE_HEADER = "X-Cahier-Signature"
TIMESTAMP_HEADER = "X-Cahier-Timestamp"
DELIVERY_HEADER = "X-Cahier-Delivery"
EVENT_HEADER = "X-Cahier-Event"


@dataclass(frozen=True)
class Outcome:
    status: DeliveryStatus
    retry_in: float | None = None


def is_production() -> bool:
    return bool(current_app.config["CAHIER_ENV"] == "production")


def enqueue_after_commit(delivery_ids: list[int]) -> None:
    celery = current_app.extensions["celery"]
    ids = list(delivery_ids)

    def publish() -> None:
        for delivery_id in ids:
            celery.send_task(DELIVER_TASK, args=[delivery_id], retry=False)

    after_commit(db.session, publish)


def retry_delay(attempts: int) -> float:
    """Seconds before the next attempt, doubling from the base up to the cap."""
    base = float(current_app.config["WEBHOOK_RETRY_BASE_SECONDS"])
    cap = float(current_app.config["WEBHOOK_RETRY_MAX_SECONDS"])
    return float(min(cap, base * 2 ** max(0, attempts - 1)))


def _claimable(now: Any) -> Any:
    stale = now - timedelta(seconds=current_app.config["WEBHOOK_STALE_CLAIM_SECONDS"])
    return (
        WebhookDelivery.status == DeliveryStatus.PENDING,
        or_(WebhookDelivery.claimed_at.is_(None), WebhookDelivery.claimed_at < stale),
    )


def claim(delivery_id: int) -> bool:
    """Compare-and-set: true for exactly one caller per due attempt."""
    now = utcnow()
    result = db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.next_attempt_at <= now + DUE_TOLERANCE,
            *_claimable(now),
        )
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def sweep() -> list[int]:
    """Requeue what the broker lost: pending deliveries a while past due, and claims a dead
    worker left behind (the one case where a receiver may get a delivery twice)."""
    now = utcnow()
    due_before = now - timedelta(seconds=current_app.config["WEBHOOK_SWEEP_AGE_SECONDS"])
    ids = list(
        db.session.scalars(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.next_attempt_at <= due_before, *_claimable(now))
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(SWEEP_BATCH)
        )
    )
    if ids:
        enqueue_after_commit(ids)
    return ids


# --- The request ------------------------------------------------------------------------------


def body_of(delivery: WebhookDelivery) -> bytes:
    """A JSON array of one event, as Action Network's webhooks send them."""
    envelope = {
        "idempotency_key": delivery.public_id,
        "cahier:event": delivery.event,
        "created_date": delivery.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        **delivery.payload,
    }
    return json.dumps([envelope], ensure_ascii=False, separators=(",", ":")).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256, keyed by the secret, of the timestamp, a dot and
    the body: signing the time too lets a receiver refuse an old request replayed."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def headers_for(delivery: WebhookDelivery, secret: str, body: bytes) -> dict[str, str]:
    timestamp = int(time.time())
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: delivery.public_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }


def _connection(target: Target, address: IPAddress, timeout: float) -> http.client.HTTPConnection:
    """A connection to the address already checked, under the URL's host name (Host header,
    TLS SNI and certificate check), so that no second DNS answer is ever used."""
    conn: http.client.HTTPConnection
    if target.scheme == "https":
        context = ssl.create_default_context()
        conn = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=context
        )
    else:
        conn = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
    pinned = (str(address), target.port)
    conn._create_connection = (  # type: ignore[attr-defined]
        lambda _address, timeout, source: socket.create_connection(pinned, timeout, source)
    )
    return conn


def post(target: Target, address: IPAddress, headers: dict[str, str], body: bytes) -> int:
    """POST once and return the status code. http.client follows no redirect: a 3xx is
    just an answer, and a failed one."""
    conn = _connection(target, address, float(current_app.config["WEBHOOK_TIMEOUT_SECONDS"]))
    try:
        conn.request("POST", target.path, body=body, headers=headers)
        response = conn.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        return int(response.status)
    finally:
        conn.close()


def _attempt(
    delivery: WebhookDelivery, subscription: WebhookSubscription
) -> tuple[int | None, str | None]:
    """(status code, error): error is None on a 2xx. Errors are short codes with a detail
    ("timeout", "address: 10.0.0.1"): the delivery log shows them in the reader's language."""
    production = is_production()
    body = body_of(delivery)
    try:
        target = parse_url(subscription.url, production)
        address = resolve(target, production)
        status = post(target, address, headers_for(delivery, subscription.secret, body), body)
    except NonPublicAddress as exc:
        return None, f"address: {exc.address}"
    except UnresolvableHost:
        return None, "dns"
    except TargetError:
        return None, "url"
    except ssl.SSLError as exc:
        return None, f"tls: {exc.reason or exc}"[:300]
    except TimeoutError:
        return None, "timeout"
    except (OSError, http.client.HTTPException) as exc:
        return None, f"connection: {exc}"[:300]
    if 200 <= status < 300:
        return status, None
    return status, "redirect" if 300 <= status < 400 else "status"


def deliver(delivery_id: int) -> Outcome:
    """Post a claimed delivery once and record what happened."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return Outcome(delivery.status if delivery else DeliveryStatus.ABANDONED)
    subscription = delivery.subscription
    if not subscription.active:
        _finish(delivery, DeliveryStatus.ABANDONED, None, "disabled")
        return Outcome(DeliveryStatus.ABANDONED)
    status_code, error = _attempt(delivery, subscription)
    delivery.attempts += 1
    if error is None:
        _finish(delivery, DeliveryStatus.DELIVERED, status_code, None)
        _reset_failures(subscription)
        return Outcome(DeliveryStatus.DELIVERED)
    log.info("webhook delivery %s attempt %s failed: %s", delivery.id, delivery.attempts, error)
    if delivery.attempts >= int(current_app.config["WEBHOOK_MAX_ATTEMPTS"]):
        _finish(delivery, DeliveryStatus.ABANDONED, status_code, error)
        _count_failure(subscription)
        return Outcome(DeliveryStatus.ABANDONED)
    wait = retry_delay(delivery.attempts)
    delivery.last_status_code, delivery.last_error = status_code, error
    delivery.next_attempt_at = utcnow() + timedelta(seconds=wait)
    delivery.claimed_at = None
    db.session.flush()
    return Outcome(DeliveryStatus.PENDING, retry_in=wait)


def _finish(
    delivery: WebhookDelivery, status: DeliveryStatus, code: int | None, error: str | None
) -> None:
    delivery.status, delivery.last_status_code, delivery.last_error = status, code, error
    delivery.claimed_at = None
    if status == DeliveryStatus.DELIVERED:
        delivery.delivered_at = utcnow()
    # The payload holds a supporter's name and email: once it can no longer be sent it is
    # dropped, so that the log keeps no personal data (and an erasure has nothing to chase).
    delivery.payload = {}
    db.session.flush()


def _reset_failures(subscription: WebhookSubscription) -> None:
    # Guarded, so that a healthy subscription's row is not written on every delivery.
    db.session.execute(
        update(WebhookSubscription)
        .where(
            WebhookSubscription.id == subscription.id, WebhookSubscription.consecutive_failures != 0
        )
        .values(consecutive_failures=0)
        .execution_options(synchronize_session=False)
    )


def _count_failure(subscription: WebhookSubscription) -> None:
    """One more delivery given up on; past the threshold, the subscription is disabled."""
    failures = db.session.execute(
        update(WebhookSubscription)
        .where(WebhookSubscription.id == subscription.id)
        .values(consecutive_failures=WebhookSubscription.consecutive_failures + 1)
        .returning(WebhookSubscription.consecutive_failures)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    if failures < int(current_app.config["WEBHOOK_DISABLE_AFTER_FAILURES"]):
        return
    disabled = db.session.execute(
        update(WebhookSubscription)
        .where(WebhookSubscription.id == subscription.id, WebhookSubscription.active.is_(True))
        .values(active=False, disabled_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if disabled.rowcount == 1:  # type: ignore[attr-defined]
        record(None, "webhook.auto_disabled", "webhook_subscription", subscription.id,
               {"group_id": subscription.group_id, "failures": failures,
                "host": urlsplit(subscription.url).hostname or ""})  # fmt: skip
