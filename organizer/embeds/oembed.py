"""oEmbed (https://oembed.com): a CMS given a campaign's address gets its sign form.

The answer is the ``rich`` type, whose ``html`` is the plain iframe of the embedded form.
Only the addresses of Cahier's own public campaign pages are answered.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from organizer.campaigns import revisions, services
from organizer.campaigns.models import Campaign
from organizer.embeds.snippets import IFRAME_HEIGHT, iframe

WIDTH = 640
MIN_SIZE = 200
# The pages whose address stands for the campaign: its page, its sign page, its embed.
CAMPAIGN_ENDPOINTS = {"campaigns.page", "signatures.sign", "embeds.sign"}


def campaign_of(url: str) -> Campaign | None:
    """The public, published campaign ``url`` is the page of, or None."""
    parts = urlsplit(url.strip())
    base = urlsplit(current_app.config["BASE_URL"])
    if parts.scheme not in ("http", "https") or parts.netloc != base.netloc:
        return None
    path = parts.path.removeprefix(base.path.rstrip("/")) or "/"
    adapter = current_app.url_map.bind(base.netloc)
    try:
        endpoint, values = adapter.match(path.rstrip("/") or "/", method="GET")
    except HTTPException:
        return None
    slug = values.get("slug")
    if endpoint not in CAMPAIGN_ENDPOINTS or not isinstance(slug, str):
        return None
    campaign = services.get_by_slug(slug)
    if campaign is None or not campaign.is_public:
        return None
    return campaign if revisions.published_revision(campaign) is not None else None


def max_size(args: MultiDict[str, str]) -> tuple[int | None, int | None]:
    def bound(name: str) -> int | None:
        value = args.get(name, "")
        return max(MIN_SIZE, int(value)) if value.isdigit() and len(value) < 6 else None

    return bound("maxwidth"), bound("maxheight")


def document(campaign: Campaign, limits: tuple[int | None, int | None]) -> dict[str, Any]:
    max_width, max_height = limits
    width = min(WIDTH, max_width or WIDTH)
    height = min(IFRAME_HEIGHT, max_height or IFRAME_HEIGHT)
    return {
        "version": "1.0",
        "type": "rich",
        "provider_name": "Cahier",
        "provider_url": current_app.config["BASE_URL"] + "/",
        "title": campaign.title,
        "author_name": campaign.group.name,
        "html": iframe(campaign, height=height),
        "width": width,
        "height": height,
        "cache_age": 3600,
    }
