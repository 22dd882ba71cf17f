"""Milestone triggers: "send to every routed body when confirmed signatures reach N".

DESIGN.md decision 2: the beat task claims a due trigger with a compare-and-set, writes the
letters and marks the trigger fired in ONE transaction, so that it fires exactly once even
when two beats run together. Each letter's documents are then built by a worker, which
queues its email (one per letter, by idempotency key) as soon as they are ready.
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import select, update

from organizer.accounts.models import User
from organizer.audit.services import record
from organizer.campaigns.models import Campaign
from organizer.db import utcnow
from organizer.extensions import db
from organizer.letters import services, sources
from organizer.letters.models import Letter, LetterStatus, MilestoneTrigger, TriggerStatus
from organizer.letters.services import LetterError

log = logging.getLogger(__name__)


def triggers_of(campaign: Campaign) -> list[MilestoneTrigger]:
    return list(
        db.session.scalars(
            select(MilestoneTrigger)
            .where(MilestoneTrigger.campaign_id == campaign.id)
            .order_by(MilestoneTrigger.threshold)
        )
    )


def add_trigger(campaign: Campaign, actor: User, threshold: int) -> MilestoneTrigger:
    if threshold < 1:
        raise LetterError(_("The number of signatures must be at least 1."))
    armed = [t for t in triggers_of(campaign) if t.status == TriggerStatus.ARMED]
    if any(t.threshold == threshold for t in armed):
        raise LetterError(_("A trigger at this number is already waiting."))
    trigger = MilestoneTrigger(campaign_id=campaign.id, threshold=threshold, created_by_id=actor.id)
    db.session.add(trigger)
    db.session.flush()
    record(actor, "letter_milestone.added", "letter_milestone", trigger.id,
           {"campaign_id": campaign.id, "threshold": threshold})  # fmt: skip
    return trigger


def cancel_trigger(trigger: MilestoneTrigger, actor: User) -> None:
    if trigger.status != TriggerStatus.ARMED:
        raise LetterError(_("This trigger has already fired."))
    trigger.status = TriggerStatus.CANCELLED
    record(actor, "letter_milestone.cancelled", "letter_milestone", trigger.id,
           {"campaign_id": trigger.campaign_id})  # fmt: skip


def _claim(trigger_id: int, reached: int) -> bool:
    result = db.session.execute(
        update(MilestoneTrigger)
        .where(MilestoneTrigger.id == trigger_id, MilestoneTrigger.status == TriggerStatus.ARMED)
        .values(status=TriggerStatus.FIRED, fired_at=utcnow(), signatures_at_fire=reached)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def fire_due() -> list[Letter]:
    """Fire every armed trigger whose campaign has reached its number; returns the letters."""
    armed = db.session.scalars(
        select(MilestoneTrigger)
        .where(MilestoneTrigger.status == TriggerStatus.ARMED)
        .order_by(MilestoneTrigger.id)
    ).all()
    written: list[Letter] = []
    for trigger in armed:
        campaign = trigger.campaign
        reached = sources.confirmed_total(campaign) + sources.offline_total(campaign)
        if reached < trigger.threshold or not _claim(trigger.id, reached):
            continue
        record(None, "letter_milestone.fired", "letter_milestone", trigger.id,
               {"campaign_id": campaign.id, "signatures": reached})  # fmt: skip
        try:
            routing = services.preview(campaign)
        except LetterError:
            log.warning("milestone %s fired on campaign %s with no published text",
                        trigger.id, campaign.id)  # fmt: skip
            continue
        letters = services.write_letters(routing, None, milestone=trigger)
        for letter in letters:
            letter.status = LetterStatus.SCHEDULED
            # Bodies without an address wait for an organizer to post the printed letter.
            letter.send_when_ready = bool(letter.regulator.contact_email)
            services.request_documents(letter)
        written.extend(letters)
    db.session.flush()
    return written
