"""Moderators' tools: preview and apply bulk invalidations, follow jobs, decide suspects,
read the hourly trending report."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from organizer.audit.services import entries_for
from organizer.campaigns.permissions import Permission
from organizer.campaigns.web import campaign_for, current
from organizer.extensions import db
from organizer.signatures import abuse, moderation
from organizer.signatures.forms import ActionForm, ModerationFilterForm
from organizer.signatures.tallies import ModerationJob

bp = Blueprint(
    "signature_moderation", __name__, url_prefix="/organize/<slug>/signatures/moderation"
)


@bp.before_request
@login_required
def _logged_in() -> None:
    """Moderation is for the campaign's moderators and owners."""


def _filters(form: ModerationFilterForm) -> moderation.Filters:
    return moderation.Filters(
        domain=form.domain.data or "",
        ip_hmac=form.ip_hmac.data or "",
        postal_code=form.postal_code.data or "",
        country=form.country.data or "",
        since=form.since.data,
        until=form.until.data,
        suspects_only=bool(form.suspects_only.data),
    )


@bp.get("")
def overview(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MODERATE_SIGNATURES)
    form = ModerationFilterForm(formdata=request.args)
    filters = _filters(form) if form.validate() else moderation.Filters()
    return render_template(
        "signatures/manage/moderation.html",
        campaign=campaign,
        form=form,
        filters=filters,
        preview=None if filters.is_empty else moderation.preview(campaign, filters),
        suspects=moderation.suspects(campaign),
        reports=abuse.latest_reports(campaign.id),
        jobs=moderation.unfinished_jobs(campaign),
        action_form=ActionForm(),
        log=entries_for("campaign", campaign.id, limit=20),
    )


@bp.post("/invalidate")
def invalidate(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MODERATE_SIGNATURES)
    if not ActionForm().validate_on_submit():
        abort(400)
    form = ModerationFilterForm(formdata=request.form)
    if not form.validate():
        abort(400, description=_("The filters are not valid."))
    try:
        result = moderation.invalidate(campaign, current(), _filters(form))
    except moderation.ModerationError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".overview", slug=campaign.slug))
    db.session.commit()
    if isinstance(result, ModerationJob):
        return redirect(url_for(".job", slug=campaign.slug, job_id=result.id))
    flash(_("%(count)d signatures are invalidated.", count=result), "success")
    return redirect(url_for(".overview", slug=campaign.slug))


@bp.get("/jobs/<int:job_id>")
def job(slug: str, job_id: int) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MODERATE_SIGNATURES)
    found = moderation.get_job(campaign, job_id)
    if found is None:
        abort(404)
    return render_template("signatures/manage/job.html", campaign=campaign, job=found)


@bp.post("/suspects/<int:signature_id>")
def decide(slug: str, signature_id: int) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MODERATE_SIGNATURES)
    decision = request.form.get("decision")
    if not ActionForm().validate_on_submit() or decision not in ("clear", "invalidate"):
        abort(400)
    try:
        changed = moderation.decide_suspect(campaign, current(), signature_id, decision == "clear")
    except moderation.ModerationError:
        abort(404)
    db.session.commit()
    if changed:
        flash(
            _("The signature is cleared.")
            if decision == "clear"
            else _("The signature is invalidated."),
            "success",
        )
    return redirect(url_for(".overview", slug=campaign.slug))
