"""The "check your email" page after signing, rendered once per campaign and language.

It is the answer to every signature, and for a visitor without a session it differs only by
the address it echoes: each web process renders it once with a marker where the address
goes, then puts each visitor's address there, escaped. Visitors with a session (whose
header names them, or who may have messages waiting) get a full render.
"""

from __future__ import annotations

from flask import render_template
from markupsafe import escape

from organizer.signatures.memo import app_cache, remember

CACHE_KEY = "cahier.check_email_pages"
MARKER = "cahier-signer-address-7f1c"


def check_email_page(slug: str, locale: str, email: str) -> str:
    pages = app_cache(CACHE_KEY)
    page = pages.get((slug, locale))
    if page is None:
        page = remember(
            pages,
            (slug, locale),
            render_template("signatures/check_email.html", slug=slug, email=MARKER),
        )
    return str(page).replace(MARKER, str(escape(email)))
