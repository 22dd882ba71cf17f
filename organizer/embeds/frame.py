"""What every embed response shares: the language from the URL, no session, no cookie,
and the ``frame-ancestors`` the campaign allows.

Embed pages are the same for every visitor with the same URL (so they cache), whatever
cookies the browser holds for Cahier: the language comes from ``?lang=`` or the campaign,
never from a cookie or an account, and the session, even when one was sent, is neither
read into the page nor written back.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Response, current_app, g, redirect, request
from flask.globals import request_ctx
from flask.typing import ResponseReturnValue

from organizer.campaigns.models import Campaign
from organizer.embeds import origins
from organizer.embeds.services import frame_ancestors
from organizer.embeds.snippets import THEMES
from organizer.security import CONTENT_SECURITY_POLICY

CACHE_SECONDS = 60


@dataclass(frozen=True)
class Options:
    lang: str
    theme: str
    source: str | None
    # The page framing us, as the form's script saw it before a POST: where resize messages
    # go after one, in browsers without document.ancestorOrigins (the referrer is then our
    # own page). Never in a URL, so the cached GET pages do not vary by it.
    parent: str | None

    def query(self) -> dict[str, str]:
        values = {
            "source": self.source,
            "lang": self.lang,
            "theme": self.theme if self.theme != "light" else None,
        }
        return {key: value for key, value in values.items() if value}


def language(campaign: Campaign | None) -> str:
    languages = current_app.config["LANGUAGES"]
    asked = (request.args.get("lang") or "")[:2].lower()
    if asked in languages:
        return asked
    if campaign is not None and campaign.language in languages:
        return campaign.language
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def options(campaign: Campaign, source: str | None) -> Options:
    theme = request.args.get("theme", "light")
    parent = request.form.get("parent") if request.method == "POST" else None
    return Options(
        lang=language(campaign),
        theme=theme if theme in THEMES else "light",
        source=source,
        parent=parent if parent and origins.is_valid(parent) else None,
    )


def allow_framing(campaign: Campaign) -> None:
    """Let this response be framed where the campaign allows (after_request writes it)."""
    g.embed_frame_ancestors = frame_ancestors(campaign)


def policy(ancestors: str) -> str:
    return CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")


def finish(response: Response) -> Response:
    """After every embed request: its CSP, and no cookie of any kind."""
    # Drop the session before Flask saves it: nothing an embed did may set a cookie,
    # Flask-Login's remember cookie included (it reads the same session).
    request_ctx._session = current_app.session_interface.make_null_session(current_app)
    response.headers.remove("Set-Cookie")
    ancestors = g.pop("embed_frame_ancestors", None)
    if ancestors is not None:
        response.headers["Content-Security-Policy"] = policy(ancestors)
    return response


def cacheable(response: Response) -> Response:
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def without_source() -> ResponseReturnValue:
    kept = [(key, value) for key, value in request.args.items(multi=True) if key != "source"]
    query = urlencode(kept)
    return redirect(request.script_root + request.path + (f"?{query}" if query else ""))
