"""The team's signature tools: overview, settings and milestones, paper batches, pledges,
and the CSV export."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from organizer.audit.services import record
from organizer.campaigns.models import Campaign, Role
from organizer.campaigns.permissions import Permission
from organizer.campaigns.web import campaign_for, current
from organizer.extensions import db
from organizer.signatures import counting, export, milestones, moderation, offline, pledges
from organizer.signatures.forms import (
    ActionForm,
    MilestoneForm,
    OfflineBatchForm,
    PledgeForm,
    SettingsForm,
)
from organizer.signatures.models import PostalCodeMode
from organizer.signatures.settings import save_settings, settings_for
from organizer.sources.codes import NO_SOURCE, is_well_formed

bp = Blueprint("signature_admin", __name__, url_prefix="/organize/<slug>/signatures")
EXPORT_ROLES = (Role.OWNER, Role.ORGANIZER)


@bp.before_request
@login_required
def _logged_in() -> None:
    """Every page here is for the campaign's team."""


@bp.get("")
def dashboard(slug: str) -> ResponseReturnValue:
    campaign, role = campaign_for(slug, Permission.VIEW_DRAFT)
    return render_template(
        "signatures/manage/dashboard.html",
        campaign=campaign,
        role=role,
        totals=counting.totals(campaign.id, campaign.signature_goal),
        counts=moderation.status_counts(campaign),
        can_export=role in EXPORT_ROLES,
        countries=counting.by_country(campaign.id),
    )


@bp.route("/settings", methods=["GET", "POST"])
def settings(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.EDIT_SETTINGS)
    current_settings = settings_for(campaign)
    form = SettingsForm(
        postal_code=current_settings.postal_code.value,
        notify_signers_on_milestones=current_settings.notify_signers_on_milestones,
    )
    if form.validate_on_submit():
        save_settings(
            campaign,
            PostalCodeMode(form.postal_code.data),
            bool(form.notify_signers_on_milestones.data),
        )
        record(
            current(),
            "signatures.settings_changed",
            "campaign",
            campaign.id,
            {
                "postal_code": form.postal_code.data,
                "notify_signers": bool(form.notify_signers_on_milestones.data),
            },
        )
        db.session.commit()
        flash(_("The signature settings are saved."), "success")
        return redirect(url_for(".settings", slug=campaign.slug))
    return _settings_page(campaign, form, MilestoneForm(formdata=None))


def _settings_page(campaign: Campaign, form: SettingsForm, milestone_form: MilestoneForm) -> str:
    totals = counting.totals(campaign.id, campaign.signature_goal)
    return render_template(
        "signatures/manage/settings.html",
        campaign=campaign,
        form=form,
        milestone_form=milestone_form,
        marks=milestones.marks(campaign, totals.total),
    )


@bp.post("/milestones")
def add_milestone(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.EDIT_SETTINGS)
    form = MilestoneForm()
    if form.validate_on_submit():
        try:
            milestones.add_milestone(campaign, current(), form.threshold.data or 0)
        except milestones.MilestoneError as exc:
            form.threshold.errors = [str(exc)]
        else:
            record(
                current(),
                "signatures.milestone_added",
                "campaign",
                campaign.id,
                {"threshold": form.threshold.data},
            )
            db.session.commit()
            flash(_("The milestone is added."), "success")
            return redirect(url_for(".settings", slug=campaign.slug))
    current_settings = settings_for(campaign)
    settings_form = SettingsForm(
        formdata=None,
        postal_code=current_settings.postal_code.value,
        notify_signers_on_milestones=current_settings.notify_signers_on_milestones,
    )
    return _settings_page(campaign, settings_form, form), 400


@bp.route("/offline", methods=["GET", "POST"])
def offline_batches(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.EDIT_SETTINGS)
    form = OfflineBatchForm()
    if form.validate_on_submit() and _save_batch(campaign, form, None):
        db.session.commit()
        flash(_("The paper signatures are recorded."), "success")
        return redirect(url_for(".offline_batches", slug=campaign.slug))
    return render_template(
        "signatures/manage/offline.html",
        campaign=campaign,
        form=form,
        batches=offline.batches(campaign),
        action_form=ActionForm(),
    ), (400 if form.errors else 200)


