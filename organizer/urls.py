"""Links and the parts of a URL that visitors control: ids in paths, ``next``, page numbers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, url_for
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter

# Every id column is at least a 32-bit integer; past it PostgreSQL refuses the query and
# SQLite overflows its 64-bit one, so a larger id names nothing and is a 404.
MAX_ID = 2**31 - 1
MAX_PAGE = 10_000


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` with a ceiling, so that an id no table can hold is a 404, not a 500."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


# No slug, token or file name holds a control character, and PostgreSQL cannot even compare
# a text with NUL in it: a path segment with one names nothing and is a 404.
CONTROL = "\\x00-\\x1f\\x7f"


class PrintableConverter(UnicodeConverter):
    """``<name>`` and ``<string:name>`` without control characters."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", f"[^/{CONTROL}]")


class PrintablePathConverter(PathConverter):
    """``<path:name>`` without control characters."""

    regex = f"[^/{CONTROL}][^{CONTROL}]*?"


def external_url(endpoint: str, **values: Any) -> str:
    parts = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def is_safe_next(target: str) -> bool:
    """Only a path on this site may follow a login, never another host or a header break."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(char) < 32 or ord(char) == 127 for char in target):
        return False
    return not urlsplit(target).netloc


def safe_next(target: str | None, fallback: str = "core.home") -> str:
    """Where to send someone after a form: ``target`` if it is safe, else ``fallback``."""
    return target if target and is_safe_next(target) else url_for(fallback)


def page_number(args: Mapping[str, str], name: str = "page", maximum: int = MAX_PAGE) -> int:
    """A page number from the query string, clamped to 1..maximum (garbage is page 1)."""
    raw = args.get(name, "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return 1
    if len(raw) > len(str(maximum)):
        return maximum
    return max(1, min(int(raw), maximum))


def int_arg(args: Mapping[str, str], name: str, default: int | None = None) -> int | None:
    """A non-negative id or number from the query string; one no column can hold is absent."""
    raw = args.get(name, "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_ID)):
        return default
    value = int(raw)
    return value if value <= MAX_ID else default


# Words a campaign's address may never be, whatever the routes of the day: sure to be pages.
ALWAYS_RESERVED = frozenset({"new", "edit", "admin", "api", "static", "embed", "dev", "events",
                            "groups"})  # fmt: skip
SLUG_PARENTS = ("c", "organize")


def reserved_slugs() -> frozenset[str]:
    """The fixed path segments that sit where a campaign's slug goes (/organize/new, …)."""
    fixed = set(ALWAYS_RESERVED)
    for rule in current_app.url_map.iter_rules():
        parts = rule.rule.strip("/").split("/")
        if len(parts) > 1 and parts[0] in SLUG_PARENTS and "<" not in parts[1]:
            fixed.add(parts[1])
    return frozenset(fixed)


def slugify(text: str) -> str:
    """A URL segment from a title: ASCII letters and digits, single hyphens, 60 at most."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
