"""The team's page of sources: where signatures and RSVPs came from, and the codes the
organizers define for their own links."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_login import login_required

from organizer.audit.services import record
from organizer.campaigns.models import Campaign, Role
from organizer.campaigns.permissions import ROLE_PERMISSIONS, Permission
from organizer.campaigns.web import campaign_for, current
from organizer.extensions import db
from organizer.sources import services, stats
from organizer.sources.forms import DeleteCodeForm, SourceCodeForm
from organizer.sources.web import init_source_links

bp = Blueprint("sources", __name__, url_prefix="/organize/<slug>/sources")
bp.record_once(lambda state: init_source_links(state.app))


@bp.before_request
@login_required
def _logged_in() -> None:
    """Every page here is for the campaign's team."""


@bp.route("", methods=["GET", "POST"])
def overview(slug: str) -> ResponseReturnValue:
    # Everyone on the team reads the numbers; defining a code is a setting.
    posted = request.method == "POST"
    campaign, role = campaign_for(
        slug, Permission.EDIT_SETTINGS if posted else Permission.VIEW_DRAFT
    )
    form = SourceCodeForm()
    if form.validate_on_submit():
        try:
            defined = services.define_code(campaign, form.code.data or "", form.label.data or "")
        except services.SourceCodeError as exc:
            form.code.errors = [str(exc)]
        else:
            details = {"code": defined.code, "label": defined.label}
            record(current(), "source.defined", "campaign", campaign.id, details)
            db.session.commit()
            flash(_("The code “%(code)s” now counts on your links.", code=defined.code), "success")
            return redirect(url_for(".overview", slug=campaign.slug))
    return _page(campaign, role, form, 400 if posted else 200)


@bp.post("/<int:code_id>/delete")
def delete(slug: str, code_id: int) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.EDIT_SETTINGS)
    if not DeleteCodeForm().validate_on_submit():
        abort(400)
    removed = services.delete_code(campaign, code_id)
    if removed is None:
        abort(404)
    record(current(), "source.deleted", "campaign", campaign.id, {"code": removed.code})
    db.session.commit()
    flash(
        _(
            "The code “%(code)s” is deleted: links that carry it no longer count. The "
            "signatures that came through it keep it.",
            code=removed.code,
        ),
        "success",
    )
    return redirect(url_for(".overview", slug=campaign.slug))


def _page(
    campaign: Campaign, role: Role, form: SourceCodeForm, status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "sources/overview.html",
        campaign=campaign,
        rows=stats.source_rows(campaign),
        defined=services.defined_codes(campaign),
        form=form,
        delete_form=DeleteCodeForm(),
        can_edit=Permission.EDIT_SETTINGS in ROLE_PERMISSIONS[role],
        # As on the signatures' own export: owners and organizers only.
        can_export=role in (Role.OWNER, Role.ORGANIZER),
        percent=format_percent,
    ), status
