"""What of an event may be shown to whom. Every public representation (HTML, JSON-LD,
iCalendar, feeds) is built from :func:`public_view`, which leaves the hidden street address
and the online link out, so that no template or serializer can leak them by mistake."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from organizer.events.models import Event, EventMode, EventStatus, Visibility


@dataclass(frozen=True)
class EventView:
    id: int
    uid: str
    campaign_slug: str
    campaign_title: str
    host_name: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    mode: EventMode
    status: EventStatus
    visibility: Visibility
    venue_name: str
    city: str
    country: str
    capacity: int
    accessibility_notes: str
    sequence: int
    updated_at: datetime
    created_at: datetime
    # Empty unless the reader is a confirmed guest, the host or an organizer.
    street_address: str = ""
    postal_code: str = ""
    online_link: str = ""
    address_hidden: bool = False

    @property
    def is_online(self) -> bool:
        return self.mode.has_online_part

    @property
    def is_in_person(self) -> bool:
        return self.mode.has_venue

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def place(self) -> str:
        """One line for a calendar's LOCATION or a listing."""
        parts = [self.venue_name, self.street_address, self.postal_code, self.city, self.country]
        return ", ".join(p for p in parts if p)


def _view(event: Event, full: bool) -> EventView:
    show_address = full or not event.hides_address
    return EventView(
        id=event.id,
        uid=event.uid,
        campaign_slug=event.campaign.slug,
        campaign_title=event.campaign.title,
        host_name=event.host.display_name,
        title=event.title,
        description=event.description,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        timezone=event.timezone,
        mode=event.mode,
        status=event.status,
        visibility=event.visibility,
        venue_name=event.venue_name,
        city=event.city,
        country=event.country,
        capacity=event.capacity,
        accessibility_notes=event.accessibility_notes,
        sequence=event.sequence,
        updated_at=event.updated_at,
        created_at=event.created_at,
        street_address=event.street_address if show_address else "",
        postal_code=event.postal_code if show_address else "",
        online_link=event.online_link if full else "",
        address_hidden=event.is_in_person and not show_address,
    )


def public_view(event: Event) -> EventView:
    return _view(event, full=False)


def guest_view(event: Event) -> EventView:
    """For a confirmed guest, the host and the campaign's organizers only."""
    return _view(event, full=True)
