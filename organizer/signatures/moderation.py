"""Moderation: bulk invalidation by domain, IP hash, postal code, country or time range,
with a preview of the matching signatures first; suspects cleared or invalidated one by one.

An applied invalidation takes a reason and becomes a :class:`ModerationBatch` that lists the
signatures it struck out, so that undo gives back exactly those still struck out by it.
Large jobs run in a worker in batches, each batch its own transaction and journaled like
any other change, so counts go down as the job progresses and a crash loses nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, update

from organizer.accounts.models import User
from organizer.audit.services import record
from organizer.campaigns.models import Campaign
from organizer.dates import start_of_next_day
from organizer.db import after_commit, utcnow
from organizer.extensions import db
from organizer.signatures import confirmation, counting
from organizer.signatures.models import Signature, SignatureStatus
from organizer.signatures.moderation_batches import ModerationBatch, ModerationBatchItem
from organizer.signatures.tallies import JobStatus, ModerationJob

BATCH = 500
PREVIEW_PAGE = 50
RUN_JOB_TASK = "signatures.run_moderation_job"
ACTIVE = (SignatureStatus.PENDING, SignatureStatus.CONFIRMED)


class ModerationError(ValueError):
    pass


@dataclass(frozen=True)
class Filters:
    domain: str = ""
    ip_hmac: str = ""
    postal_code: str = ""
    country: str = ""
    since: date | None = None  # inclusive, UTC days of signing
    until: date | None = None  # inclusive
    suspects_only: bool = False

    @property
    def is_empty(self) -> bool:
        return not any(
            (
                self.domain,
                self.ip_hmac,
                self.postal_code,
                self.country,
                self.since,
                self.until,
                self.suspects_only,
            )
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("since", "until"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Filters:
        values = dict(data)
        for key in ("since", "until"):
            values[key] = date.fromisoformat(values[key]) if values.get(key) else None
        return cls(**values)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _conditions(campaign_id: int, filters: Filters) -> list[Any]:
    where: list[Any] = [Signature.campaign_id == campaign_id, Signature.status.in_(ACTIVE)]
    if filters.domain:
        where.append(Signature.email_domain == filters.domain.strip().lower())
    if filters.ip_hmac:
        where.append(Signature.ip_hmac == filters.ip_hmac.strip().lower())
    if filters.postal_code:
        where.append(func.upper(Signature.postal_code) == filters.postal_code.strip().upper())
    if filters.country:
        where.append(Signature.country == filters.country.strip().upper())
    if filters.since:
        where.append(Signature.created_at >= _midnight(filters.since))
    if filters.until:
        where.append(Signature.created_at < start_of_next_day(filters.until))
    if filters.suspects_only:
        where.append(Signature.suspect.is_(True))
    return where


def preview(campaign: Campaign, filters: Filters) -> int:
    """How many active signatures the filters would invalidate."""
    if filters.is_empty:
        return 0
    where = _conditions(campaign.id, filters)
    return int(db.session.scalar(select(func.count()).where(*where)) or 0)


def mask_email(email: str) -> str:
    """``a***@example.org``: enough to recognize a pattern, not enough to read an address."""
    local, _at, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}" if local else "***"


def matching(campaign: Campaign, filters: Filters, page: int = 1) -> list[Signature]:
    """One page of the signatures the filters would invalidate, oldest first."""
    if filters.is_empty:
        return []
    return list(
        db.session.scalars(
            select(Signature)
            .where(*_conditions(campaign.id, filters))
            .order_by(Signature.id)
            .offset((max(page, 1) - 1) * PREVIEW_PAGE)
            .limit(PREVIEW_PAGE)
        )
    )


def invalidate_batch(
    campaign_id: int,
    filters: Filters,
    max_id: int,
    batch: int = BATCH,
    moderation_batch_id: int | None = None,
) -> int:
    """Invalidate up to ``batch`` matching signatures; returns how many."""
    rows = db.session.execute(
        select(
            Signature.id,
            Signature.status,
            Signature.suspect,
            Signature.country,
            Signature.confirmed_day,
        )
        .where(*_conditions(campaign_id, filters), Signature.id <= max_id)
        .order_by(Signature.id)
        .limit(batch)
        .with_for_update()
    ).all()
    if not rows:
        return 0
    ids = [row.id for row in rows]
    now = utcnow()
    db.session.execute(
        update(Signature)
        .where(Signature.id.in_(ids))
        .values(
            status=SignatureStatus.INVALIDATED,
            invalidated_at=now,
            updated_at=now,
            token_hash=None,
            token_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    if moderation_batch_id is not None:
        db.session.execute(
            insert(ModerationBatchItem),
            [
                {
                    "batch_id": moderation_batch_id,
                    "signature_id": row.id,
                    "previous_status": row.status.value,
                }
                for row in rows
            ],
        )
    deltas: dict[counting.Key, int] = defaultdict(int)
    for row in rows:
        if row.status == SignatureStatus.CONFIRMED and not row.suspect:
            deltas[row.country, row.confirmed_day or now.date()] -= 1
    counting.record_changes(campaign_id, deltas)
    confirmation.release_commitments(ids)
    return len(rows)


def _max_id(campaign_id: int) -> int:
    found = db.session.scalar(
        select(func.max(Signature.id)).where(Signature.campaign_id == campaign_id)
    )
    return int(found or 0)


def invalidate(
    campaign: Campaign, actor: User, filters: Filters, reason: str
) -> ModerationJob | int:
    """Invalidate now (returns the number) or, past the sync limit, start a job (returns it)."""
    if filters.is_empty:
        raise ModerationError(_l("Choose at least one filter."))
    reason = reason.strip()
    if not reason:
        raise ModerationError(_l("Give the reason for this invalidation."))
    expected = preview(campaign, filters)
    max_id = _max_id(campaign.id)
    batch = ModerationBatch(
        campaign_id=campaign.id, actor_id=actor.id, reason=reason, filters=filters.to_json()
    )
    db.session.add(batch)
    db.session.flush()
    details = {
        "filters": filters.to_json(),
        "expected": expected,
        "reason": reason,
        "batch": batch.id,
    }
    if expected > current_app.config["SIGNATURE_BULK_SYNC_LIMIT"]:
        job = ModerationJob(
            campaign_id=campaign.id,
            actor_id=actor.id,
            filters=filters.to_json(),
            max_signature_id=max_id,
            total=expected,
        )
        db.session.add(job)
        db.session.flush()
        batch.job_id = job.id
        record(
            actor,
            "signatures.bulk_invalidate_started",
            "campaign",
            campaign.id,
            {**details, "job": job.id},
        )
        _enqueue_job(job.id)
        return job
    done = 0
    while count := invalidate_batch(campaign.id, filters, max_id, moderation_batch_id=batch.id):
        done += count
    batch.invalidated = done
    record(actor, "signatures.bulk_invalidate", "campaign", campaign.id, {**details, "done": done})
    return done


def _enqueue_job(job_id: int) -> None:
    celery = current_app.extensions["celery"]
    after_commit(db.session, lambda: celery.send_task(RUN_JOB_TASK, args=[job_id], retry=False))


def run_job_step(job_id: int) -> bool:
    """One batch of a job. True once the job is finished (call again otherwise)."""
    job = db.session.get(ModerationJob, job_id, with_for_update=True)
    if job is None or job.status in (JobStatus.DONE, JobStatus.FAILED):
        return True
    job.status = JobStatus.RUNNING
    batch = db.session.scalar(select(ModerationBatch).where(ModerationBatch.job_id == job.id))
    count = invalidate_batch(
        job.campaign_id,
        Filters.from_json(job.filters),
        job.max_signature_id,
        moderation_batch_id=batch.id if batch is not None else None,
    )
    job.processed += count
    if batch is not None:
        batch.invalidated += count
    if count:
        return False
    job.status = JobStatus.DONE
    job.finished_at = utcnow()
    record(
        None,
        "signatures.bulk_invalidate_finished",
        "campaign",
        job.campaign_id,
        {"job": job.id, "done": job.processed},
    )
    return True


def unfinished_jobs(campaign: Campaign) -> list[ModerationJob]:
    return list(
        db.session.scalars(
            select(ModerationJob)
            .where(ModerationJob.campaign_id == campaign.id)
            .order_by(ModerationJob.id.desc())
            .limit(10)
        )
    )


def suspects(campaign: Campaign, limit: int = 100) -> list[Signature]:
    return list(
        db.session.scalars(
            select(Signature)
            .where(
                Signature.campaign_id == campaign.id,
                Signature.suspect.is_(True),
                Signature.status.in_(ACTIVE),
            )
            .order_by(Signature.id.desc())
            .limit(limit)
        )
    )


def decide_suspect(campaign: Campaign, actor: User, signature_id: int, clear: bool) -> bool:
    signature = db.session.get(Signature, signature_id)
    if signature is None or signature.campaign_id != campaign.id:
        raise ModerationError(_l("No such signature on this campaign."))
    changed = confirmation.clear_suspect(signature) if clear else confirmation.invalidate(signature)
    if changed:
        action = "signatures.suspect_cleared" if clear else "signatures.suspect_invalidated"
        record(actor, action, "campaign", campaign.id, {"signature": signature.id})
    return changed


def status_counts(campaign: Campaign) -> dict[str, int]:
    """Signatures by state, for the team's dashboard (a real count: few people look)."""
    rows = db.session.execute(
        select(Signature.status, Signature.suspect, func.count())
        .where(Signature.campaign_id == campaign.id)
        .group_by(Signature.status, Signature.suspect)
    )
    counts = {status.value: 0 for status in SignatureStatus} | {"suspect": 0}
    for status, suspect, n in rows:
        key = "suspect" if suspect and status in ACTIVE else status.value
        counts[key] += n
    return counts


