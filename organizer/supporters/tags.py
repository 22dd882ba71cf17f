"""Tags: a name per group, put on supporters one by one or on a whole selection."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from organizer.db import new_public_id_sql, utcnow
from organizer.extensions import db
from organizer.supporters.models import Supporter, Tag, Tagging
from organizer.supporters.selection import Selection

NAME_MAX = 80


class TagError(ValueError):
    """The message says why, in the reader's language."""


def _insert() -> Any:
    return pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


def create_tag(group_id: int, name: str) -> Tag:
    name = " ".join(name.split())
    if not name:
        raise TagError(_l("Give the tag a name."))
    if len(name) > NAME_MAX:
        raise TagError(_l("A tag name has at most %(max)s characters.", max=NAME_MAX))
    existing = db.session.scalar(
        select(Tag).where(Tag.group_id == group_id, func.lower(Tag.name) == name.lower())
    )
    if existing is not None:
        raise TagError(_l("The group already has a tag called %(name)s.", name=existing.name))
    tag = Tag(group_id=group_id, name=name)
    db.session.add(tag)
    db.session.flush()
    return tag


def group_tags(group_id: int) -> list[tuple[Tag, int]]:
    """Every tag of the group with how many supporters carry it, by name."""
    counts = select(Tagging.tag_id, func.count().label("n")).group_by(Tagging.tag_id).subquery()
    rows = db.session.execute(
        select(Tag, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.tag_id == Tag.id)
        .where(Tag.group_id == group_id)
        .order_by(func.lower(Tag.name))
    )
    return [(tag, int(n)) for tag, n in rows]


def tag_in_group(group_id: int, tag_id: int) -> Tag | None:
    tag = db.session.get(Tag, tag_id)
    return tag if tag is not None and tag.group_id == group_id else None


def tags_of(supporter: Supporter) -> list[Tag]:
    return list(
        db.session.scalars(
            select(Tag)
            .join(Tagging, Tagging.tag_id == Tag.id)
            .where(Tagging.supporter_id == supporter.id)
            .order_by(func.lower(Tag.name))
        )
    )


def add_tag(supporter: Supporter, tag: Tag) -> bool:
    """False when the supporter already had it."""
    result = db.session.execute(
        _insert()(Tagging)
        .values(supporter_id=supporter.id, tag_id=tag.id, created_at=utcnow())
        .on_conflict_do_nothing()
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def remove_tag(supporter: Supporter, tag: Tag) -> bool:
    result = db.session.execute(
        delete(Tagging).where(Tagging.supporter_id == supporter.id, Tagging.tag_id == tag.id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def tag_selection(group_id: int, selection: Selection, tag: Tag) -> int:
    """Put the tag on everyone selected in one statement; returns how many newly got it."""
    chosen = selection.ids(group_id).add_columns(
        literal(tag.id), literal(utcnow()), new_public_id_sql()
    )
    inserted = db.session.execute(
        _insert()(Tagging)
        .from_select(["supporter_id", "tag_id", "created_at", "public_id"], chosen)
        .on_conflict_do_nothing()
        .returning(Tagging.supporter_id)
    )
    return len(inserted.all())


def untag_selection(group_id: int, selection: Selection, tag: Tag) -> int:
    result = db.session.execute(
        delete(Tagging).where(
            Tagging.tag_id == tag.id, Tagging.supporter_id.in_(selection.ids(group_id))
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
