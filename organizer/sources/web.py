"""``?source=`` on public URLs: a registered code is kept for the form's hidden field, any
other is dropped by a redirect.

The redirect keeps the cached public pages to a bounded set of variants: a made-up code
cannot make nginx store one more copy. It applies to every campaign, sign, event and embed
page, so no view has to remember it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import redirect, request
from flask.sansio.app import App
from markupsafe import Markup
from werkzeug.wrappers import Response

from organizer.sources.services import CampaignRef, clean_source
from organizer.sources.stats import export_choices

PARAMETER = "source"
_CHOSEN = "cahier.source"
# Public pages that belong to one campaign, and where to find which.
CAMPAIGN_PREFIXES = ("/c/<slug>", "/embed/<slug>")
EVENT_PREFIX = "/events/<int:event_id>"


def init_source_links(app: App) -> None:
    app.before_request(drop_unknown_source)
    app.add_template_global(source_code)
    app.add_template_global(source_field)
    app.add_template_global(export_choices, "source_filter_choices")


def drop_unknown_source() -> Response | None:
    if PARAMETER not in request.args or request.method not in ("GET", "HEAD"):
        return None
    campaign = _campaign_of_page()
    if campaign is None:
        return None
    code = clean_source(campaign, request.args.get(PARAMETER))
    if code is None or len(request.args.getlist(PARAMETER)) > 1:
        return _without_source()
    request.environ[_CHOSEN] = code
    return None


def posted_source(campaign: CampaignRef) -> str | None:
    """The registered code a public form carries (its hidden field, or the URL it posts
    to); None for no code or an unknown one, which is dropped without a word."""
    if _CHOSEN not in request.environ:
        code = request.form.get(PARAMETER) or request.args.get(PARAMETER)
        request.environ[_CHOSEN] = clean_source(campaign, code) if code else None
    chosen: str | None = request.environ[_CHOSEN]
    return chosen


def source_code() -> str | None:
    """The checked code of this page's ``?source=``, or of the form it received (shown
    again with its errors, it keeps carrying the code)."""
    if _CHOSEN in request.environ:
        chosen: str | None = request.environ[_CHOSEN]
        return chosen
    campaign = _campaign_of_page()
    return posted_source(campaign) if campaign is not None else None


def source_field() -> Markup:
    """The hidden field that carries the code from the page to its form."""
    code = source_code()
    if code is None:
        return Markup("")
    return Markup('<input type="hidden" name="{}" value="{}">').format(PARAMETER, code)


def _campaign_of_page() -> CampaignRef | None:
    rule = request.url_rule
    args: dict[str, Any] = request.view_args or {}
    if rule is None:
        return None
    if rule.rule.startswith(CAMPAIGN_PREFIXES) and isinstance(args.get("slug"), str):
        return ("slug", args["slug"])
    if rule.rule.startswith(EVENT_PREFIX) and isinstance(args.get("event_id"), int):
        return ("event", args["event_id"])
    return None


def _without_source() -> Response:
    kept = [(key, value) for key, value in request.args.items(multi=True) if key != PARAMETER]
    query = urlencode(kept)
    return redirect(request.script_root + request.path + (f"?{query}" if query else ""), code=302)
