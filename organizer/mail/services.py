"""The outbox: queue in the caller's transaction, enqueue after commit, deliver exactly once.

DESIGN.md decision 1. Nothing here commits: the request or the task base class does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from functools import lru_cache
from typing import Any, cast
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import Table, func, insert, select, update

from organizer.db import after_commit, utcnow
from organizer.extensions import db
from organizer.mail import bodies, mime
from organizer.mail.delivery import (
    DeliveryResult,
    claim_batch,
    claim_many,
    deliver,
    deliver_claimed,
    log_sent_together,
    retry_delay,
)
from organizer.mail.dispatch import (
    DELIVER_BATCH,
    DELIVER_BATCH_TASK,
    DELIVER_TASK,
    dispatcher_for,
)
from organizer.mail.mime import Attachment, Outgoing
from organizer.mail.models import EmailStatus, OutboundAttachment, OutboundEmail
from organizer.mail.rendering import RenderedEmail, render_email

# The outbox's API in one place, for the other domains, the tasks and the tests.
__all__ = [
    "DELIVER_BATCH", "DELIVER_BATCH_TASK", "DELIVER_TASK", "Attachment", "DeliveryResult",
    "build_message", "claim", "claim_batch", "claim_many", "deliver", "deliver_claimed",
    "enqueue_after_commit", "flush_dispatch", "log_sent_together", "queue_email",
    "queue_email_id", "retry_delay", "sweep",
]  # fmt: skip

SWEEP_BATCH = 1000


def queue_email(
    *,
    to: str,
    template: str,
    locale: str,
    kind: str | None = None,
    context: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    idempotency_key: str | None = None,
    related: tuple[str, int] | None = None,
    attachments: Sequence[Attachment] = (),
) -> OutboundEmail:
    """Write the message to the outbox; its delivery is enqueued once the transaction commits."""
    if idempotency_key is not None:
        existing = db.session.scalar(
            select(OutboundEmail).where(OutboundEmail.idempotency_key == idempotency_key)
        )
        if existing is not None:
            return existing
    rendered = render_email(template, locale, **(context or {}))
    email = OutboundEmail(
        to_addr=to,
        subject=rendered.subject,
        text_body=rendered.text,
        html_body=rendered.html,
        headers=headers or {},
        message_id=make_msgid(domain=_mail_domain()),
        kind=kind or template,
        locale=locale,
        related_type=related[0] if related else None,
        related_id=related[1] if related else None,
        idempotency_key=idempotency_key,
        status=EmailStatus.QUEUED,
        attachments=[
            OutboundAttachment(
                position=position,
                filename=item.filename,
                mime_type=item.mime_type,
                sha256=hashlib.sha256(item.content).hexdigest(),
                content=item.content,
            )
            for position, item in enumerate(attachments)
        ],
    )
    db.session.add(email)
    db.session.flush()
    enqueue_after_commit([email.id])
    return email


def queue_email_id(
    *,
    to: str,
    template: str,
    locale: str,
    context: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    related: tuple[str, int] | None = None,
    kind: str | None = None,
    rendered: RenderedEmail | None = None,
) -> int:
    """``queue_email`` for a hot path: the same row, written with one ``INSERT … RETURNING``
    and no ORM object; no attachments, no idempotency key. Returns the row's id.
    ``rendered``: the message already rendered from ``template`` (e.g. from a cache)."""
    if rendered is None:
        rendered = render_email(template, locale, **(context or {}))
    now = utcnow()
    email_id: int = db.session.execute(
        _INSERT,
        {
            "to_addr": to, "subject": rendered.subject, "text_body": rendered.text,
            "html_body": rendered.html, "headers": headers or {},
            "message_id": make_msgid(domain=_mail_domain()), "kind": kind or template,
            "locale": locale, "related_type": related[0] if related else None,
            "related_id": related[1] if related else None, "idempotency_key": None,
            "status": EmailStatus.QUEUED, "attempts": 0, "created_at": now, "updated_at": now,
        },
    ).scalar_one()  # fmt: skip
    enqueue_after_commit([email_id])
    return email_id


_OUTBOX = cast(Table, OutboundEmail.__table__)
_INSERT = insert(_OUTBOX).returning(_OUTBOX.c.id)


def _mail_domain() -> str:
    return _hostname(current_app.config["BASE_URL"])


@lru_cache(maxsize=8)
def _hostname(url: str) -> str:
    return urlsplit(url).hostname or "cahier.invalid"


def enqueue_after_commit(email_ids: list[int]) -> None:
    """Once the transaction commits, hand the ids to this process's dispatcher, which
    publishes them in batches (``organizer.mail.dispatch``)."""
    dispatcher = dispatcher_for(current_app._get_current_object())  # type: ignore[attr-defined]
    ids = list(email_ids)
    after_commit(db.session, lambda: dispatcher.add(ids))


def claim(email_id: int) -> bool:
    """Compare-and-set queued → sending. True for exactly one caller per due attempt."""
    return claim_many([email_id]) == [email_id]


def build_message(email: OutboundEmail) -> EmailMessage:
    """The message of an outbox row, built by the general builder (attachments and all)."""
    text, html = bodies.bodies_of(email)
    outgoing = Outgoing(
        id=email.id, to_addr=email.to_addr, subject=email.subject, text_body=text,
        html_body=html, headers=email.headers or {}, message_id=email.message_id,
        kind=email.kind, locale=email.locale, attempts=email.attempts,
        attachments=tuple(
            Attachment(a.filename, a.mime_type, a.content) for a in email.attachments
        ),
    )  # fmt: skip
    return mime.build_message(outgoing, current_app.config["MAIL_FROM"])


def flush_dispatch() -> int:
    """Publish this process's pending ids now rather than within ``dispatch.INTERVAL``."""
    return dispatcher_for(current_app._get_current_object()).flush()  # type: ignore[attr-defined]


def sweep() -> list[int]:
    """Requeue what the broker lost: due rows still queued a while after they were due,
    and claims abandoned by a worker that died mid-send."""
    now = utcnow()
    stale_before = now - timedelta(seconds=current_app.config["OUTBOX_STALE_CLAIM_SECONDS"])
    db.session.execute(
        update(OutboundEmail)
        .where(OutboundEmail.status == EmailStatus.SENDING, OutboundEmail.claimed_at < stale_before)
        .values(status=EmailStatus.QUEUED, next_attempt_at=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    due_before = now - timedelta(seconds=current_app.config["OUTBOX_SWEEP_AGE_SECONDS"])
    ids = list(
        db.session.scalars(
            select(OutboundEmail.id)
            .where(
                OutboundEmail.status == EmailStatus.QUEUED,
                func.coalesce(OutboundEmail.next_attempt_at, OutboundEmail.created_at)
                <= due_before,
            )
            .order_by(OutboundEmail.id)
            .limit(SWEEP_BATCH)
        )
    )
    if ids:
        enqueue_after_commit(ids)
    return ids
