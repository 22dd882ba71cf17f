"""What each web process remembers about the pages it served, for API_PAGING_CACHE_SECONDS.

- Totals: ``total_records`` of a collection is a count of the whole filtered collection.
  Parsons asks for 4,000 pages in a row; counting 100,000 rows for each of them would be
  most of the work. A total is reused for a few seconds, like the public counts (DESIGN.md
  decision 7).
- Boundaries: the last id of each full page served. Page N then starts after the nearest
  page before it that this process served, with a short offset from there, instead of an
  offset of (N - 1) * 25 rows from the start. A pager asking pages in order, as Parsons
  does, finds page N - 1 (or one close to it) here.

Both are keyed by the group, the path, the filter and the page size; they only cost
memory, bounded below, and each entry expires on its own.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import current_app

Key = tuple[Any, ...]
MAX_TOTALS = 1024
MAX_SCOPES = 64
MAX_PAGES_PER_SCOPE = 20_000

_totals: OrderedDict[Key, tuple[float, int]] = OrderedDict()
_bounds: OrderedDict[Key, dict[int, tuple[float, int]]] = OrderedDict()


def _ttl() -> float:
    return float(current_app.config["API_PAGING_CACHE_SECONDS"])


def total(key: Key, count: Callable[[], int]) -> int:
    ttl, now = _ttl(), time.monotonic()
    hit = _totals.get(key)
    if ttl > 0 and hit is not None and hit[0] > now:
        _totals.move_to_end(key)
        return hit[1]
    value = count()
    if ttl > 0:
        _totals[key] = (now + ttl, value)
        _totals.move_to_end(key)
        while len(_totals) > MAX_TOTALS:
            _totals.popitem(last=False)
    return value


def nearest_before(key: Key, page: int) -> tuple[int, int] | None:
    """(page, its last id) of the closest page before ``page`` still remembered."""
    pages = _bounds.get(key)
    if not pages or _ttl() <= 0:
        return None
    now = time.monotonic()
    for candidate in range(page - 1, max(0, page - 1 - 200), -1):
        hit = pages.get(candidate)
        if hit is not None and hit[0] > now:
            return candidate, hit[1]
    return None


def remember(key: Key, page: int, last_id: int) -> None:
    ttl = _ttl()
    if ttl <= 0:
        return
    pages = _bounds.setdefault(key, {})
    _bounds.move_to_end(key)
    if len(pages) >= MAX_PAGES_PER_SCOPE:
        pages.clear()
    pages[page] = (time.monotonic() + ttl, last_id)
    while len(_bounds) > MAX_SCOPES:
        _bounds.popitem(last=False)


def forget() -> None:
    _totals.clear()
    _bounds.clear()