def get_job(campaign: Campaign, job_id: int) -> ModerationJob | None:
    job = db.session.get(ModerationJob, job_id)
    return job if job is not None and job.campaign_id == campaign.id else None


def batches(campaign: Campaign, limit: int = 20) -> list[ModerationBatch]:
    return list(
        db.session.scalars(
            select(ModerationBatch)
            .where(ModerationBatch.campaign_id == campaign.id)
            .order_by(ModerationBatch.id.desc())
            .limit(limit)
        )
    )


def _undoable(campaign: Campaign, batch_id: int) -> ModerationBatch:
    batch = db.session.get(ModerationBatch, batch_id, with_for_update=True)
    if batch is None or batch.campaign_id != campaign.id:
        raise ModerationError(_l("No such invalidation on this campaign."))
    if batch.undone_at is not None:
        raise ModerationError(_l("This invalidation is already undone."))
    job = db.session.get(ModerationJob, batch.job_id) if batch.job_id else None
    if job is not None and job.status not in (JobStatus.DONE, JobStatus.FAILED):
        raise ModerationError(_l("This invalidation is still running: undo it once it ends."))
    return batch


def undo(campaign: Campaign, actor: User, batch_id: int) -> int:
    """Give back the signatures this batch struck out and that are still struck out.

    They return to the state they had (confirmed ones count again, through the journal).
    Pledge commitments released by the invalidation stay released: the signer may commit
    again. Returns how many signatures were restored.
    """
    batch = _undoable(campaign, batch_id)
    rows = db.session.execute(
        select(
            Signature.id,
            Signature.suspect,
            Signature.country,
            Signature.confirmed_day,
            ModerationBatchItem.previous_status,
        )
        .join(ModerationBatchItem, ModerationBatchItem.signature_id == Signature.id)
        .where(
            ModerationBatchItem.batch_id == batch.id,
            Signature.status == SignatureStatus.INVALIDATED,
        )
        .with_for_update(of=Signature)
    ).all()
    now = utcnow()
    deltas: dict[counting.Key, int] = defaultdict(int)
    for previous in (SignatureStatus.PENDING, SignatureStatus.CONFIRMED):
        ids = [row.id for row in rows if row.previous_status == previous.value]
        if ids:
            db.session.execute(
                update(Signature)
                .where(Signature.id.in_(ids), Signature.status == SignatureStatus.INVALIDATED)
                .values(status=previous, invalidated_at=None, updated_at=now)
                .execution_options(synchronize_session=False)
            )
    for row in rows:
        if row.previous_status == SignatureStatus.CONFIRMED.value and not row.suspect:
            deltas[row.country, row.confirmed_day or now.date()] += 1
    counting.record_changes(campaign.id, deltas)
    batch.undone_at = now
    batch.undone_by_id = actor.id
    batch.restored = len(rows)
    record(
        actor,
        "signatures.bulk_invalidate_undone",
        "campaign",
        campaign.id,
        {"batch": batch.id, "restored": len(rows), "reason": batch.reason},
    )
    return len(rows)
