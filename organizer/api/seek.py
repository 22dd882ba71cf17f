"""What each web process remembers about the pages it served, for API_PAGING_CACHE_SECONDS.

- Totals: ``total_records`` of a collection is a count of the whole filtered collection.
  Parsons asks for 4,000 pages in a row; counting 100,000 rows for each of them would be
  most of the work. A total is reused for a few seconds, like the public counts (DESIGN.md
  decision 7).
- Boundaries: the last id of each full page served. Page N then starts after the nearest
  page before it that this process served, with a short offset from there, instead of an
  offset of (N - 1) * 25 rows from the start. A pager asking pages in order, as Parsons
  does, finds page N - 1 (or one close to it) here.

- Checkpoints: every CHECKPOINT_EVERY-th id of a collection, from one pass of its index,
  taken the first time a page lies far from any boundary (a pager that starts at page 4,000,
  or pages backwards). From a checkpoint, a page skips fewer than CHECKPOINT_EVERY index
  entries.

All are kept API_PAGING_CACHE_SECONDS. Totals and checkpoints are also shared through Redis
for that time, so that one web process counts (or passes the index) for all of them: kept
apart, each of five processes counted the same 100,000 rows once per period, all in the
same second (PostgreSQL's log, docs/performance.md). The shared copy ends when the first
one would have. When it ends, the first process to miss it claims the work; the others that
still hold a copy of their own serve it until the new one is written (the time of one count,
at most CLAIM_SECONDS), instead of counting all at once.
Within that time, a supporter erased before a page shifts it by one (a row seen twice or not
at all by a pager that was reading then), as an offset would between two requests; a new
supporter has a higher id and comes last, and shifts nothing. Totals and checkpoints are
keyed by the group, the path and the filter, boundaries also by the page size; they only
cost memory, bounded below, and each entry expires on its own.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app
from limits.storage import RedisStorage

from organizer.extensions import limiter

log = logging.getLogger(__name__)

Key = tuple[Any, ...]
MAX_ENTRIES = 1024
MAX_SCOPES = 64
MAX_PAGES_PER_SCOPE = 20_000
CHECKPOINT_EVERY = 500
SHARED_PREFIX = "api-seek:"
CLAIM_SUFFIX = ":claim"
# Longer than a count of the largest collection takes under load.
CLAIM_SECONDS = 2.0

_totals: OrderedDict[Key, tuple[float, int]] = OrderedDict()
_bounds: OrderedDict[Key, dict[int, tuple[float, int]]] = OrderedDict()
_checkpoints: OrderedDict[Key, tuple[float, list[int]]] = OrderedDict()


def _ttl() -> float:
    return float(current_app.config["API_PAGING_CACHE_SECONDS"])


T = TypeVar("T")


def _kept(cache: OrderedDict[Key, tuple[float, T]], kind: str, key: Key,
          make: Callable[[], T]) -> T:  # fmt: skip
    ttl, now = _ttl(), time.monotonic()
    hit = cache.get(key)
    if ttl > 0 and hit is not None and hit[0] > now:
        cache.move_to_end(key)
        return hit[1]
    if ttl <= 0:
        return make()
    shared_key = shared_key_of(kind, key)
    shared = _read_shared(shared_key)
    if shared is None:
        if hit is not None and not _claim(shared_key):
            # Another process is counting (or passing the index) right now: this one serves
            # the copy that just ended rather than doing the same work in the same instant.
            return hit[1]
        value = make()
        _write_shared(shared_key, value, ttl)
        expires = now + ttl
    else:
        seconds_left, value = shared
        expires = now + seconds_left
    cache[key] = (expires, value)
    cache.move_to_end(key)
    while len(cache) > MAX_ENTRIES:
        cache.popitem(last=False)
    return value


def shared_key_of(kind: str, key: Key) -> str:
    return SHARED_PREFIX + kind + ":" + hashlib.sha256(repr(key).encode()).hexdigest()


def _redis() -> Any | None:
    """The rate limiter's pooled Redis connection (the API hits it on every request already);
    None when the limiter keeps its counts elsewhere."""
    storage = limiter.limiter.storage
    return storage.get_connection() if isinstance(storage, RedisStorage) else None


def _read_shared(shared_key: str) -> tuple[float, Any] | None:
    """(seconds left, value) of what another process kept, or None."""
    client = _redis()
    if client is None:
        return None
    try:
        raw = client.get(shared_key)
    except Exception:
        # Without Redis each process keeps its own, as before.
        log.warning("API paging cache unavailable", exc_info=True)
        return None
    if raw is None:
        return None
    until, value = json.loads(raw)
    seconds_left = until - time.time()
    return (seconds_left, value) if seconds_left > 0 else None


def _claim(shared_key: str) -> bool:
    """True if this process is the one to make the value again. The claim lapses after
    CLAIM_SECONDS, should its holder die before writing; without Redis, every process
    makes its own."""
    client = _redis()
    if client is None:
        return True
    try:
        return bool(client.set(shared_key + CLAIM_SUFFIX, 1, nx=True,
                               px=int(CLAIM_SECONDS * 1000)))  # fmt: skip
    except Exception:
        log.warning("API paging cache unavailable", exc_info=True)
        return True


def _write_shared(shared_key: str, value: Any, ttl: float) -> None:
    client = _redis()
    if client is None:
        return
    try:
        client.set(shared_key, json.dumps([time.time() + ttl, value]), px=max(1, int(ttl * 1000)))
        client.delete(shared_key + CLAIM_SUFFIX)
    except Exception:
        log.warning("API paging cache unavailable", exc_info=True)


def total(key: Key, count: Callable[[], int]) -> int:
    return _kept(_totals, "total", key, count)


def checkpoints(key: Key, find: Callable[[], list[int]]) -> list[int]:
    """The ids at positions 0, CHECKPOINT_EVERY, twice that, and so on, of the collection."""
    return _kept(_checkpoints, "checkpoints", key, find)


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


def forget(*, shared: bool = True) -> None:
    """Drop what this process remembers and, unless ``shared`` is false, the shared copies."""
    _totals.clear()
    _bounds.clear()
    _checkpoints.clear()
    client = _redis() if shared else None
    if client is not None:
        for shared_key in client.scan_iter(match=SHARED_PREFIX + "*"):
            client.delete(shared_key)
