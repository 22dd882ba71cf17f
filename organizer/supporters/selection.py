"""What the supporter list shows: an audience, a search and the "mailable only" toggle.
Tagging in bulk and the CSV export act on exactly the same selection."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select

from organizer.extensions import db
from organizer.supporters.audience import Audience, where_clause
from organizer.supporters.models import Supporter


@dataclass(frozen=True)
class Selection:
    audience: Audience = field(default_factory=Audience)
    search: str = ""
    mailable_only: bool = False

    def where(self, group_id: int) -> ColumnElement[bool]:
        clause = where_clause(group_id, self.audience, mailable_only=self.mailable_only)
        words = self.search.strip()
        if not words:
            return clause
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return clause & or_(
            Supporter.name.ilike(pattern, escape="\\"), Supporter.email.ilike(pattern, escape="\\")
        )

    def ids(self, group_id: int) -> Select[Any]:
        return select(Supporter.id).where(self.where(group_id))

    def count(self, group_id: int) -> int:
        query = select(func.count()).select_from(Supporter).where(self.where(group_id))
        return db.session.scalar(query) or 0

    def page(self, group_id: int, page: int, per_page: int) -> list[Supporter]:
        query = (
            select(Supporter)
            .where(self.where(group_id))
            .order_by(Supporter.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
        return list(db.session.scalars(query))
