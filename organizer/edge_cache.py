"""How long nginx's micro-cache (deploy/nginx.conf) keeps a public answer."""

from __future__ import annotations

import time

from flask import Response


def keep_until_the_second_ends(response: Response) -> Response:
    """nginx counts `proxy_cache_valid 1s` in whole seconds from the second it stored an
    answer, so an entry lived between 1 and 2 s, and a count read through it could be 2 s
    old before the fold's own lag. An absolute X-Accel-Expires ends the entry when the
    second it was stored in ends: it is never older than 1 s (docs/performance.md, "Count
    staleness"). nginx takes the header off; browsers never see it."""
    response.headers["X-Accel-Expires"] = f"@{int(time.time())}"
    return response
