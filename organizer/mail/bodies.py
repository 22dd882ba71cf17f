"""Bodies that many outbox rows share: a mailing's, stored once per language with numbered
slots, which each row's ``merge_values`` fill as its message is built.

50,000 rendered copies of one mailing were ≈ 180 MB for PostgreSQL to compress, index and
log, most of an expansion's time; a row now carries its few values (first name, links, the
"why you receive this" line) and the worker puts them in, a join per part. A slot is
``zCahierMerge<digit>x``: plain letters and digits, which Markdown, nh3 and URLs leave
alone, so the Markdown can be rendered once with the slots inside it.

Shared bodies are never changed once stored (a mailing's is keyed by mailing and language,
and written the first time its expansion starts), so every message of a row is the same
whenever, and however often, it is built.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import cast

from markupsafe import escape
from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite

from organizer.extensions import db
from organizer.mail.models import OutboundBody, OutboundEmail

SLOT = re.compile(r"zCahierMerge(\d)x")
_table = cast(Table, OutboundBody.__table__)

# (literal text, index of the value after it or None)
Parts = tuple[tuple[str, int | None], ...]


def slot(index: int) -> str:
    """Where value ``index`` of a row's ``merge_values`` goes."""
    return f"zCahierMerge{index}x"


def split(body: str) -> Parts:
    """``body`` cut once at its slots, so that filling it is a join."""
    pieces = SLOT.split(body)
    literals, indexes = pieces[0::2], pieces[1::2]
    return tuple(
        (text, int(indexes[i]) if i < len(indexes) else None) for i, text in enumerate(literals)
    )


def join(parts: Parts, values: Sequence[str]) -> str:
    """A missing value (an erased row's) leaves its slot empty rather than failing."""
    count = len(values)
    return "".join(
        [text if index is None else text + (values[index] if index < count else "")
         for text, index in parts]
    )  # fmt: skip


@dataclass(frozen=True)
class Shared:
    text: Parts
    html: Parts

    def fill(self, values: Sequence[str] | None) -> tuple[str, str]:
        """The text and HTML bodies of one row; its values are plain text."""
        plain = list(values or ())
        return join(self.text, plain), join(self.html, [str(escape(v)) for v in plain])


def load(body_ids: Collection[int]) -> dict[int, Shared]:
    """The bodies of a claimed batch, in one query (a batch names one or two)."""
    if not body_ids:
        return {}
    rows = db.session.execute(
        select(_table.c.id, _table.c.text_body, _table.c.html_body).where(
            _table.c.id.in_(sorted(body_ids))
        )
    )
    return {row.id: Shared(split(row.text_body), split(row.html_body)) for row in rows}


def store(key: str, text: str, html: str) -> int:
    """The id of the body stored under ``key``, stored now if it is not yet: a second
    caller (a rerun, a concurrent expansion) gets the first one's, never a second body."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert(_table) if dialect == "postgresql" else sqlite.insert(_table)
    db.session.execute(
        insert.values(key=key, text_body=text, html_body=html).on_conflict_do_nothing(
            index_elements=["key"]
        )
    )
    return int(db.session.scalars(select(_table.c.id).where(_table.c.key == key)).one())


def bodies_of(email: OutboundEmail) -> tuple[str, str]:
    """The text and HTML bodies a row's message carries, shared or its own."""
    if email.body_id is None:
        return email.text_body, email.html_body
    shared = load([email.body_id])[email.body_id]
    return shared.fill(email.merge_values)
