"""Source codes: where a signature or an RSVP came from, as a short registered code.

Only the code is kept, never a referrer URL or an IP. The share channels' codes are fixed
here; partners' codes live on their rows and organizers define others per campaign.
"""

from __future__ import annotations

import re

# Lowercase letters, digits and hyphens, starting with a letter or digit: safe in a URL,
# a CSV cell and a cache key, and bounded by the column's 32 characters.
CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")

SHARE_CHANNELS = (
    "email", "mastodon", "bluesky", "whatsapp", "telegram", "facebook", "x", "linkedin",
    "copy",
)  # fmt: skip
SHARE_CODES = frozenset(f"share-{channel}" for channel in SHARE_CHANNELS)
# The street: the QR code, the printed flyer and the paper sign-up sheet.
STREET_CODES = frozenset({"qr", "flyer"})
BUILT_IN_CODES = SHARE_CODES | STREET_CODES
# A filter value for "no source" (stats, exports): never a code, which cannot start with "_".
NO_SOURCE = "_none"


def share_code(channel: str) -> str:
    return f"share-{channel}"


def is_well_formed(code: str | None) -> bool:
    return bool(code) and CODE_PATTERN.match(code or "") is not None
