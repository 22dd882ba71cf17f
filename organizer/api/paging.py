"""Pages as Parsons reads them: ``page`` and ``per_page`` (at most 25), the list under the
collection's ``osdi:`` key, and a page past the end that is an empty list, not a 404.

A page is found on an index alone (a deferred join): the ids of the page come from an
index-only scan in id order, and only those rows are read, in the same statement. The scan
starts from the closest key known before the page (organizer.api.seek), so page 4,000 of
100,000 people costs a short walk of a narrow index, never a sort of the table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import ceil
from typing import Any
from urllib.parse import urlencode

from flask import abort, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, func, select

from organizer.api import seek
from organizer.api.auth import current_token
from organizer.api.serializers import api_url
from organizer.extensions import db
from organizer.urls import MAX_PAGE

MAX_PER_PAGE = 25


@dataclass(frozen=True)
class PageRequest:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _positive(name: str, default: int) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        abort(400, description=_l("%(name)s must be a whole number from 1.", name=name))
    return int(raw)


def page_request() -> PageRequest:
    page = _positive("page", 1)
    if page > MAX_PAGE * 100:
        abort(400, description=_l("page is too large."))
    # Parsons asks for 25 at most itself; a larger ask gets 25, as from Action Network.
    return PageRequest(page, min(_positive("per_page", MAX_PER_PAGE), MAX_PER_PAGE))


@dataclass(frozen=True)
class Slice:
    """Where a page's keys are: from ``from_id`` on (keys are positive integers), skip
    ``offset`` of them, take ``limit``."""

    limit: int
    offset: int
    from_id: int = 0

    @property
    def params(self) -> dict[str, int]:
        return {"limit": self.limit, "offset": self.offset, "from_id": self.from_id}

    def ids(self, column: Any, where: Sequence[ColumnElement[bool]]) -> Select[Any]:
        keys = select(column).where(*where)
        if self.from_id:
            keys = keys.where(column >= self.from_id)
        return keys.order_by(column).limit(self.limit).offset(self.offset)


Loader = Callable[[Slice], Sequence[Any]]


Where = Callable[[], Sequence[ColumnElement[bool]]]


def paged(
    key: str,
    path: Sequence[str],
    column: Any,
    where: Where,
    load: Loader,
    serialize: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """The page asked for, of the rows matching ``where()`` in ``column`` order (an integer
    key). ``load`` returns the rows of a slice in that order, each with its key as ``id``,
    in one statement for the keys and the rows. ``where`` is called only for a count or
    checkpoints: most pages need neither."""
    wanted = page_request()
    scope = (current_token().group_id, request.path.rstrip("/"), request.args.get("filter", ""))
    paging_scope = (*scope, wanted.per_page)
    rows = load(_slice(column, where, wanted, scope, paging_scope))
    if rows and wanted.page > 1:
        # Keys are integers: the page before this one ends before its first key, so the
        # same page asked again starts there, with no offset at all.
        seek.remember(paging_scope, wanted.page - 1, rows[0].id - 1)
    if len(rows) == wanted.per_page:
        seek.remember(paging_scope, wanted.page, rows[-1].id)
    total = seek.total(scope, lambda: _count(column, where()))
    return envelope(key, path, [serialize(row) for row in rows], wanted, total)


def _slice(column: Any, where: Where, wanted: PageRequest,
           scope: tuple[Any, ...], paging_scope: tuple[Any, ...]) -> Slice:  # fmt: skip
    """From the closest known key before the page: the last id of a page this process
    served, or a checkpoint (every CHECKPOINT_EVERY-th id, found in one pass of the index);
    so that page 4,000 skips at most a few hundred index entries, not 99,975."""
    start, skip = 0, wanted.offset
    known = seek.nearest_before(paging_scope, wanted.page)
    if known is not None:
        page, last_id = known
        start, skip = last_id + 1, (wanted.page - 1 - page) * wanted.per_page
    if skip >= seek.CHECKPOINT_EVERY:
        marks = seek.checkpoints(scope, lambda: _checkpoints(column, where()))
        mark = wanted.offset // seek.CHECKPOINT_EVERY
        if mark < len(marks) and marks[mark] > start:
            start, skip = marks[mark], wanted.offset - mark * seek.CHECKPOINT_EVERY
    return Slice(wanted.per_page, skip, start)


def _checkpoints(column: Any, where: Sequence[ColumnElement[bool]]) -> list[int]:
    position = func.row_number().over(order_by=column).label("position")
    numbered = select(column.label("key"), position).where(*where).subquery()
    every = (numbered.c.position - 1) % seek.CHECKPOINT_EVERY == 0
    return list(db.session.scalars(
        select(numbered.c.key).where(every).order_by(numbered.c.key)))  # fmt: skip


def _count(column: Any, where: Sequence[ColumnElement[bool]]) -> int:
    return int(db.session.scalar(select(func.count(column)).where(*where)) or 0)


def envelope(
    key: str, path: Sequence[str], items: list[dict[str, Any]], wanted: PageRequest, total: int
) -> dict[str, Any]:
    pages = ceil(total / wanted.per_page) if total else 0
    base = api_url(*path) + "?"
    filter_text = request.args.get("filter")

    def url(page: int) -> str:
        return _page_url(base, page, wanted.per_page, filter_text)

    links: dict[str, dict[str, str]] = {"self": {"href": url(wanted.page)}}
    if wanted.page < pages:
        links["next"] = {"href": url(wanted.page + 1)}
    if wanted.page > 1:
        links["previous"] = {"href": url(min(wanted.page - 1, max(pages, 1)))}
    return {
        "total_pages": pages,
        "per_page": wanted.per_page,
        "page": wanted.page,
        "total_records": total,
        "_links": links,
        "_embedded": {f"osdi:{key}": items},
    }


def _page_url(base: str, page: int, per_page: int, filter_text: str | None) -> str:
    if filter_text:
        return base + urlencode({"page": page, "per_page": per_page, "filter": filter_text})
    return f"{base}page={page}&per_page={per_page}"  # what urlencode writes for two integers
