"""Milestones: 25/50/75/100 % of the goal plus numbers organizers add.

The count fold claims each reached milestone with a compare-and-set and writes its emails in
the same transaction (DESIGN.md decision 2), so each is announced exactly once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from organizer.accounts.models import User
from organizer.campaigns import notify
from organizer.campaigns.models import Campaign
from organizer.db import utcnow
from organizer.extensions import db
from organizer.signatures import counting
from organizer.signatures.consents import Purpose, consented
from organizer.signatures.mailing import email_signer
from organizer.signatures.models import Milestone, Signature, SignatureStatus
from organizer.signatures.settings import settings_for
from organizer.urls import external_url

PERCENTS = (25, 50, 75, 100)
SIGNER_CHUNK = 500


class MilestoneError(ValueError):
    pass


@dataclass(frozen=True)
class Mark:
    threshold: int
    percent: int | None
    reached: bool


def marks(campaign: Campaign, total: int) -> list[Mark]:
    """The milestones to show, read-only: stored rows plus the current goal's percentages."""
    rows = db.session.scalars(
        select(Milestone)
        .where(Milestone.campaign_id == campaign.id)
        .execution_options(populate_existing=True)
    ).all()
    by_threshold = {
        m.threshold: Mark(m.threshold, m.percent, m.reached_at is not None)
        for m in rows
        if m.percent is None or m.goal == campaign.signature_goal or m.reached_at is not None
    }
    for percent, threshold in percent_thresholds(campaign.signature_goal):
        by_threshold.setdefault(threshold, Mark(threshold, percent, total >= threshold))
    return [by_threshold[t] for t in sorted(by_threshold)]


def percent_thresholds(goal: int | None) -> list[tuple[int, int]]:
    if not goal:
        return []
    return [(p, max(1, math.ceil(goal * p / 100))) for p in PERCENTS]


def sync_percent_milestones(campaign: Campaign) -> None:
    """Percent rows follow the current goal; those already reached stay as history."""
    goal = campaign.signature_goal
    db.session.execute(
        delete(Milestone)
        .where(
            Milestone.campaign_id == campaign.id,
            Milestone.percent.is_not(None),
            Milestone.reached_at.is_(None),
            Milestone.goal != (goal or 0),
        )
        .execution_options(synchronize_session=False)
    )
    if not goal:
        return
    taken = set(
        db.session.scalars(select(Milestone.threshold).where(Milestone.campaign_id == campaign.id))
    )
    for percent, threshold in percent_thresholds(goal):
        if threshold not in taken:
            taken.add(threshold)
            db.session.add(
                Milestone(campaign_id=campaign.id, threshold=threshold, percent=percent, goal=goal)
            )
    db.session.flush()


def add_milestone(campaign: Campaign, user: User, threshold: int) -> Milestone:
    exists = db.session.scalar(
        select(Milestone.id).where(
            Milestone.campaign_id == campaign.id, Milestone.threshold == threshold
        )
    )
    if exists:
        raise MilestoneError(_l("There is already a milestone at this number."))
    milestone = Milestone(campaign_id=campaign.id, threshold=threshold, created_by_id=user.id)
    db.session.add(milestone)
    db.session.flush()
    return milestone


def announce_reached(campaign_id: int) -> list[Milestone]:
    """Claim every milestone the campaign's total has reached and queue its emails."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        return []
    sync_percent_milestones(campaign)
    total = counting.totals(campaign.id, campaign.signature_goal).total
    candidates = db.session.scalars(
        select(Milestone).where(
            Milestone.campaign_id == campaign.id,
            Milestone.reached_at.is_(None),
            Milestone.threshold <= total,
        )
    ).all()
    reached = []
    for milestone in candidates:
        claimed = db.session.execute(
            update(Milestone)
            .where(Milestone.id == milestone.id, Milestone.reached_at.is_(None))
            .values(reached_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            _announce(campaign, milestone, total)
            reached.append(milestone)
    return reached


def _announce(campaign: Campaign, milestone: Milestone, total: int) -> None:
    page_url = external_url("campaigns.page", slug=campaign.slug)
    context = {"campaign": campaign, "milestone": milestone, "total": total, "page_url": page_url}
    notify.milestone_reached(campaign, milestone, total)
    if not settings_for(campaign).notify_signers_on_milestones:
        return
    last_id = 0
    while True:
        # Chunks by id rather than one open cursor: each email flushes in between.
        signers = db.session.scalars(
            select(Signature)
            .where(
                Signature.campaign_id == campaign.id,
                Signature.id > last_id,
                Signature.status == SignatureStatus.CONFIRMED,
                Signature.suspect.is_(False),
                consented(Purpose.UPDATES),
            )
            .order_by(Signature.id)
            .limit(SIGNER_CHUNK)
        ).all()
        if not signers:
            return
        for signature in signers:
            email_signer(
                signature,
                "milestone_signers",
                context,
                updates=True,
                idempotency_key=f"milestone:{milestone.id}:signature:{signature.id}",
            )
        last_id = signers[-1].id
