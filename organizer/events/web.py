"""What the event views share: loading an event for a reader, the host feed token, and the
template helpers (times in the event's zone, mode and country names, the campaign roll-up)."""

from __future__ import annotations

from typing import Any

from babel import Locale
from flask import Response, abort
from flask.sansio.app import App
from flask_babel import get_locale
from flask_login import current_user

from organizer.accounts.models import User
from organizer.campaigns.models import Campaign
from organizer.events import hosting, listing, times
from organizer.events.forms import MODE_NAMES, RESOURCE_NAMES
from organizer.events.models import Event, EventStatus
from organizer.events.publicview import EventView


def current() -> User:
    user: User = current_user._get_current_object()
    return user


def event_or_404(event_id: int) -> Event:
    """An event as far as the reader may see it: pending and declined ones, and those of a
    campaign that is not public, exist only for their host and the organizers."""
    event = hosting.get_event(event_id)
    if event is None:
        abort(404)
    visible = event.campaign.is_public and event.status not in (
        EventStatus.PENDING,
        EventStatus.REJECTED,
    )
    if not visible and not hosting.can_manage(current_user, event):
        abort(404)
    return event


def managed_event(event_id: int) -> Event:
    event = hosting.get_event(event_id)
    if event is None or not hosting.can_manage(current_user, event):
        abort(404)
    return event


def ics_response(body: bytes, filename: str, download: bool = True) -> Response:
    disposition = "attachment" if download else "inline"
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )


def private(response: Response) -> Response:
    """Pages that show a guest's own details: never kept by a shared cache."""
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- Template helpers ---------------------------------------------------------------------------


def event_when(view: EventView | Event) -> str:
    return times.format_range(view.starts_at, view.ends_at, view.timezone)


def event_day(view: EventView | Event) -> str:
    return times.format_when(view.starts_at, view.timezone)


def country_label(code: str) -> str:
    if not code:
        return ""
    locale = Locale.parse(str(get_locale() or "en"))
    return str(locale.territories.get(code.upper(), code))


def mode_name(mode: Any) -> str:
    return str(MODE_NAMES.get(mode, mode))


def screenings_summary(campaign: Campaign) -> listing.Rollup:
    return listing.rollup(campaign)


def hosts_screenings() -> bool:
    """Whether the reader hosts any screening: the header then links to "My screenings"."""
    if not getattr(current_user, "is_authenticated", False):
        return False
    return listing.hosts_any(current_user.id)


def init_template_helpers(app: App) -> None:
    app.add_template_global(hosts_screenings)
    app.add_template_global(event_when)
    app.add_template_global(event_day)
    app.add_template_global(country_label)
    app.add_template_global(mode_name)
    app.add_template_global(screenings_summary)
    app.jinja_env.globals["resource_names"] = RESOURCE_NAMES
