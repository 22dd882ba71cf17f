"""The grievance list of a published revision, rendered once per process and locale.

A published revision never changes (DESIGN.md decision 17), so its HTML is kept under
(content hash, locale) with nothing to invalidate; the same text in two campaigns is one
entry. The list holds the text, its labels and the locale's words for topics and places,
and nothing about the visitor (no token, no name), so one entry serves everyone.

Per process rather than in Redis: a hit then costs a dictionary lookup instead of a round
trip and the transfer of tens of kilobytes, and each process renders a revision once per
locale, a few milliseconds, after which every page of it reuses the bytes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import current_app, get_template_attribute
from flask_babel import get_locale
from markupsafe import Markup

from organizer.campaigns.models import Revision
from organizer.campaigns.revisions import iter_sections

# Revisions times locales in use; a long text renders to ~30 kB, so this stays a few MB.
MAX_ENTRIES = 128
_lock = threading.Lock()


def _cache() -> OrderedDict[tuple[str, str], Markup]:
    cache: OrderedDict[tuple[str, str], Markup] = current_app.extensions.setdefault(
        "cahier_grievance_html", OrderedDict()
    )
    return cache


def grievance_list(revision: Revision) -> Markup:
    """The published revision's demands as HTML, in the reader's locale."""
    key = (revision.content_hash, str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]))
    cache = _cache()
    with _lock:
        hit = cache.get(key)
        if hit is not None:
            cache.move_to_end(key)
            return hit
    macro = get_template_attribute("campaigns/_macros.html", "grievances")
    snapshot = revision.snapshot
    # The macro's output is Markup already (autoescaped as in the page itself).
    html: Markup = macro(snapshot["preamble"], iter_sections(snapshot))
    with _lock:
        cache[key] = html
        while len(cache) > MAX_ENTRIES:
            cache.popitem(last=False)
    return html