@bp.route("/offline/<int:batch_id>/edit", methods=["GET", "POST"])
def edit_offline_batch(slug: str, batch_id: int) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.EDIT_SETTINGS)
    try:
        batch = offline.get_batch(campaign, batch_id)
    except offline.OfflineError:
        abort(404)
    form = OfflineBatchForm(
        count=batch.count,
        collected_on=batch.collected_on,
        note=batch.note,
        countries=offline.format_breakdown(batch),
    )
    if form.validate_on_submit() and _save_batch(campaign, form, batch.id):
        db.session.commit()
        flash(_("The batch is saved."), "success")
        return redirect(url_for(".offline_batches", slug=campaign.slug))
    return render_template(
        "signatures/manage/offline_edit.html", campaign=campaign, form=form, batch=batch
    ), (400 if form.errors else 200)


def _save_batch(campaign: Campaign, form: OfflineBatchForm, batch_id: int | None) -> bool:
    """Record or update the batch; False with the refusal under its field."""
    try:
        entry = offline.BatchInput(
            count=form.count.data or 0,
            collected_on=form.collected_on.data or date.min,
            note=form.note.data or "",
            breakdown=offline.parse_breakdown(form.countries.data or "", _language()),
        )
        if batch_id is None:
            offline.add_batch(campaign, current(), entry)
        else:
            offline.update_batch(campaign, current(), batch_id, entry)
    except offline.OfflineError as exc:
        field = form[exc.field] if exc.field else form.count
        field.errors = [*field.errors, str(exc)]
        return False
    return True


def _language() -> str:
    return str(get_locale() or "en")[:2]


@bp.post("/offline/<int:batch_id>/delete")
def delete_offline_batch(slug: str, batch_id: int) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.EDIT_SETTINGS)
    if ActionForm().validate_on_submit():
        try:
            offline.delete_batch(campaign, current(), batch_id)
        except offline.OfflineError:
            abort(404)
        db.session.commit()
        flash(_("The batch is deleted."), "success")
    return redirect(url_for(".offline_batches", slug=campaign.slug))


@bp.route("/pledges", methods=["GET", "POST"])
def pledge_list(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.EDIT_SETTINGS)
    form = PledgeForm()
    if form.validate_on_submit() and form.deadline.data:
        try:
            pledges.create_pledge(
                campaign,
                current(),
                form.text.data or "",
                form.threshold.data or 0,
                form.deadline.data,
            )
        except pledges.PledgeError as exc:
            form.deadline.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("The pledge is published on the campaign page."), "success")
            return redirect(url_for(".pledge_list", slug=campaign.slug))
    return render_template(
        "signatures/manage/pledges.html",
        campaign=campaign,
        form=form,
        pledges=pledges.pledges_of(campaign),
    )


@bp.get("/export.csv")
def export_csv(slug: str) -> ResponseReturnValue:
    campaign, role = campaign_for(slug, Permission.VIEW_DRAFT)
    if role not in EXPORT_ROLES:
        abort(403, description=_("Only owners and organizers can export signatures."))
    excel = request.args.get("excel") == "1"
    export_format = "csv-excel" if excel else "csv"
    source = request.args.get("source") or None
    if source is not None and source != NO_SOURCE and not is_well_formed(source):
        abort(400, description=_("This is not a source code."))
    details = {"format": export_format} | ({"source": source} if source else {})
    record(current(), "signatures.exported", "campaign", campaign.id, details)
    # Committed before the first byte: an export that started is an export that is logged.
    db.session.commit()
    campaign = db.session.get(Campaign, campaign.id) or abort(404)
    suffix = {None: "", NO_SOURCE: "-no-source"}.get(source, f"-{source}")
    filename = f"{campaign.slug}-signatures{suffix}.csv"
    return Response(
        stream_with_context(export.csv_chunks(campaign, excel, source)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
