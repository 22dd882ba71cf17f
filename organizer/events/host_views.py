"""Host pages: registering a screening (terms accepted), editing it, the guest list and its
CSV, messaging guests, cancelling, reporting attendance, and the host resources.
Everything needs a login; the event's host or the campaign's organizers only."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import login_required

from organizer.campaigns.web import public_campaign
from organizer.events import feedkeys, host_tools, hosting, listing, resources, rsvp
from organizer.events.forms import (
    AddGuestForm,
    CancelEventForm,
    ConfirmForm,
    EventForm,
    FollowUpForm,
    HostEventForm,
    MessageForm,
    NoticeForm,
    ReportForm,
)
from organizer.events.models import RSVP, Event, EventMode, ResourceKind, Visibility
from organizer.events.publicview import guest_view
from organizer.events.times import local
from organizer.events.web import current, managed_event
from organizer.extensions import db, limiter
from organizer.urls import external_url

bp = Blueprint("event_host", __name__)


@bp.before_request
@login_required
def _logged_in() -> None:
    """Every host page needs a login; who may act on which event is checked below."""


def _message_limit() -> str:
    return str(current_app.config["EVENT_MESSAGE_LIMIT"])


def _message_key() -> str:
    return f"event-message:{(request.view_args or {}).get('event_id')}"


def _details(form: EventForm) -> hosting.EventDetails:
    return hosting.EventDetails(
        title=form.title.data or "", description=form.description.data or "",
        start_date=form.start_date.data, start_time=form.start_time.data,
        end_date=form.end_date.data, end_time=form.end_time.data,
        timezone=form.timezone.data or "UTC", mode=EventMode(form.mode.data),
        capacity=form.capacity.data or 0, visibility=Visibility(form.visibility.data),
        venue_name=form.venue_name.data or "", street_address=form.street_address.data or "",
        city=form.city.data or "", postal_code=form.postal_code.data or "",
        country=form.country.data or "", online_link=form.online_link.data or "",
        is_home=bool(form.is_home.data), accessibility_notes=form.accessibility_notes.data or "",
        fold=form.fold_value, nearest_city=form.nearest_city.data or "",
    )  # fmt: skip


def _show_error(form: EventForm, exc: hosting.EventError) -> None:
    """Under the field the rule is about; the two readings of a doubled hour as choices."""
    target = getattr(form, exc.field or "", None) or form.title
    target.errors = [*target.errors, str(exc)]
    if isinstance(exc, hosting.AmbiguousStart):
        first, second = (local(i, form.timezone.data or "UTC") for i in exc.instants)
        form.fold.choices = [
            ("0", _("The first one (%(offset)s)", offset=_offset(first))),
            ("1", _("The second one (%(offset)s)", offset=_offset(second))),
        ]


def _offset(moment: datetime) -> str:
    return format_datetime(moment, "HH:mm ZZZZ", tzinfo=moment.tzinfo, locale=get_locale())


@bp.route("/c/<slug>/events/new", methods=["GET", "POST"])
def new(slug: str) -> ResponseReturnValue:
    campaign = public_campaign(slug)
    settings = hosting.settings_for(campaign)
    form = HostEventForm()
    if form.validate_on_submit():
        try:
            event = hosting.register_event(
                campaign, current(), _details(form), form.terms_version.data
            )
        except hosting.EventError as exc:
            _show_error(form, exc)
        else:
            db.session.commit()
            if event.status == "pending":
                flash(_("Your screening is registered. The organizers will review it."), "success")
            else:
                flash(_("Your screening is published."), "success")
            return redirect(url_for(".manage", event_id=event.id))
    form.terms_version.data = settings.terms_version
    return render_template(
        "events/host_form.html", form=form, campaign=campaign, settings=settings, event=None
    )


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int) -> ResponseReturnValue:
    event = managed_event(event_id)
    form = EventForm(obj=event)
    if request.method == "GET":
        starts, ends = local(event.starts_at, event.timezone), local(event.ends_at, event.timezone)
        form.start_date.data, form.start_time.data = starts.date(), starts.time()
        form.end_date.data, form.end_time.data = ends.date(), ends.time()
        form.mode.data, form.visibility.data = event.mode.value, event.visibility.value
    if form.validate_on_submit():
        try:
            changed = hosting.update_event(event, _details(form))
        except hosting.EventError as exc:
            _show_error(form, exc)
        else:
            db.session.commit()
            if changed:
                flash(_("The screening is updated."), "success")
            return redirect(url_for(".manage", event_id=event.id))
    return render_template(
        "events/host_form.html", form=form, campaign=event.campaign, settings=None, event=event
    )


@bp.get("/events/<int:event_id>/manage")
def manage(event_id: int) -> ResponseReturnValue:
    event = managed_event(event_id)
    return render_template(
        "events/host_manage.html",
        event=event,
        view=guest_view(event),
        guests=rsvp.guests(event),
        taken=rsvp.places_taken(event),
        message_form=MessageForm(),
        follow_up_form=_follow_up_form(event),
        add_form=AddGuestForm(formdata=None),
        notice_form=NoticeForm(rsvp_digest="1" if event.rsvp_digest else "0"),
        max_party=current_app.config["EVENT_MAX_PARTY_SIZE"],
        cancel_form=CancelEventForm(),
        report_form=ReportForm(obj=event.report),
        started=host_tools.has_started(event),
        suggested=host_tools.attended_party_total(event),
        resources=resources.for_campaign(event.campaign),
        may_download=resources.may_download(current(), event.campaign),
    )


@bp.get("/events/<int:event_id>/guests.csv")
def guests_csv(event_id: int) -> ResponseReturnValue:
    event = managed_event(event_id)
    return Response(
        host_tools.guest_csv(event),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="screening-{event.id}-guests.csv"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.post("/events/<int:event_id>/message")
@limiter.limit(_message_limit, key_func=_message_key, deduct_when=lambda r: r.status_code == 302)
def message(event_id: int) -> ResponseReturnValue:
    event = managed_event(event_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            count = host_tools.message_guests(
                event, current(), form.subject.data or "", form.body.data or "",
                form.recipients.data or "going",
            )  # fmt: skip
        except host_tools.HostError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_sent(count), "success")
            return redirect(url_for(".manage", event_id=event.id))
    else:
        flash(_("Write a subject and a message."), "error")
    return redirect(url_for(".manage", event_id=event.id) + "#message"), 303


def _sent(count: int) -> str:
    return ngettext(
        "Your message is on its way to %(num)d guest.",
        "Your message is on its way to %(num)d guests.",
        count,
    )


def _follow_up_form(event: Event) -> FollowUpForm:
    subject, body = host_tools.follow_up_defaults(event)
    return FollowUpForm(formdata=None, subject=subject, body=body)


@bp.post("/events/<int:event_id>/follow-up")
@limiter.limit(_message_limit, key_func=_message_key, deduct_when=lambda r: r.status_code == 302)
def follow_up(event_id: int) -> ResponseReturnValue:
    event = managed_event(event_id)
    form = FollowUpForm()
    if not form.validate_on_submit():
        flash(_("Write a subject and a message."), "error")
        return redirect(url_for(".manage", event_id=event.id) + "#follow-up"), 303
    try:
        count = host_tools.follow_up(
            event, current(), form.subject.data or "", form.body.data or ""
        )
    except host_tools.HostError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".manage", event_id=event.id) + "#follow-up"), 303
    db.session.commit()
    flash(_sent(count), "success")
    return redirect(url_for(".manage", event_id=event.id))


@bp.post("/events/<int:event_id>/guests")
def add_guest(event_id: int) -> ResponseReturnValue:
    event = managed_event(event_id)
    form = AddGuestForm()
    if not form.validate_on_submit():
        errors = [e for f in (form.name, form.email, form.party_size) for e in f.errors]
        flash(" ".join(errors) or _("Check the guest's details."), "error")
        return redirect(url_for(".manage", event_id=event.id) + "#add-guest"), 303
    try:
        guest = rsvp.add_by_host(
            event, form.name.data or "", form.email.data or "", form.party_size.data or 1,
            str(get_locale() or "en"),
        )  # fmt: skip
    except rsvp.RSVPError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".manage", event_id=event.id) + "#add-guest"), 303
    db.session.commit()
    flash(_("%(name)s is on the list and has their link by email.", name=guest.name), "success")
    return redirect(url_for(".manage", event_id=event.id) + "#guests-heading")


@bp.route("/events/<int:event_id>/guests/<int:guest_id>/remove", methods=["GET", "POST"])
def remove_guest(event_id: int, guest_id: int) -> ResponseReturnValue:
    """The link asks first; the button on that page removes the guest and tells them."""
    event = managed_event(event_id)
    form = ConfirmForm()
    if request.method == "GET":
        guest = db.session.get(RSVP, guest_id)
        if guest is None or guest.event_id != event.id:
            abort(404)
        return render_template("events/remove_guest.html", event=event, guest=guest, form=form)
    if form.validate_on_submit():
        try:
            guest = rsvp.remove_by_host(event, guest_id)
        except rsvp.RSVPError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("%(name)s is off the list and is told by email.", name=guest.name), "info")
    return redirect(url_for(".manage", event_id=event.id) + "#guests-heading")


@bp.post("/events/<int:event_id>/notices")
def notices(event_id: int) -> ResponseReturnValue:
    event = managed_event(event_id)
    form = NoticeForm()
    if form.validate_on_submit():
        event.rsvp_digest = form.rsvp_digest.data == "1"
        db.session.commit()
        flash(_("Your choice is saved."), "success")
    return redirect(url_for(".manage", event_id=event.id))


@bp.post("/events/mine/feed")
def rotate_feed() -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        feedkeys.rotate(current())
        db.session.commit()
        flash(_("Your calendar address is new; the old one no longer works."), "success")
    return redirect(url_for(".mine") + "#feed")


@bp.post("/events/<int:event_id>/cancel")
def cancel(event_id: int) -> ResponseReturnValue:
    event = managed_event(event_id)
    form = CancelEventForm()
    if form.validate_on_submit():
        try:
            told = hosting.cancel_event(event, form.reason.data or "")
        except hosting.EventError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(
                ngettext(
                    "The screening is cancelled; %(num)d guest is told.",
                    "The screening is cancelled; %(num)d guests are told.",
                    told,
                ),
                "info",
            )
    return redirect(url_for(".manage", event_id=event.id))


@bp.post("/events/<int:event_id>/report")
def report(event_id: int) -> ResponseReturnValue:
    event = managed_event(event_id)
    form = ReportForm()
    if form.validate_on_submit():
        attended = {int(v) for v in request.form.getlist("attended") if v.isdigit()}
        try:
            host_tools.record_report(
                event, current(), attended, form.attendee_count.data or 0, form.notes.data or ""
            )
        except host_tools.HostError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Thank you: your report is saved."), "success")
    else:
        flash(_("Give the number of people who came."), "error")
    return redirect(url_for(".manage", event_id=event.id) + "#report")


@bp.get("/events/mine")
def mine() -> ResponseReturnValue:
    user = current()
    return render_template(
        "events/mine.html",
        events=listing.hosted_by(user),
        feed_url=external_url("events.host_feed", token=feedkeys.host_feed_token(user)),
        rotate_form=ConfirmForm(),
    )


@bp.get("/c/<slug>/host-resources/<kind>.pdf")
def resource(slug: str, kind: str) -> ResponseReturnValue:
    campaign = public_campaign(slug)
    if kind not in {k.value for k in ResourceKind} or not resources.may_download(
        current(), campaign
    ):
        abort(404)
    found = resources.for_campaign(campaign).get(ResourceKind(kind))
    if found is None or not resources.path_of(found).exists():
        abort(404)
    response = send_file(
        resources.path_of(found), mimetype="application/pdf", as_attachment=True,
        download_name=found.filename, max_age=0,
    )  # fmt: skip
    response.headers["Cache-Control"] = "private, no-store"
    return response
