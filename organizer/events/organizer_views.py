"""Organizer pages under /organize/<slug>/events: the screenings of the campaign with the
approval queue, the screening settings (terms, approval) and the host resources."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from organizer.campaigns.permissions import Permission
from organizer.campaigns.web import campaign_for, current
from organizer.events import hosting, listing, resources
from organizer.events.forms import DecisionForm, ResourceForm, SettingsForm
from organizer.events.models import EventStatus, ResourceKind
from organizer.events.publicview import guest_view
from organizer.extensions import db
from organizer.security import upload_limit

bp = Blueprint("event_organizer", __name__, url_prefix="/organize")


@bp.before_request
@login_required
def _logged_in() -> None:
    """Every organizer page needs a login; the role is checked per campaign below."""


@bp.get("/<slug>/events")
def events(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MANAGE_EVENTS)
    found = listing.for_organizers(campaign)
    return render_template(
        "events/organize.html",
        campaign=campaign,
        pending=[(e, guest_view(e)) for e in found if e.status == EventStatus.PENDING],
        others=[e for e in found if e.status != EventStatus.PENDING],
        decision_form=DecisionForm(),
        rollup=listing.rollup(campaign),
    )


@bp.post("/<slug>/events/<int:event_id>/decide")
def decide(slug: str, event_id: int) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MANAGE_EVENTS)
    event = hosting.get_event(event_id)
    form = DecisionForm()
    if event is None or event.campaign_id != campaign.id:
        flash(_("This screening is not part of this campaign."), "error")
    elif form.validate_on_submit():
        approve = request.form.get("decision") == "approve"
        try:
            hosting.decide(event, approve, form.note.data or "")
        except hosting.EventError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("The screening is approved.") if approve else _("The screening is declined."),
                  "success")  # fmt: skip
    return redirect(url_for(".events", slug=campaign.slug))


@bp.route("/<slug>/events/settings", methods=["GET", "POST"])
def settings(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MANAGE_EVENTS)
    current_settings = hosting.settings_for(campaign)
    form = SettingsForm(obj=current_settings)
    if form.validate_on_submit():
        try:
            hosting.update_settings(
                campaign, form.terms_text.data or "", form.require_approval.data
            )
        except hosting.EventError as exc:
            form.terms_text.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("The screening settings are saved."), "success")
            return redirect(url_for(".settings", slug=campaign.slug))
    db.session.commit()  # the default settings, created on first visit
    return render_template(
        "events/settings.html", campaign=campaign, form=form, settings=current_settings
    )


@bp.route("/<slug>/events/resources", methods=["GET", "POST"])
@upload_limit("HOST_RESOURCE_MAX_BYTES")
def host_resources(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MANAGE_EVENTS)
    form = ResourceForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            resources.upload(
                campaign, current(), ResourceKind(form.kind.data), upload.filename or "",
                upload.stream,
            )  # fmt: skip
        except resources.ResourceError as exc:
            form.file.errors = [str(exc)]
            status = 400
        else:
            db.session.commit()
            flash(_("The guide is uploaded. Hosts of approved screenings can download it."),
                  "success")  # fmt: skip
            return redirect(url_for(".host_resources", slug=campaign.slug))
    elif form.is_submitted():
        status = 400
    return render_template(
        "events/resources.html", campaign=campaign, form=form,
        uploaded=resources.for_campaign(campaign),
    ), status  # fmt: skip
