"""Revisions: the working copy as a canonical snapshot, its sha256, drafts and publishing.

A snapshot is plain JSON: the preamble and the sections with their demands, in order, each
with the stable uid the diff follows. The hash covers the text only (uids left out), so
that the same text always gives the same hash, whoever typed it and however it was built.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import defer

from organizer.accounts.models import User
from organizer.audit.services import record
from organizer.campaigns.models import Campaign, CampaignStatus, Revision
from organizer.campaigns.vocabulary import normalize_jurisdictions, section_letter
from organizer.db import utcnow
from organizer.extensions import db

SNAPSHOT_FORMAT = 1
T = TypeVar("T")


class RevisionError(ValueError):
    """A publishing request the rules refuse; the message is for the person."""


def ordered(items: list[T]) -> list[T]:
    """By position: collections loaded earlier in the request keep their load order."""
    return sorted(items, key=lambda item: item.position)  # type: ignore[attr-defined]


def build_snapshot(campaign: Campaign) -> dict[str, Any]:
    return {
        "format": SNAPSHOT_FORMAT,
        "preamble": campaign.preamble,
        "sections": [
            {
                "uid": section.uid,
                "title": section.title,
                "topics": list(section.topics),
                "demands": [
                    {
                        "uid": demand.uid,
                        "text": demand.text,
                        "topics": list(demand.topics),
                        # Inherited here, so that texts without section places hash as before.
                        "jurisdictions": list(demand.jurisdictions or section.jurisdictions),
                    }
                    for demand in ordered(section.demands)
                ],
            }
            for section in ordered(campaign.sections)
        ],
    }


def _text_only(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": snapshot.get("format", SNAPSHOT_FORMAT),
        "preamble": snapshot["preamble"],
        "sections": [
            {
                "title": s["title"],
                "topics": s["topics"],
                "demands": [
                    {"text": d["text"], "topics": d["topics"], "jurisdictions": d["jurisdictions"]}
                    for d in s["demands"]
                ],
            }
            for s in snapshot["sections"]
        ],
    }


def canonical_json(snapshot: dict[str, Any]) -> bytes:
    """RFC 8785-style: sorted keys, no spaces, UTF-8. Anyone can recompute the hash."""
    text = json.dumps(
        _text_only(snapshot), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return text.encode("utf-8")


def content_hash(snapshot: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()


@dataclass(frozen=True)
class DemandView:
    """One demand of a snapshot, as other domains (signatures, letters, routing) use it."""

    uid: str
    label: str  # "A3"
    section_uid: str
    section_letter: str
    section_title: str
    number: int
    text: str
    topics: tuple[str, ...]
    jurisdictions: tuple[str, ...]


def iter_demands(snapshot: dict[str, Any]) -> Iterator[DemandView]:
    for s_index, section in enumerate(snapshot["sections"]):
        letter = section_letter(s_index)
        for d_index, demand in enumerate(section["demands"]):
            yield DemandView(
                uid=demand["uid"],
                label=f"{letter}{d_index + 1}",
                section_uid=section["uid"],
                section_letter=letter,
                section_title=section["title"],
                number=d_index + 1,
                text=demand["text"],
                topics=tuple(demand["topics"]),
                jurisdictions=tuple(demand["jurisdictions"]),
            )


@dataclass(frozen=True)
class SectionView:
    uid: str
    letter: str
    title: str
    topics: tuple[str, ...]
    demands: tuple[DemandView, ...]


def iter_sections(snapshot: dict[str, Any]) -> list[SectionView]:
    demands: dict[str, list[DemandView]] = {}
    for demand in iter_demands(snapshot):
        demands.setdefault(demand.section_uid, []).append(demand)
    return [
        SectionView(
            uid=section["uid"],
            letter=section_letter(index),
            title=section["title"],
            topics=tuple(section["topics"]),
            demands=tuple(demands.get(section["uid"], [])),
        )
        for index, section in enumerate(snapshot["sections"])
    ]


def demands_of(revision: Revision) -> list[DemandView]:
    """Every demand of a revision, in order, with its label, topics and jurisdictions."""
    return list(iter_demands(revision.snapshot))


def revisions(campaign: Campaign, published_only: bool = False) -> list[Revision]:
    query = select(Revision).where(Revision.campaign_id == campaign.id)
    if published_only:
        query = query.where(Revision.published_at.is_not(None))
    return list(db.session.scalars(query.order_by(Revision.number.desc())))


def published_history(campaign: Campaign) -> list[Revision]:
    """The published revisions, newest first (the current text is the first), in one query
    and without their snapshots: the public page lists them all, and shows the current
    one's text from the rendered cache (organizer.campaigns.rendered); a snapshot loads on
    first access."""
    return list(
        db.session.scalars(
            select(Revision)
            .options(defer(Revision.snapshot))
            .where(Revision.campaign_id == campaign.id, Revision.published_at.is_not(None))
            .order_by(Revision.number.desc())
        )
    )


def revision_by_number(campaign: Campaign, number: int) -> Revision | None:
    return db.session.scalar(
        select(Revision).where(Revision.campaign_id == campaign.id, Revision.number == number)
    )


def latest_revision(campaign: Campaign) -> Revision | None:
    return db.session.scalar(
        select(Revision)
        .where(Revision.campaign_id == campaign.id)
        .order_by(Revision.number.desc())
        .limit(1)
    )


def published_revision(campaign: Campaign) -> Revision | None:
    """The current published text: what the public page shows and people sign."""
    return db.session.scalar(
        select(Revision)
        .where(Revision.campaign_id == campaign.id, Revision.published_at.is_not(None))
        .order_by(Revision.number.desc())
        .limit(1)
    )


def draft_revision(campaign: Campaign) -> Revision | None:
    latest = latest_revision(campaign)
    return latest if latest is not None and not latest.is_published else None


def sync_draft(campaign: Campaign, author: User | None) -> Revision | None:
    """Copy the working copy into the draft revision, opening revision n+1 after a
    publication. Returns the draft, or None when the text equals the published one."""
    db.session.flush()
    snapshot = build_snapshot(campaign)
    digest = content_hash(snapshot)
    latest = latest_revision(campaign)
    published = published_revision(campaign)
    if latest is not None and not latest.is_published:
        if published is not None and published.content_hash == digest:
            # Edited back to the published text: nothing is left to publish.
            db.session.delete(latest)
            db.session.flush()
            return None
        latest.snapshot = snapshot
        latest.content_hash = digest
        latest.author_id = author.id if author else None
        return latest
    if published is not None and published.content_hash == digest:
        return None
    draft = Revision(
        campaign_id=campaign.id,
        number=(latest.number + 1) if latest else 1,
        snapshot=snapshot,
        content_hash=digest,
        author_id=author.id if author else None,
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def publish(campaign: Campaign, user: User, note: str = "") -> Revision:
    """Freeze the draft: from now on its snapshot and hash never change."""
    draft = sync_draft(campaign, user) if draft_revision(campaign) else None
    if draft is None:
        raise RevisionError(_("There are no changes to publish."))
    if not any(True for _demand in iter_demands(draft.snapshot)):
        raise RevisionError(_("Add at least one demand before publishing."))
    now = utcnow()
    draft.published_at = now
    draft.published_by_id = user.id
    draft.note = note.strip()
    if campaign.first_published_at is None:
        campaign.first_published_at = now
    if campaign.status == CampaignStatus.DRAFT:
        campaign.status = CampaignStatus.PUBLISHED
    db.session.flush()
    record(user, "campaign.published", "campaign", campaign.id,
           {"revision": draft.number, "note": draft.note})  # fmt: skip
    return draft


def hash_of_document(data: Any) -> str | None:
    """The content hash of a text someone holds as JSON: a canonical.json (perhaps
    re-indented) or a grievances.json export. None when it is not a grievance text.

    The export leaves out empty jurisdictions and adds letters, title and revision; none of
    that is part of the text, so the hash is the one its revision was published with."""
    try:
        return content_hash(
            {
                "format": data.get("format", SNAPSHOT_FORMAT),
                "preamble": data.get("preamble", ""),
                "sections": [
                    {
                        "title": section["title"],
                        "topics": section.get("topics", []),
                        "demands": [
                            {
                                "text": demand["text"],
                                "topics": demand.get("topics", []),
                                "jurisdictions": demand.get("jurisdictions")
                                or normalize_jurisdictions(section.get("jurisdictions", [])),
                            }
                            for demand in section["demands"]
                        ],
                    }
                    for section in data["sections"]
                ],
            }
        )
    except (AttributeError, KeyError, TypeError):
        return None
