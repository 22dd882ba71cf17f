"""Pages as Parsons reads them: ``page`` and ``per_page`` (at most 25), the list under the
collection's ``osdi:`` key, and a page past the end that is an empty list, not a 404.

A page is found on an index alone (a deferred join): the ids of the page come from an
index-only scan in id order, then only those rows are read. Page 4,000 of 100,000 people
costs one walk of a narrow index, never a sort of the table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import ceil
from typing import Any
from urllib.parse import urlencode

from flask import abort, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, select

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


def paged(
    key: str,
    path: Sequence[str],
    column: Any,
    where: Sequence[ColumnElement[bool]],
    load: Callable[[list[int]], Sequence[Any]],
    serialize: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """The page asked for, of the rows matching ``where`` in ``column`` order (an integer
    key); ``load`` returns the rows of some keys, in any order."""
    wanted = page_request()
    scope = (current_token().group_id, request.path.rstrip("/"), request.args.get("filter", ""))
    page_ids = _page_ids(column, where, wanted, (*scope, wanted.per_page))
    total = seek.total(scope, lambda: _count(column, where))
    rows = {row.id: row for row in load(page_ids)} if page_ids else {}
    items = [serialize(rows[i]) for i in page_ids if i in rows]
    return envelope(key, path, items, wanted, total)


def _page_ids(column: Any, where: Sequence[ColumnElement[bool]], wanted: PageRequest,
              scope: tuple[Any, ...]) -> list[int]:  # fmt: skip
    """Ids in order on the index alone: from the start with an offset, or, past a page this
    process remembers, from that page's last id with a short offset."""
    ids = select(column).where(*where).order_by(column).limit(wanted.per_page)
    known = seek.nearest_before(scope, wanted.page)
    if known is None:
        ids = ids.offset(wanted.offset)
    else:
        page, last_id = known
        ids = ids.where(column > last_id).offset((wanted.page - 1 - page) * wanted.per_page)
    found = list(db.session.scalars(ids))
    if len(found) == wanted.per_page:
        seek.remember(scope, wanted.page, found[-1])
    return found


def _count(column: Any, where: Sequence[ColumnElement[bool]]) -> int:
    return int(db.session.scalar(select(func.count(column)).where(*where)) or 0)


def envelope(
    key: str, path: Sequence[str], items: list[dict[str, Any]], wanted: PageRequest, total: int
) -> dict[str, Any]:
    pages = ceil(total / wanted.per_page) if total else 0
    links: dict[str, dict[str, str]] = {"self": {"href": _page_url(path, wanted.page, wanted)}}
    if wanted.page < pages:
        links["next"] = {"href": _page_url(path, wanted.page + 1, wanted)}
    if wanted.page > 1:
        links["previous"] = {"href": _page_url(path, min(wanted.page - 1, max(pages, 1)), wanted)}
    return {
        "total_pages": pages,
        "per_page": wanted.per_page,
        "page": wanted.page,
        "total_records": total,
        "_links": links,
        "_embedded": {f"osdi:{key}": items},
    }


def _page_url(path: Sequence[str], page: int, wanted: PageRequest) -> str:
    query: dict[str, str | int] = {"page": page, "per_page": wanted.per_page}
    if request.args.get("filter"):
        query["filter"] = request.args["filter"]
    return api_url(*path) + "?" + urlencode(query)
