"""When a new revision rewords or removes demands people signed: how many it affects, and
one email to each of them who opted into updates, with the changes and their withdraw link.

A signature is bound to the text signed (DESIGN.md decision 3), so it stays on its revision;
these signers are told what changed and may withdraw. Publishing writes a job row in its
transaction; a worker expands the recipients in batches into outbox rows keyed
(revision, signature), so a retry, a sweep or a double click never sends twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from organizer.campaigns import revisions
from organizer.campaigns.diff import RevisionDiff, diff_snapshots
from organizer.campaigns.models import Campaign, Revision
from organizer.db import after_commit, utcnow
from organizer.extensions import db
from organizer.signatures.consents import Purpose, consented
from organizer.signatures.mailing import email_signer
from organizer.signatures.models import Signature, SignatureStatus
from organizer.signatures.tallies import RevisionNoticeJob
from organizer.urls import external_url

RUN_TASK = "signatures.send_revision_notices"
CHUNK = 500


def changes_signed_text(diff: RevisionDiff) -> bool:
    """Moving, retagging or adding demands leaves what someone signed as it was."""
    return any(change.kind == "removed" or change.reworded for change in diff.demands)


def affected_revisions(campaign: Campaign, snapshot: dict, before: int) -> dict[int, Revision]:
    """Published revisions numbered below ``before`` whose demands ``snapshot`` rewords or
    removes, by id."""
    return {
        revision.id: revision
        for revision in revisions.revisions(campaign, published_only=True)
        if revision.number < before
        and changes_signed_text(diff_snapshots(revision.snapshot, snapshot))
    }


def _signers(campaign_id: int, revision_ids: Iterable[int]) -> tuple:
    return (
        Signature.campaign_id == campaign_id,
        Signature.revision_id.in_(sorted(revision_ids)),
        Signature.status == SignatureStatus.CONFIRMED,
        Signature.suspect.is_(False),
    )


@dataclass(frozen=True)
class Impact:
    signatures: int  # confirmed signatures whose text the draft changes
    recipients: int  # those of them who will be told, having opted into updates


def impact(campaign: Campaign, draft: Revision) -> Impact:
    affected = affected_revisions(campaign, draft.snapshot, draft.number)
    if not affected:
        return Impact(0, 0)
    where = _signers(campaign.id, affected)
    total, told = db.session.execute(
        select(func.count(), func.count().filter(consented(Purpose.UPDATES))).where(*where)
    ).one()
    return Impact(int(total), int(told))


def start(revision: Revision) -> RevisionNoticeJob | None:
    """In the publishing transaction: a job when the revision changes signed text."""
    campaign = revision.campaign
    if not affected_revisions(campaign, revision.snapshot, revision.number):
        return None
    job = RevisionNoticeJob(revision_id=revision.id, campaign_id=campaign.id)
    db.session.add(job)
    db.session.flush()
    enqueue(revision.id)
    return job


def enqueue(revision_id: int) -> None:
    celery = current_app.extensions["celery"]
    after_commit(db.session, lambda: celery.send_task(RUN_TASK, args=[revision_id], retry=False))


def unfinished() -> list[int]:
    return list(
        db.session.scalars(
            select(RevisionNoticeJob.revision_id).where(RevisionNoticeJob.finished_at.is_(None))
        )
    )


def run_step(revision_id: int) -> bool:
    """Queue one batch of notices. True once the job is finished or taken by another worker."""
    job = db.session.get(RevisionNoticeJob, revision_id, with_for_update={"skip_locked": True})
    if job is None or job.finished_at is not None:
        return True
    revision = db.session.get(Revision, revision_id)
    if revision is None:
        return True
    campaign = revision.campaign
    affected = affected_revisions(campaign, revision.snapshot, revision.number)
    chunk = db.session.scalars(
        select(Signature)
        .where(*_signers(campaign.id, affected), consented(Purpose.UPDATES),
               Signature.id > job.last_signature_id)
        .order_by(Signature.id)
        .limit(CHUNK)
    ).all()  # fmt: skip
    if not chunk:
        job.finished_at = utcnow()
        return True
    diffs = {rid: diff_snapshots(old.snapshot, revision.snapshot) for rid, old in affected.items()}
    for signature in chunk:
        _notify(signature, campaign, affected[signature.revision_id], revision,
                diffs[signature.revision_id])  # fmt: skip
    job.last_signature_id = chunk[-1].id
    job.queued += len(chunk)
    return False


def _notify(
    signature: Signature, campaign: Campaign, old: Revision, new: Revision, diff: RevisionDiff
) -> None:
    email_signer(
        signature,
        "revision_notice",
        {
            "campaign": campaign,
            "old": old,
            "new": new,
            "diff": diff,
            "page_url": external_url("campaigns.page", slug=campaign.slug),
            "changes_url": external_url(
                "campaigns.changes", slug=campaign.slug, **{"from": old.number, "to": new.number}
            ),
        },
        updates=True,
        idempotency_key=f"revision:{new.id}:signature:{signature.id}",
    )
