"""Small per-process caches for the sign path, one per app and bounded in size.

What the hot path renders or reads once per campaign and language lives here rather than in
module globals, so that two apps in one process (as in the tests) never share entries.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import current_app

V = TypeVar("V")
MAX_ENTRIES = 1000


def app_cache(name: str) -> dict[Any, Any]:
    cache: dict[Any, Any] = current_app.extensions.setdefault(name, {})
    return cache


def remember(cache: dict[Any, Any], key: Any, value: V) -> V:
    """Store ``value``; a cache that grew past MAX_ENTRIES (many campaigns) starts over."""
    if len(cache) >= MAX_ENTRIES:
        cache.clear()
    cache[key] = value
    return value
