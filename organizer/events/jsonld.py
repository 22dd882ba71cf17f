"""schema.org Event and OpenGraph data for an event page, from a view of the event (the
public view for everyone but guests, so nothing hidden can appear here)."""

from __future__ import annotations

from typing import Any

from organizer.events.models import EventMode
from organizer.events.publicview import EventView
from organizer.events.times import local
from organizer.urls import external_url

ATTENDANCE = {
    EventMode.IN_PERSON: "https://schema.org/OfflineEventAttendanceMode",
    EventMode.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
    EventMode.HYBRID: "https://schema.org/MixedEventAttendanceMode",
}


def _place(view: EventView) -> dict[str, Any]:
    address: dict[str, Any] = {"@type": "PostalAddress", "addressLocality": view.city}
    if view.country:
        address["addressCountry"] = view.country
    if view.street_address:
        address["streetAddress"] = view.street_address
    if view.postal_code:
        address["postalCode"] = view.postal_code
    return {"@type": "Place", "name": view.venue_name or view.city, "address": address}


def event_jsonld(view: EventView) -> dict[str, Any]:
    url = external_url("events.detail", event_id=view.id)
    locations: list[dict[str, Any]] = []
    if view.is_in_person:
        locations.append(_place(view))
    if view.is_online:
        # The page, never the meeting link: that is for confirmed guests only.
        locations.append({"@type": "VirtualLocation", "url": url})
    status = "EventCancelled" if view.is_cancelled else "EventScheduled"
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": view.title,
        "description": view.description,
        "startDate": local(view.starts_at, view.timezone).isoformat(),
        "endDate": local(view.ends_at, view.timezone).isoformat(),
        "eventStatus": f"https://schema.org/{status}",
        "eventAttendanceMode": ATTENDANCE[view.mode],
        "location": locations[0] if len(locations) == 1 else locations,
        "organizer": {"@type": "Person", "name": view.host_name},
        "url": url,
        "maximumAttendeeCapacity": view.capacity,
        "isAccessibleForFree": True,
    }
    return data
