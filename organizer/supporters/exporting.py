"""The CSV of the supporter list's current selection, streamed in batches.

Every cell goes through the signature export's formula escape: a name such as
``=HYPERLINK(…)`` must reach a spreadsheet as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import select

from organizer.extensions import db
from organizer.signatures.export import escape_cell
from organizer.supporters.models import Supporter, Tag, Tagging
from organizer.supporters.selection import Selection

BATCH = 1000
COLUMNS = [
    "public_id", "email", "name", "country", "postal_code", "language", "status",
    "joined_at", "last_action_at", "tags",
]  # fmt: skip


def _line(cells: list[object]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([escape_cell(c) for c in cells])
    return buffer.getvalue().encode()


def _tags_by_supporter(ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(Tagging.supporter_id, Tag.name)
        .join(Tag, Tag.id == Tagging.tag_id)
        .where(Tagging.supporter_id.in_(ids))
        .order_by(Tag.name)
    )
    for supporter_id, name in rows:
        found.setdefault(supporter_id, []).append(name)
    return found


def csv_chunks(group_id: int, selection: Selection) -> Iterator[bytes]:
    """The header, then one chunk per batch of supporters in id order (keyset paging, so
    a long export neither skips nor repeats anyone)."""
    yield _line(list(COLUMNS))
    after = 0
    while True:
        batch = list(
            db.session.scalars(
                select(Supporter)
                .where(selection.where(group_id), Supporter.id > after)
                .order_by(Supporter.id)
                .limit(BATCH)
            )
        )
        if not batch:
            return
        tags = _tags_by_supporter([s.id for s in batch])
        yield b"".join(_line(_row(s, tags.get(s.id, []))) for s in batch)
        after = batch[-1].id
        db.session.expunge_all()


def _row(s: Supporter, tags: list[str]) -> list[object]:
    return [
        s.public_id, s.email, s.name, s.country, s.postal_code, s.language, s.status.value,
        s.created_at.isoformat(), s.last_action_at.isoformat(), "; ".join(tags),
    ]  # fmt: skip
