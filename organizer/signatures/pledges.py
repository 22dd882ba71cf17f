"""Threshold pledges (PledgeBank): 'I will do X if N others do'.

A beat task refreshes each open pledge's count, then claims the ones that reached their
threshold (or passed their deadline) with a compare-and-set on status, and writes every
committer's email in that same transaction with an idempotency key: exactly once, even when
two beat runs overlap.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from organizer.accounts.models import User
from organizer.audit.services import record
from organizer.campaigns import notify
from organizer.campaigns.models import Campaign
from organizer.db import utcnow
from organizer.extensions import db
from organizer.signatures.mailing import email_signer
from organizer.signatures.models import (
    Commitment,
    CommitmentStatus,
    Pledge,
    PledgeStatus,
    Signature,
    SignatureStatus,
)
from organizer.urls import external_url

CHUNK = 500


class PledgeError(ValueError):
    pass


def create_pledge(
    campaign: Campaign, user: User, text: str, threshold: int, deadline: date
) -> Pledge:
    if deadline < utcnow().date():
        raise PledgeError(_l("The deadline cannot be in the past."))
    pledge = Pledge(
        campaign_id=campaign.id,
        text=text.strip(),
        threshold=threshold,
        deadline=deadline,
        created_by_id=user.id,
    )
    db.session.add(pledge)
    db.session.flush()
    record(
        user,
        "pledge.created",
        "pledge",
        pledge.id,
        {"campaign": campaign.id, "threshold": threshold, "deadline": deadline.isoformat()},
    )
    return pledge


def pledges_of(campaign: Campaign) -> list[Pledge]:
    return list(
        db.session.scalars(
            select(Pledge).where(Pledge.campaign_id == campaign.id).order_by(Pledge.id.desc())
        )
    )


def get_pledge(campaign: Campaign, pledge_id: int) -> Pledge | None:
    pledge = db.session.get(Pledge, pledge_id)
    return pledge if pledge is not None and pledge.campaign_id == campaign.id else None


def confirmed_commitments(pledge_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Commitment)
            .join(Signature, Signature.id == Commitment.signature_id)
            .where(
                Commitment.pledge_id == pledge_id,
                Commitment.status == CommitmentStatus.CONFIRMED,
                Signature.status == SignatureStatus.CONFIRMED,
                Signature.suspect.is_(False),
            )
        )
        or 0
    )


def check_pledges(today: date | None = None) -> list[tuple[int, PledgeStatus]]:
    """Refresh open pledges' counts; trigger or lapse those whose moment has come."""
    today = today or utcnow().date()
    decided = []
    open_pledges = db.session.execute(
        select(Pledge.id, Pledge.threshold, Pledge.deadline)
        .where(Pledge.status == PledgeStatus.OPEN)
        .order_by(Pledge.id)
    ).all()
    for pledge_id, threshold, deadline in open_pledges:
        committed = confirmed_commitments(pledge_id)
        if committed >= threshold:
            outcome = PledgeStatus.TRIGGERED
        elif today > deadline:
            outcome = PledgeStatus.LAPSED
        else:
            _set_count(pledge_id, committed)
            continue
        if _claim(pledge_id, outcome, committed):
            _tell_committers(pledge_id, outcome)
            decided.append((pledge_id, outcome))
    return decided


def _set_count(pledge_id: int, committed: int) -> None:
    db.session.execute(
        update(Pledge)
        .where(
            Pledge.id == pledge_id,
            Pledge.status == PledgeStatus.OPEN,
            Pledge.committed != committed,
        )
        .values(committed=committed)
        .execution_options(synchronize_session=False)
    )


def _claim(pledge_id: int, outcome: PledgeStatus, committed: int) -> bool:
    """open → triggered|lapsed for exactly one caller, however many run at once."""
    result = db.session.execute(
        update(Pledge)
        .where(Pledge.id == pledge_id, Pledge.status == PledgeStatus.OPEN)
        .values(status=outcome, committed=committed, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def _tell_committers(pledge_id: int, outcome: PledgeStatus) -> None:
    pledge = db.session.get(Pledge, pledge_id, populate_existing=True)
    assert pledge is not None
    template = "pledge_triggered" if outcome == PledgeStatus.TRIGGERED else "pledge_lapsed"
    context = {
        "pledge": pledge,
        "campaign": pledge.campaign,
        "page_url": external_url(
            "signatures.pledge", slug=pledge.campaign.slug, pledge_id=pledge.id
        ),
    }
    last_id = 0
    while True:
        signatures = db.session.scalars(
            select(Signature)
            .join(Commitment, Commitment.signature_id == Signature.id)
            .where(
                Commitment.pledge_id == pledge_id,
                Signature.id > last_id,
                Commitment.status == CommitmentStatus.CONFIRMED,
                Signature.status == SignatureStatus.CONFIRMED,
            )
            .order_by(Signature.id)
            .limit(CHUNK)
        ).all()
        if not signatures:
            break
        for signature in signatures:
            email_signer(
                signature,
                template,
                context,
                related=("pledge", pledge_id),
                idempotency_key=f"pledge:{pledge_id}:{outcome}:{signature.id}",
            )
        last_id = signatures[-1].id
    notify.pledge_decided(pledge)
    record(None, f"pledge.{outcome}", "pledge", pledge_id, {"committed": pledge.committed})
