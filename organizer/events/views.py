"""Public screening pages: listings, the event page with its RSVP form, the guest's
confirmation and manage pages, and calendar files.

Listings and event pages are the same for every anonymous reader and set no cookie. The
RSVP, confirm and manage forms are anonymous public forms (``@public_form``): no token.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from organizer.campaigns.models import Campaign
from organizer.campaigns.web import public_campaign
from organizer.events import atom, calendars, hosting, links, listing, rsvp
from organizer.events.feedkeys import user_for_feed_token
from organizer.events.forms import MODE_NAMES, CancelRSVPForm, PartySizeForm, RSVPForm
from organizer.events.jsonld import event_jsonld
from organizer.events.models import RSVP, Event, RSVPStatus
from organizer.events.publicview import EventView, guest_view, public_view
from organizer.events.web import (
    country_label,
    event_or_404,
    ics_response,
    init_template_helpers,
    private,
)
from organizer.extensions import db, limiter
from organizer.places import gazetteer
from organizer.places.models import City
from organizer.security import allow_geolocation, public_form
from organizer.sources.web import posted_source
from organizer.urls import external_url, int_arg, page_number

bp = Blueprint("events", __name__)
bp.record_once(lambda state: init_template_helpers(state.app))


def _rsvp_limit() -> str:
    return str(current_app.config["EVENT_RSVP_LIMIT_PER_IP"])


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, "")[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class Near:
    """Where the visitor said they are: a point, how to name it, or why it was not found."""

    point: gazetteer.Point | None = None
    label: str = ""
    typed: str = ""
    not_found: bool = False


def _coordinate(name: str, limit: float) -> float | None:
    try:
        value = float(request.args.get(name, "")[:20])
    except ValueError:
        return None
    # Two decimals (about a kilometre): all the search needs, and less than the browser gave.
    return round(value, 2) if math.isfinite(value) and -limit <= value <= limit else None


def _near() -> Near:
    latitude, longitude = _coordinate("lat", 90), _coordinate("lon", 180)
    if latitude is not None and longitude is not None:
        return Near(gazetteer.Point(latitude, longitude), _("your location"))
    typed = request.args.get("near", "")[:120].strip()
    place_id = int_arg(request.args, "place")
    city = gazetteer.by_id(place_id) if place_id else None
    if city is None and typed:
        found = gazetteer.suggest(typed.split(",")[0], limit=1)
        city = found[0] if found else None
    if city is None:
        return Near(typed=typed, not_found=bool(typed))
    point = gazetteer.Point(city.latitude, city.longitude)
    return Near(point, _city_label(city), typed=typed or _city_label(city))


def _city_label(city: City) -> str:
    return f"{city.name}, {country_label(city.country)}"


def _filters(near: Near) -> listing.Filters:
    return listing.Filters(
        country=request.args.get("country", "")[:2],
        city=request.args.get("city", "")[:120],
        mode=request.args.get("mode", "")[:16],
        date_from=_date_arg("from"),
        date_to=_date_arg("to"),
        near=near.point,
    )


def _listing(campaign: Campaign | None = None) -> ResponseReturnValue:
    near = _near()
    filters = _filters(near)
    page = listing.upcoming_page(campaign, filters, page_number(request.args))
    html = render_template(
        "events/index.html",
        campaign=campaign,
        filters=filters,
        near=near,
        page=page,
        cards=[(public_view(c.event), c) for c in page.cards],
        past=[public_view(e) for e in listing.past(campaign, filters)],
        countries=listing.countries(campaign),
        modes=MODE_NAMES,
        page_url=_page_url,
    )
    return allow_geolocation(make_response(html))


def _page_url(number: int) -> str:
    args = {**request.args.to_dict(), **(request.view_args or {}), "page": str(number)}
    return url_for(request.endpoint or "events.index", **args)


@bp.get("/events/cities.json")
def city_suggestions() -> ResponseReturnValue:
    """Suggestions for the city fields: the most populous matching cities."""
    cities = gazetteer.suggest(request.args.get("q", "")[:100], request.args.get("country", "")[:2])
    response = jsonify([{"id": c.id, "label": _city_label(c)} for c in cities])
    # The gazetteer only changes with a migration; the label follows the reader's language.
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@bp.get("/events")
def index() -> ResponseReturnValue:
    return _listing()


@bp.get("/c/<slug>/events")
def campaign_index(slug: str) -> ResponseReturnValue:
    return _listing(public_campaign(slug))


@bp.get("/c/<slug>/events.ics")
def campaign_feed(slug: str) -> ResponseReturnValue:
    campaign = public_campaign(slug)
    views = [public_view(e) for e in listing.feed_events(campaign)]
    name = _("Screenings of %(title)s", title=campaign.title)
    body = calendars.calendar(views, name, f"campaign-{campaign.id}-screenings")
    return ics_response(body, f"{campaign.slug}-screenings.ics", download=False)


@bp.get("/c/<slug>/events.atom")
def campaign_atom(slug: str) -> ResponseReturnValue:
    campaign = public_campaign(slug)
    views = [public_view(e) for e in listing.upcoming(campaign, listing.Filters())]
    body = atom.screenings_feed(campaign, views)
    return Response(body, mimetype="application/atom+xml")


@bp.get("/events/hosts/<token>/screenings.ics")
def host_feed(token: str) -> ResponseReturnValue:
    user = user_for_feed_token(token)
    if user is None:
        abort(404)
    views = [guest_view(e) for e in listing.hosted_by(user)]
    body = calendars.calendar(views, _("My screenings"), f"host-{user.id}-screenings")
    return private(ics_response(body, "my-screenings.ics", download=False))


def _reader_view(event: Event) -> tuple[EventView, RSVP | None]:
    mine = rsvp.rsvp_of_user(event, current_user)
    going = mine is not None and mine.status == RSVPStatus.GOING
    if going or hosting.can_manage(current_user, event):
        return guest_view(event), mine
    return public_view(event), mine


def _event_page(
    event: Event, form: RSVPForm, status: int = 200, offer: str = ""
) -> ResponseReturnValue:
    view, mine = _reader_view(event)
    return render_template(
        "events/detail.html",
        event=event,
        view=view,
        jsonld=event_jsonld(public_view(event)),
        page_url=external_url("events.detail", event_id=event.id),
        form=form,
        mine=mine,
        places_left=rsvp.places_left(event),
        can_manage=hosting.can_manage(current_user, event),
        max_party=current_app.config["EVENT_MAX_PARTY_SIZE"],
        offer=offer,
    ), status


@bp.get("/events/<int:event_id>")
def detail(event_id: int) -> ResponseReturnValue:
    event = event_or_404(event_id)
    form = RSVPForm()
    if current_user.is_authenticated:
        form.name.data, form.email.data = current_user.display_name, current_user.email
    return _event_page(event, form)


@bp.get("/events/<int:event_id>/event.ics")
def event_ics(event_id: int) -> ResponseReturnValue:
    event = event_or_404(event_id)
    return ics_response(calendars.event_calendar(public_view(event)), f"screening-{event.id}.ics")


@bp.post("/events/<int:event_id>/rsvp")
@limiter.limit(_rsvp_limit)
@public_form
def rsvp_post(event_id: int) -> ResponseReturnValue:
    event = event_or_404(event_id)
    form = RSVPForm(request.form)
    if not form.validate():
        return _event_page(event, form, 400)
    user = current_user if current_user.is_authenticated else None
    try:
        asked = rsvp.request_place(
            event, form.name.data or "", form.email.data or "", form.party_size.data or 1,
            str(get_locale() or "en"), user, accept_waitlist=bool(form.accept_waitlist.data),
            source=posted_source(event.campaign_id),
        )  # fmt: skip
    except rsvp.WaitlistOffer as exc:
        # Raised before anything is written: there is nothing to roll back.
        return _event_page(event, form, 200, offer=str(exc))
    except rsvp.RSVPError as exc:
        form.party_size.errors = [str(exc)]
        return _event_page(event, form, 400)
    db.session.commit()
    if asked.confirmed:
        return redirect(url_for(".manage_rsvp", token=links.manage_token(asked.rsvp)))
    return render_template("events/check_email.html", event=public_view(event))


@bp.route("/events/rsvp/confirm/<token>", methods=["GET", "POST"])
@public_form
def confirm_rsvp(token: str) -> ResponseReturnValue:
    pending = rsvp.pending_by_confirm_token(token)
    if pending is None:
        return render_template("events/link_invalid.html"), 400
    if request.method == "GET":
        return private(
            current_app.make_response(
                render_template(
                    "events/confirm.html", rsvp=pending, event=public_view(pending.event)
                )
            )
        )
    try:
        confirmed = rsvp.confirm(token)
    except rsvp.RSVPError as exc:
        db.session.rollback()
        return render_template("events/closed.html", message=str(exc)), 409
    if confirmed is None:
        return render_template("events/link_invalid.html"), 400
    token_out = links.manage_token(confirmed)
    db.session.commit()
    return redirect(url_for(".manage_rsvp", token=token_out))


def _guest_or_404(token: str) -> RSVP:
    guest = links.by_manage_token(token)
    if guest is None:
        abort(404)
    return guest


def _manage_page(guest: RSVP, form: PartySizeForm | None = None, status: int = 200) -> Response:
    event = guest.event
    going = guest.status == RSVPStatus.GOING
    form = form or PartySizeForm(party_size=guest.party_size)
    html = render_template(
        "events/manage.html", rsvp=guest, event=event,
        view=guest_view(event) if going else public_view(event),
        form=form, token=request.view_args["token"] if request.view_args else "",
        position=_queue_position(guest),
        max_party=current_app.config["EVENT_MAX_PARTY_SIZE"],
    )  # fmt: skip
    return private(current_app.make_response((html, status)))


def _queue_position(guest: RSVP) -> int | None:
    if guest.status != RSVPStatus.WAITLISTED:
        return None
    queue = rsvp.waitlist(guest.event)
    return next((i + 1 for i, g in enumerate(queue) if g.id == guest.id), None)


@bp.get("/events/rsvp/<token>")
def manage_rsvp(token: str) -> ResponseReturnValue:
    return _manage_page(_guest_or_404(token))


@bp.post("/events/rsvp/<token>/cancel")
@public_form
def cancel_rsvp(token: str) -> ResponseReturnValue:
    """The first press asks "are you sure?"; only the second, with ``confirm``, cancels."""
    guest = _guest_or_404(token)
    if not CancelRSVPForm(request.form).confirm.data:
        html = render_template(
            "events/cancel_rsvp.html", rsvp=guest, view=public_view(guest.event), token=token
        )
        return private(current_app.make_response(html))
    rsvp.cancel(guest)
    db.session.commit()
    return redirect(url_for(".manage_rsvp", token=token))


@bp.post("/events/rsvp/<token>/party")
@public_form
def change_party(token: str) -> ResponseReturnValue:
    guest = _guest_or_404(token)
    form = PartySizeForm(request.form)
    if not form.validate():
        return _manage_page(guest, form, 400)
    try:
        rsvp.change_party_size(guest, form.party_size.data or 1)
    except rsvp.RSVPError as exc:
        db.session.rollback()
        form.party_size.errors = [str(exc)]
        return _manage_page(guest, form, 400)
    db.session.commit()
    return redirect(url_for(".manage_rsvp", token=token))


@bp.get("/events/rsvp/<token>/event.ics")
def guest_ics(token: str) -> ResponseReturnValue:
    guest = _guest_or_404(token)
    event = guest.event
    view = guest_view(event) if guest.status == RSVPStatus.GOING else public_view(event)
    return private(ics_response(calendars.event_calendar(view), f"screening-{event.id}.ics"))
