"""Organizer pages under /organize: your campaigns, campaign settings, the grievance editor,
publishing, revisions, import and export. Thin: forms in, services work, one commit here."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from organizer.campaigns import forms, revisions, services
from organizer.campaigns.diff import diff_snapshots
from organizer.campaigns.importing import GrievanceFileError, export_snapshot, parse_grievance_file
from organizer.campaigns.models import Campaign, Demand, Section
from organizer.campaigns.permissions import Permission, can
from organizer.campaigns.web import campaign_for, current, json_download
from organizer.extensions import db
from organizer.groups import services as group_services
from organizer.groups.models import GroupRole
from organizer.groups.permissions import group_by_slug_or_404
from organizer.signatures import revision_notices
from organizer.urls import int_arg

bp = Blueprint("campaign_editor", __name__, url_prefix="/organize")

EMPTY_SNAPSHOT: dict[str, Any] = {"preamble": "", "sections": []}


@bp.before_request
@login_required
def _logged_in() -> None:
    """Every organizer page needs a login; the role is checked per campaign below."""


def _details(form: forms.CampaignForm) -> services.CampaignDetails:
    return services.CampaignDetails(
        title=form.title.data or "",
        summary=form.summary.data or "",
        language=form.language.data or "en",
        slug=form.slug.data or "",
        signature_goal=form.signature_goal.data,
        deadline=form.deadline.data,
        documentary_title=form.documentary_title.data or "",
        documentary_runtime_minutes=form.documentary_runtime_minutes.data,
        documentary_url=form.documentary_url.data or "",
    )


def _editor(campaign: Campaign, anchor: str = "") -> ResponseReturnValue:
    return redirect(url_for(".editor", slug=campaign.slug) + (f"#{anchor}" if anchor else ""))


@bp.get("")
def dashboard() -> ResponseReturnValue:
    return render_template("campaigns/dashboard.html", rows=services.dashboard(current()))


def _group_choices(roles: tuple[GroupRole, ...]) -> list[tuple[str, str]]:
    return [(m.group.slug, m.group.name) for m in group_services.groups_of(current(), roles)]


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    form = forms.NewCampaignForm()
    choices = _group_choices(group_services.CAMPAIGN_MAKERS)
    form.group.choices = [("", _("A new group named after the campaign")), *choices]
    if request.method == "GET" and request.args.get("group") in dict(choices):
        form.group.data = request.args["group"]
    if form.validate_on_submit():
        group = group_by_slug_or_404(form.group.data) if form.group.data else None
        try:
            campaign = services.create_campaign(current(), _details(form), group)
        except services.CampaignError as exc:
            form.slug.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("Your campaign is created. Now write its grievance list."), "success")
            return _editor(campaign)
    return render_template("campaigns/settings.html", form=form, campaign=None)


@bp.route("/<slug>/settings", methods=["GET", "POST"])
def settings(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.EDIT_SETTINGS)
    form = forms.CampaignForm(obj=campaign)
    if campaign.is_public:
        form.slug.render_kw = {"readonly": True}
    if form.validate_on_submit():
        try:
            services.update_campaign(campaign, _details(form))
        except services.CampaignError as exc:
            form.slug.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("The campaign settings are saved."), "success")
            return redirect(url_for(".settings", slug=campaign.slug))
    return render_template("campaigns/settings.html", form=form, campaign=campaign,
                           move_form=_move_form(campaign))  # fmt: skip


def _move_form(campaign: Campaign) -> forms.MoveGroupForm | None:
    """Owners may move the campaign to another group they own; None when there is none."""
    if not can(current(), campaign, Permission.MANAGE_TEAM):
        return None
    form = forms.MoveGroupForm()
    form.group.choices = [
        (slug, name) for slug, name in _group_choices((GroupRole.OWNER,))
        if slug != campaign.group.slug
    ]  # fmt: skip
    return form if form.group.choices else None


@bp.post("/<slug>/group")
def move_group(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MANAGE_TEAM)
    form = _move_form(campaign)
    if form is None or not form.validate_on_submit():
        flash(_("Choose one of the groups you own."), "error")
        return redirect(url_for(".settings", slug=campaign.slug))
    group = group_by_slug_or_404(form.group.data or "")
    try:
        services.move_to_group(campaign, current(), group)
    except services.CampaignError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".settings", slug=campaign.slug))
    db.session.commit()
    flash(_("The campaign now belongs to %(name)s. Its supporters' consents stayed with the "
            "previous group.", name=group.name), "success")  # fmt: skip
    return redirect(url_for(".settings", slug=campaign.slug))


@bp.get("/<slug>/text")
def editor(slug: str) -> ResponseReturnValue:
    campaign, role = campaign_for(slug, Permission.VIEW_DRAFT)
    return render_template(
        "campaigns/editor.html",
        campaign=campaign,
        role=role,
        published=revisions.published_revision(campaign),
        draft=revisions.draft_revision(campaign),
        preamble_form=forms.PreambleForm(preamble=campaign.preamble),
        section_form=forms.SectionForm(),
        action_form=forms.ActionForm(),
    )


@bp.post("/<slug>/preamble")
def preamble(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.EDIT_TEXT)
    form = forms.PreambleForm()
    if not form.validate_on_submit():
        flash(" ".join(form.preamble.errors) or _("The preamble could not be saved."), "error")
        return _editor(campaign)
    services.set_preamble(campaign, current(), form.preamble.data or "")
    db.session.commit()
    flash(_("The preamble is saved in the draft."), "success")
    return _editor(campaign, "preamble")


@bp.post("/<slug>/sections")
def add_section(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.EDIT_TEXT)
    form = forms.SectionForm()
    if not form.validate_on_submit():
        return render_template("campaigns/section_form.html", form=form, campaign=campaign,
                               section=None), 400  # fmt: skip
    section = services.add_section(campaign, current(), form.title.data or "",
                                   form.topics.data or [], form.jurisdiction_codes)  # fmt: skip
    db.session.commit()
    flash(_("Section %(letter)s is added.", letter=section.letter), "success")
    return _editor(campaign, f"section-{section.id}")


def _section(campaign: Campaign, section_id: int) -> Section:
    section = services.find_section(campaign, section_id)
    if section is None:
        abort(404)
    return section


def _demand(campaign: Campaign, demand_id: int) -> Demand:
    demand = services.find_demand(campaign, demand_id)
    if demand is None:
        abort(404)
    return demand


@bp.route("/<slug>/sections/<int:section_id>/edit", methods=["GET", "POST"])
def edit_section(slug: str, section_id: int) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.EDIT_TEXT)
    section = _section(campaign, section_id)
    form = forms.SectionForm(obj=section)
    if request.method == "GET":
        form.jurisdictions.data = ", ".join(section.jurisdictions)
    if form.validate_on_submit():
        services.update_section(section, current(), form.title.data or "",
                                form.topics.data or [], form.jurisdiction_codes)  # fmt: skip
        db.session.commit()
        flash(_("Section %(letter)s is saved in the draft.", letter=section.letter), "success")
        return _editor(campaign, f"section-{section.id}")
    return render_template("campaigns/section_form.html", form=form, campaign=campaign,
                           section=section)  # fmt: skip


@bp.route("/<slug>/sections/<int:section_id>/demands/new", methods=["GET", "POST"])
def add_demand(slug: str, section_id: int) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.EDIT_TEXT)
    section = _section(campaign, section_id)
    form = forms.DemandForm()
    if request.method == "GET":
        form.topics.data = list(section.topics)
    if form.validate_on_submit():
        demand = services.add_demand(section, current(), form.text.data or "",
                                     form.topics.data or [], form.jurisdiction_codes)  # fmt: skip
        db.session.commit()
        flash(_("Demand %(label)s is added.", label=demand.label), "success")
        return _editor(campaign, f"demand-{demand.id}")
    return render_template("campaigns/demand_form.html", form=form, campaign=campaign,
                           section=section, demand=None)  # fmt: skip


@bp.route("/<slug>/demands/<int:demand_id>/edit", methods=["GET", "POST"])
def edit_demand(slug: str, demand_id: int) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.EDIT_TEXT)
    demand = _demand(campaign, demand_id)
    form = forms.DemandForm(obj=demand)
    if request.method == "GET":
        form.jurisdictions.data = ", ".join(demand.jurisdictions)
    if form.validate_on_submit():
        services.update_demand(demand, current(), form.text.data or "", form.topics.data or [],
                               form.jurisdiction_codes)  # fmt: skip
        db.session.commit()
        flash(_("Demand %(label)s is saved in the draft.", label=demand.label), "success")
        return _editor(campaign, f"demand-{demand.id}")
    return render_template("campaigns/demand_form.html", form=form, campaign=campaign,
                           section=demand.section, demand=demand)  # fmt: skip


def _offset() -> int:
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400, description=_("Choose to move up or down."))
    return -1 if direction == "up" else 1


@bp.post("/<slug>/sections/<int:section_id>/move")
def move_section(slug: str, section_id: int) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.EDIT_TEXT)
    section = _section(campaign, section_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    services.move_section(section, current(), _offset())
    db.session.commit()
    return _editor(campaign, f"section-{section.id}")


@bp.post("/<slug>/demands/<int:demand_id>/move")
def move_demand(slug: str, demand_id: int) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.EDIT_TEXT)
    demand = _demand(campaign, demand_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    services.move_demand(demand, current(), _offset())
    db.session.commit()
    return _editor(campaign, f"demand-{demand.id}")


@bp.route("/<slug>/sections/<int:section_id>/delete", methods=["GET", "POST"])
def delete_section(slug: str, section_id: int) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.EDIT_TEXT)
    section = _section(campaign, section_id)
    form = forms.ActionForm()
    if form.validate_on_submit():
        letter = section.letter
        services.delete_section(section, current())
        db.session.commit()
        flash(_("Section %(letter)s is deleted from the draft.", letter=letter), "success")
        return _editor(campaign)
    return render_template("campaigns/confirm_delete.html", form=form, campaign=campaign,
                           section=section, demand=None)  # fmt: skip


@bp.route("/<slug>/demands/<int:demand_id>/delete", methods=["GET", "POST"])
def delete_demand(slug: str, demand_id: int) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.EDIT_TEXT)
    demand = _demand(campaign, demand_id)
    form = forms.ActionForm()
    if form.validate_on_submit():
        label = demand.label
        services.delete_demand(demand, current())
        db.session.commit()
        flash(_("Demand %(label)s is deleted from the draft.", label=label), "success")
        return _editor(campaign)
    return render_template("campaigns/confirm_delete.html", form=form, campaign=campaign,
                           section=None, demand=demand)  # fmt: skip


@bp.route("/<slug>/publish", methods=["GET", "POST"])
def publish(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.EDIT_TEXT)
    draft = revisions.draft_revision(campaign)
    published = revisions.published_revision(campaign)
    form = forms.PublishForm()
    if draft is not None and form.validate_on_submit():
        try:
            revision = revisions.publish(campaign, current(), form.note.data or "")
        except revisions.RevisionError as exc:
            form.note.errors = [str(exc)]
        else:
            revision_notices.start(revision)
            db.session.commit()
            flash(_("Revision %(number)d is published.", number=revision.number), "success")
            return redirect(url_for("campaigns.page", slug=campaign.slug))
    diff = impact = None
    if draft is not None:
        diff = diff_snapshots(published.snapshot if published else EMPTY_SNAPSHOT, draft.snapshot)
        impact = revision_notices.impact(campaign, draft)
    return render_template("campaigns/publish.html", form=form, campaign=campaign, draft=draft,
                           published=published, diff=diff, impact=impact)  # fmt: skip


@bp.get("/<slug>/preview")
def preview(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.VIEW_DRAFT)
    revision = revisions.draft_revision(campaign) or revisions.published_revision(campaign)
    if revision is None:
        abort(404)
    return render_template("campaigns/preview.html", campaign=campaign, revision=revision,
                           sections=revisions.iter_sections(revision.snapshot))  # fmt: skip


@bp.get("/<slug>/revisions")
def revision_list(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.VIEW_DRAFT)
    all_revisions = revisions.revisions(campaign)
    by_number = {r.number: r for r in all_revisions}
    to_number = int_arg(request.args, "to")
    from_number = int_arg(request.args, "from")
    diff = old = new = None
    if to_number is not None:
        new, old = by_number.get(to_number), by_number.get(from_number or 0)
        if new is None or (from_number and old is None):
            abort(404)
        diff = diff_snapshots(old.snapshot if old else EMPTY_SNAPSHOT, new.snapshot)
    return render_template("campaigns/revisions.html", campaign=campaign,
                           revisions=all_revisions, diff=diff, old=old, new=new)  # fmt: skip


@bp.route("/<slug>/import", methods=["GET", "POST"])
def import_text(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.EDIT_TEXT)
    form = forms.ImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            imported = parse_grievance_file(form.file.data.read(600_000))
        except GrievanceFileError as exc:
            problems = [str(problem) for problem in exc.problems]
        else:
            services.replace_text(campaign, current(), imported)
            db.session.commit()
            flash(_("The file is imported into the draft."), "success")
            return _editor(campaign)
    status = 400 if problems else 200
    return render_template("campaigns/import.html", form=form, campaign=campaign,
                           problems=problems), status  # fmt: skip


@bp.get("/<slug>/export.json")
def export(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.VIEW_DRAFT)
    snapshot = revisions.build_snapshot(campaign)
    document = export_snapshot(snapshot, campaign.title, campaign.language)
    return json_download(document, f"{campaign.slug}-draft.json")
