"""Signatures from addresses on file, handed from the request to a worker through a row.

The request only inserts the row (as cheap as a new address's own INSERTs, so that its
timing tells no stranger who has signed) and publishes a task after commit. The worker
claims the row, decides (:func:`organizer.signatures.signing.sign_again`) and deletes it.
A task the broker lost, or a worker that died holding a claim, is found by :func:`sweep`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from flask import current_app
from sqlalchemy import ColumnElement, Table, delete, insert, or_, select, update

from organizer.db import after_commit, utcnow
from organizer.extensions import db
from organizer.signatures import signing
from organizer.signatures.models import SignAgainRequest
from organizer.signatures.signing import Outcome, Signer

TASK = "signatures.sign_again"
SWEEP_BATCH = 500

_request = cast(Table, SignAgainRequest.__table__)


def defer(campaign_id: int, revision_id: int, signer: Signer, requested_at: datetime) -> None:
    request_id = db.session.execute(
        insert(_request)
        .values(
            campaign_id=campaign_id,
            revision_id=revision_id,
            signer=signing.signer_payload(signer),
            requested_at=requested_at,
        )
        .returning(_request.c.id)
    ).scalar_one()
    _publish_after_commit([request_id])


def run(request_id: int) -> Outcome | None:
    """Claim the request, decide, and delete it; None when another worker holds it or it
    is gone (done already)."""
    now = utcnow()
    claimed = db.session.execute(
        update(_request)
        .where(_request.c.id == request_id, _claimable(now))
        .values(claimed_at=now)
        .returning(
            _request.c.campaign_id,
            _request.c.revision_id,
            _request.c.signer,
            _request.c.requested_at,
        )
    ).one_or_none()
    if claimed is None:
        return None
    outcome = signing.sign_again(
        claimed.campaign_id,
        claimed.revision_id,
        signing.signer_from_payload(claimed.signer),
        claimed.requested_at,
    )
    db.session.execute(delete(_request).where(_request.c.id == request_id))
    return outcome


def sweep() -> list[int]:
    """Requeue requests whose task was lost, and claims a dead worker left behind."""
    now = utcnow()
    lost_before = now - timedelta(seconds=current_app.config["OUTBOX_SWEEP_AGE_SECONDS"])
    ids = list(
        db.session.scalars(
            select(_request.c.id)
            .where(_claimable(now), _request.c.requested_at <= lost_before)
            .order_by(_request.c.id)
            .limit(SWEEP_BATCH)
        )
    )
    if ids:
        _publish_after_commit(ids)
    return ids


def _claimable(now: datetime) -> ColumnElement[bool]:
    stale = now - timedelta(seconds=current_app.config["OUTBOX_STALE_CLAIM_SECONDS"])
    return or_(_request.c.claimed_at.is_(None), _request.c.claimed_at < stale)


def _publish_after_commit(request_ids: list[int]) -> None:
    celery = current_app.extensions["celery"]

    def publish() -> None:
        for request_id in request_ids:
            # A publish that fails leaves the row for the sweeper; the request must not fail.
            try:
                celery.send_task(TASK, args=[request_id], retry=False)
            except Exception:
                current_app.logger.warning("sign-again task not published; the sweeper will")

    after_commit(db.session, publish)
