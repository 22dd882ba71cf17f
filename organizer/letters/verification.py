"""/verify for a stranger: a full sha256, the short form pages show, or the file itself.

A file is recognized by the sha256 of its bytes against what Cahier stored when it made
or received it (letter and annex documents, responses, published revisions: a revision's
hash is the sha256 of its canonical.json). A JSON text that is not byte for byte a stored
file (a grievances.json export, a re-indented canonical.json) is hashed canonically, the
way its revision was, so that it is still recognized when its text is unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from organizer.campaigns import revisions
from organizer.campaigns.models import Revision
from organizer.extensions import db
from organizer.letters.models import Letter, LetterDocument, Response
from organizer.letters.timeline import PUBLIC_STATUSES, Verification

SHORT_FORM = 12  # the characters pages show
MAX_MATCHES = 10
HEX_RE = re.compile(rf"^[0-9a-f]{{{SHORT_FORM},64}}$")


@dataclass(frozen=True)
class Match:
    digest: str
    found: Verification


def normalize(raw: str) -> str | None:
    """A full or short sha256, as people paste it: any case, "sha256 " or "sha256:" before
    it, spaces around; None if it is not 12 to 64 hexadecimal characters."""
    value = raw.strip().lower()
    value = re.sub(r"^sha-?256[:\s]*", "", value).strip()
    return value if HEX_RE.match(value) else None


def find(digest: str) -> list[Match]:
    """Every public document, response and published text whose sha256 starts so (all of
    them, up to MAX_MATCHES + 1, so that a caller can tell "too many")."""
    pattern = digest + "%"
    matches: list[Match] = []
    for document in db.session.scalars(
        select(LetterDocument)
        .join(Letter)
        .where(LetterDocument.sha256.like(pattern), Letter.status.in_(PUBLIC_STATUSES))
        .limit(MAX_MATCHES + 1)
    ):
        letter = document.letter
        if letter.campaign.is_public:
            found = Verification(
                document.kind.value, letter.campaign, letter.revision, letter, document
            )
            matches.append(Match(document.sha256, found))
    for response in db.session.scalars(
        select(Response).where(Response.document_sha256.like(pattern)).limit(MAX_MATCHES + 1)
    ):
        letter = response.letter
        if letter.campaign.is_public and letter.status in PUBLIC_STATUSES:
            found = Verification(
                "response", letter.campaign, letter.revision, letter, response=response
            )
            matches.append(Match(response.document_sha256 or "", found))
    for revision in db.session.scalars(
        select(Revision)
        .where(Revision.content_hash.like(pattern), Revision.published_at.is_not(None))
        .limit(MAX_MATCHES + 1)
    ):
        if revision.campaign.is_public:
            found = Verification("revision", revision.campaign, revision)
            matches.append(Match(revision.content_hash, found))
    return matches[: MAX_MATCHES + 1]


@dataclass(frozen=True)
class FileCheck:
    """What an uploaded file is: its own sha256 and what has it, or, for a JSON text, the
    hash of the text it holds and what it claims to be."""

    file_digest: str
    size: int
    kind: str  # pdf | json | other
    matches: list[Match] = field(default_factory=list)
    text_digest: str | None = None  # a grievance text's canonical hash
    claimed_digest: str | None = None  # the "sha256" a grievances.json states

    @property
    def text_changed(self) -> bool:
        """The file names a hash that its own text does not have."""
        return bool(self.claimed_digest and self.text_digest != self.claimed_digest)


def check_file(content: bytes) -> FileCheck:
    file_digest = hashlib.sha256(content).hexdigest()
    kind = "pdf" if content.startswith(b"%PDF-") else "other"
    matches = find(file_digest)
    data = _json(content)
    if data is None:
        return FileCheck(file_digest, len(content), kind, matches)
    text_digest = revisions.hash_of_document(data)
    claimed = data.get("sha256") if isinstance(data.get("sha256"), str) else None
    if not matches and text_digest is not None:
        matches = [m for m in find(text_digest) if m.found.kind == "revision"]
    return FileCheck(
        file_digest, len(content), "json", matches, text_digest, (claimed or "").lower() or None
    )


def _json(content: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None
