"""An Atom feed of a campaign's coming screenings, for feed readers and aggregators."""

from __future__ import annotations

from feedgen.feed import FeedGenerator
from flask_babel import gettext as _

from organizer.campaigns.models import Campaign
from organizer.events import times
from organizer.events.calendars import uid_for
from organizer.events.publicview import EventView
from organizer.urls import external_url


def screenings_feed(campaign: Campaign, views: list[EventView]) -> bytes:
    feed = FeedGenerator()
    feed.id(external_url("events.campaign_index", slug=campaign.slug))
    feed.title(_("Screenings of %(title)s", title=campaign.title))
    feed.link(href=external_url("events.campaign_index", slug=campaign.slug), rel="alternate")
    feed.link(href=external_url("events.campaign_atom", slug=campaign.slug), rel="self")
    feed.updated(max((v.updated_at for v in views), default=campaign.created_at))
    # feedgen prepends entries; adding them in reverse keeps the soonest first.
    for view in reversed(views):
        entry = feed.add_entry()
        entry.id(f"urn:uid:{uid_for(view)}")
        entry.title(view.title)
        entry.link(href=external_url("events.detail", event_id=view.id))
        entry.summary(_summary(view))
        entry.author(name=view.host_name)
        entry.published(view.created_at)
        entry.updated(view.updated_at)
    return bytes(feed.atom_str(pretty=True))


def _summary(view: EventView) -> str:
    when = times.format_range(view.starts_at, view.ends_at, view.timezone)
    where = view.place if view.is_in_person else _("Online")
    return f"{when} \u2014 {where}"
