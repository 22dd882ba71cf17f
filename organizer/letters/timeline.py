"""What the public sees: which bodies received what and when, their responses, and /verify."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from organizer.campaigns.models import Campaign, Revision
from organizer.extensions import db
from organizer.letters.models import (
    Letter,
    LetterDocument,
    LetterStatus,
    Response,
)

PUBLIC_STATUSES = (LetterStatus.SENT, LetterStatus.RESPONDED)
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class TimelineEntry:
    letter: Letter
    sent_at: datetime
    channels: tuple[str, ...]
    responses: tuple[Response, ...]


def timeline(campaign: Campaign) -> list[TimelineEntry]:
    letters = db.session.scalars(
        select(Letter)
        .where(Letter.campaign_id == campaign.id, Letter.status.in_(PUBLIC_STATUSES))
        .options(
            selectinload(Letter.regulator),
            selectinload(Letter.revision),
            selectinload(Letter.deliveries),
            selectinload(Letter.responses),
        )
    ).all()
    entries = [
        TimelineEntry(
            letter=letter,
            sent_at=letter.sent_at,
            channels=tuple(sorted({d.channel.value for d in letter.deliveries})),
            responses=tuple(letter.responses),
        )
        for letter in letters
        if letter.sent_at is not None
    ]
    return sorted(entries, key=lambda entry: entry.sent_at, reverse=True)


@dataclass(frozen=True)
class Verification:
    kind: str  # letter_pdf | annex_csv | annex_pdf | response | revision
    campaign: Campaign
    revision: Revision
    letter: Letter | None = None
    document: LetterDocument | None = None
    response: Response | None = None


def normalize_hash(raw: str) -> str | None:
    value = raw.strip().lower().removeprefix("sha256:").strip()
    return value if SHA256_RE.match(value) else None


def verify(digest: str) -> Verification | None:
    """The sent document, response or published revision with this sha256, if public."""
    document = db.session.scalar(
        select(LetterDocument)
        .join(Letter)
        .where(LetterDocument.sha256 == digest, Letter.status.in_(PUBLIC_STATUSES))
        .limit(1)
    )
    if document is not None and document.letter.campaign.is_public:
        letter = document.letter
        return Verification(document.kind.value, letter.campaign, letter.revision, letter, document)
    response = db.session.scalar(
        select(Response).where(Response.document_sha256 == digest).limit(1)
    )
    if response is not None and response.letter.campaign.is_public:
        letter = response.letter
        return Verification("response", letter.campaign, letter.revision, letter, response=response)
    revision = db.session.scalar(
        select(Revision)
        .where(Revision.content_hash == digest, Revision.published_at.is_not(None))
        .limit(1)
    )
    if revision is not None and revision.campaign.is_public:
        return Verification("revision", revision.campaign, revision)
    return None
