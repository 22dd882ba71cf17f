"""Web origins as organizers type them, checked before any of them reaches a CSP header.

An origin is a scheme, a host and a port, nothing more: ``https://partner.example`` or
``http://localhost:8000``. Anything else (a path, a wildcard, a quote, a semicolon) would
either not match what the browser compares or break the header it is written into.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

MAX_ORIGINS = 50
DEFAULT_PORTS = {"http": 80, "https": 443}
# A DNS name or an IPv4 address: letters, digits, hyphens and dots. IPv6 literals are left
# out on purpose: nobody hosts a partner page on one.
HOST = re.compile(
    r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)


class OriginError(ValueError):
    pass


def normalize(text: str) -> str:
    """The origin ``text`` names, in the form browsers compare; OriginError if it is none."""
    value = text.strip()
    if not value or any(c.isspace() or c in "\"';,*\\" for c in value):
        raise OriginError(
            _l("“%(value)s” is not a web address like https://example.org.", value=value)
        )
    parts = urlsplit(value)
    try:
        port = parts.port
    except ValueError as exc:
        raise OriginError(_l("“%(value)s” has a port that is not a number.", value=value)) from exc
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme not in DEFAULT_PORTS or not HOST.match(host):
        raise OriginError(
            _l("“%(value)s” is not a web address like https://example.org.", value=value)
        )
    if (
        parts.username
        or parts.password
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise OriginError(
            _l(
                "“%(value)s” has more than an origin: keep only the scheme, the host and the "
                "port, e.g. https://example.org.",
                value=value,
            )
        )
    if port is None or port == DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def parse_lines(text: str) -> list[str]:
    """One origin per line, normalized, duplicates dropped; OriginError on the first bad one."""
    found: list[str] = []
    for line in text.splitlines():
        if line.strip():
            origin = normalize(line)
            if origin not in found:
                found.append(origin)
    if len(found) > MAX_ORIGINS:
        raise OriginError(
            lazy_ngettext("At most %(num)d origin.", "At most %(num)d origins.", MAX_ORIGINS)
        )
    return found


def is_valid(text: str | None) -> bool:
    try:
        return text is not None and normalize(text) == text
    except OriginError:
        return False
