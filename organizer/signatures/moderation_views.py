"""Moderators' tools: preview, apply and undo bulk invalidations, follow jobs, decide
suspects, read the hourly trending report."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from organizer.audit.sentences import describe
from organizer.audit.services import entries_for
from organizer.campaigns.models import Campaign
from organizer.campaigns.permissions import Permission
from organizer.campaigns.web import campaign_for, current
from organizer.extensions import db
from organizer.signatures import abuse, moderation, names
from organizer.signatures.forms import ActionForm, ApplyInvalidationForm, ModerationFilterForm
from organizer.signatures.tallies import ModerationJob

bp = Blueprint(
    "signature_moderation", __name__, url_prefix="/organize/<slug>/signatures/moderation"
)

# The state names serve every signature page (pledges, the dashboard), not only this one.
bp.record_once(lambda state: names.init_template_helpers(state.app))


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


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def _overview(
    campaign: Campaign,
    form: ModerationFilterForm,
    apply_form: ApplyInvalidationForm | None = None,
) -> str:
    filters = _filters(form) if form.validate() else moderation.Filters()
    count = None if filters.is_empty else moderation.preview(campaign, filters)
    page = _page()
    return render_template(
        "signatures/manage/moderation.html",
        campaign=campaign,
        form=form,
        filters=filters,
        preview=count,
        matching=moderation.matching(campaign, filters, page) if count else [],
        page=page,
        preview_args={k: ("y" if v is True else v) for k, v in filters.to_json().items() if v},
        pages=max(1, -(-(count or 0) // moderation.PREVIEW_PAGE)),
        mask_email=moderation.mask_email,
        apply_form=apply_form or ApplyInvalidationForm(formdata=None),
        batches=moderation.batches(campaign),
        suspects=moderation.suspects(campaign),
        reports=abuse.latest_reports(campaign.id),
        jobs=moderation.unfinished_jobs(campaign),
        action_form=ActionForm(),
        log=entries_for("campaign", campaign.id, limit=20),
        describe=describe,
    )


@bp.get("")
def overview(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MODERATE_SIGNATURES)
    return _overview(campaign, ModerationFilterForm(formdata=request.args))


@bp.post("/invalidate")
def invalidate(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MODERATE_SIGNATURES)
    form = ModerationFilterForm(formdata=request.form)
    if not form.validate():
        abort(400, description=_("The filters are not valid."))
    apply_form = ApplyInvalidationForm()
    if not apply_form.validate_on_submit():
        return _overview(campaign, form, apply_form), 422
    try:
        result = moderation.invalidate(
            campaign, current(), _filters(form), apply_form.reason.data or ""
        )
    except moderation.ModerationError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".overview", slug=campaign.slug))
    db.session.commit()
    if isinstance(result, ModerationJob):
        return redirect(url_for(".job", slug=campaign.slug, job_id=result.id))
    flash(
        ngettext(
            "%(num)s signature is invalidated.", "%(num)s signatures are invalidated.", result
        ),
        "success",
    )
    return redirect(url_for(".overview", slug=campaign.slug))


@bp.post("/batches/<int:batch_id>/undo")
def undo(slug: str, batch_id: int) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MODERATE_SIGNATURES)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        restored = moderation.undo(campaign, current(), batch_id)
    except moderation.ModerationError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".overview", slug=campaign.slug))
    db.session.commit()
    flash(
        ngettext(
            "The invalidation is undone: %(num)s signature is restored.",
            "The invalidation is undone: %(num)s signatures are restored.",
            restored,
        ),
        "success",
    )
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
