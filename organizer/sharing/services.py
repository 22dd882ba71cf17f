"""What sharing shows: the share box of a campaign, the addresses its QR codes and flyers
carry (each with its source code), and the preview cards of campaigns and events."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from organizer.campaigns import revisions
from organizer.campaigns.models import Campaign
from organizer.campaigns.revisions import DemandView
from organizer.campaigns.share import ShareLink, share_links, with_source
from organizer.db import utcnow
from organizer.events.models import Event
from organizer.events.times import format_when
from organizer.i18n import territory_name
from organizer.sharing import preview
from organizer.signatures import counting
from organizer.signatures.memo import app_cache, remember
from organizer.sources.codes import share_code
from organizer.urls import external_url

PREVIEW_CACHE = "cahier.preview_images"
TOP_DEMANDS = 5
# A Mastodon instance as people write it: a host name, perhaps after "@user@" or "https://".
_HOST = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class ShareBox:
    page_url: str
    copy_url: str
    links: list[ShareLink]


def page_url(campaign: Campaign) -> str:
    return external_url("campaigns.page", slug=campaign.slug)


def share_box(campaign: Campaign) -> ShareBox:
    url = page_url(campaign)
    mastodon = external_url("sharing.mastodon", slug=campaign.slug)
    return ShareBox(
        page_url=url,
        copy_url=with_source(url, share_code("copy")),
        links=share_links(url, campaign.title, mastodon),
    )


def mastodon_link(campaign: Campaign) -> ShareLink:
    return next(link for link in share_box(campaign).links if link.network == "mastodon")


def mastodon_instance(text: str) -> str | None:
    """``mastodon.social`` from "mastodon.social", "https://mastodon.social/" or
    "@ada@mastodon.social"; None for anything that is not a host name."""
    value = text.strip().lower().removeprefix("https://").removeprefix("http://")
    value = value.split("/", 1)[0].rsplit("@", 1)[-1]
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return value if _HOST.match(value) else None


def street_url(campaign: Campaign, code: str) -> str:
    """The address the QR code and the flyer carry, with ``qr`` or ``flyer`` as source."""
    return with_source(page_url(campaign), code)


def printed_url(campaign: Campaign) -> str:
    """The address to type from paper: no scheme, no source code."""
    parts = urlsplit(page_url(campaign))
    return parts.netloc + parts.path


def top_demands(campaign: Campaign) -> tuple[list[DemandView], int]:
    """The first demand of each section (then the next ones), at most TOP_DEMANDS, and how
    many are left out."""
    revision = revisions.published_revision(campaign) or revisions.latest_revision(campaign)
    if revision is None:
        return [], 0
    demands = revisions.demands_of(revision)
    ordered = sorted(demands, key=lambda d: (d.number, d.section_letter))
    kept = {d.uid for d in ordered[:TOP_DEMANDS]}
    return [d for d in demands if d.uid in kept], max(0, len(demands) - TOP_DEMANDS)


def total_signatures(campaign: Campaign) -> int:
    return counting.totals(campaign.id, campaign.signature_goal).total


def signature_count(count: int, language: str) -> str:
    """The count as "1 234 signatures" in ``language``, whatever the reader's."""
    number = format_decimal(count, locale=language)
    with force_locale(language):
        # Not %(num)s: flask_babel fills that one with the bare int, without the grouping.
        return ngettext("%(number)s signature", "%(number)s signatures", count, number=number)


def _site() -> str:
    return urlsplit(current_app.config["BASE_URL"]).netloc


def _cached(key: tuple[object, ...], draw: preview.Card) -> bytes:
    """One rendering per card per minute: the key holds the minute and what is drawn."""
    images = app_cache(PREVIEW_CACHE)
    minute = utcnow().strftime("%Y%m%d%H%M")
    digest = hashlib.sha256(repr(draw).encode()).hexdigest()[:16]
    full_key = (*key, minute, digest)
    found = images.get(full_key)
    if found is None:
        found = remember(images, full_key, preview.render(draw))
    return bytes(found)


def campaign_card(campaign: Campaign) -> preview.Card:
    """The group above the title, the summary under it, and the count."""
    figure = signature_count(total_signatures(campaign), campaign.language)
    return preview.Card(kicker=campaign.group.name, title=campaign.title,
                        lines=[campaign.summary] if campaign.summary else [],
                        figure=figure, footer=_site())  # fmt: skip


def campaign_image(campaign: Campaign) -> bytes:
    card = campaign_card(campaign)
    return _cached(("campaign", campaign.id, card.figure), card)


def event_card(event: Event) -> preview.Card:
    language = event.campaign.language
    with force_locale(language):
        kicker = _("Screening · %(campaign)s", campaign=event.campaign.title)
        place = ", ".join(p for p in (event.city, territory_name(event.country, language)) if p)
        lines = [place] if place else [_("Online")]
    when = format_when(event.starts_at, event.timezone, language)
    return preview.Card(kicker=kicker, title=event.title, lines=lines, figure=when,
                        footer=_site())  # fmt: skip


def event_image(event: Event) -> bytes:
    card = event_card(event)
    return _cached(("event", event.id), card)


def printed_at(language: str, moment: datetime | None = None) -> str:
    return format_date((moment or utcnow()).date(), "long", locale=language)
