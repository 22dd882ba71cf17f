"""The HTML organizers and partners paste into their pages to embed a campaign.

The script snippet sizes the frame to its content (static/embed.js); the plain iframe is
for sites that allow no scripts, at a fixed height. Both name Cahier's BASE_URL, never the
host a request happened to come in on.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from organizer.campaigns.models import Campaign
from organizer.embeds import badge
from organizer.urls import external_url

THEMES = ("light", "dark", "none")
# The plain iframe cannot grow with its content: room for the form and one error line.
IFRAME_HEIGHT = 760
COUNT_HEIGHT = 130


def _attributes(values: dict[str, Any]) -> str:
    return "".join(f' {name}="{escape(value)}"' for name, value in values.items() if value)


def _query(source: str | None, lang: str | None, theme: str | None) -> dict[str, str]:
    values = {"source": source, "lang": lang, "theme": theme if theme != "light" else None}
    return {key: value for key, value in values.items() if value}


def script_url() -> str:
    return external_url("embeds.script")


def sign_url(
    campaign: Campaign, source: str | None = None, lang: str | None = None, theme: str | None = None
) -> str:
    return external_url("embeds.sign", slug=campaign.slug, **_query(source, lang, theme))


def count_url(campaign: Campaign, lang: str | None = None, theme: str | None = None) -> str:
    return external_url("embeds.count", slug=campaign.slug, **_query(None, lang, theme))


def snippet(
    campaign: Campaign,
    source: str | None = None,
    lang: str | None = None,
    theme: str | None = None,
) -> str:
    """The script snippet of the sign form: a script tag and the div it fills."""
    div = _attributes(
        {
            "data-cahier-sign": campaign.slug,
            "data-source": source,
            "data-lang": lang,
            "data-theme": theme if theme != "light" else None,
        }
    )
    return f'<script src="{escape(script_url())}" async></script>\n<div{div}></div>'


def count_snippet(campaign: Campaign, lang: str | None = None, theme: str | None = None) -> str:
    div = _attributes(
        {
            "data-cahier-count": campaign.slug,
            "data-lang": lang,
            "data-theme": theme if theme != "light" else None,
        }
    )
    return f'<script src="{escape(script_url())}" async></script>\n<div{div}></div>'


def iframe(
    campaign: Campaign,
    source: str | None = None,
    lang: str | None = None,
    theme: str | None = None,
    height: int = IFRAME_HEIGHT,
) -> str:
    """The sign form as a plain iframe, for pages that allow no scripts (and for oEmbed)."""
    attributes = _attributes(
        {
            "src": sign_url(campaign, source, lang, theme),
            "title": campaign.title,
            "width": "100%",
            "height": str(height),
            "loading": "lazy",
            "style": "border:0;max-width:40rem;width:100%",
        }
    )
    return f"<iframe{attributes}></iframe>"


def count_iframe(campaign: Campaign, lang: str | None = None) -> str:
    attributes = _attributes(
        {
            "src": count_url(campaign, lang),
            "title": campaign.title,
            "width": "100%",
            "height": str(COUNT_HEIGHT),
            "loading": "lazy",
            "style": "border:0;max-width:40rem;width:100%",
        }
    )
    return f"<iframe{attributes}></iframe>"


def badge_snippet(campaign: Campaign) -> str:
    src = external_url("embeds.badge_svg", slug=campaign.slug)
    page = external_url("campaigns.page", slug=campaign.slug)
    return str(
        Markup('<a href="{}"><img src="{}" alt="{}" width="{}" height="{}"></a>').format(
            page, src, campaign.title, badge.WIDTH, badge.HEIGHT
        )
    )
