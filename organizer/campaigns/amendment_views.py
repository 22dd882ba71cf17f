"""Amendments: anyone signed in proposes and endorses; organizers decide.

An amendment's page is public (like the campaign's), so it shows forms, and so calls
csrf_token(), only to someone logged in.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from organizer.campaigns import amendments, forms, revisions
from organizer.campaigns.diff import word_diff
from organizer.campaigns.models import Amendment, AmendmentKind, Campaign, CampaignStatus
from organizer.campaigns.permissions import Permission, can, require
from organizer.campaigns.services import CampaignError
from organizer.campaigns.web import current, public_campaign
from organizer.extensions import db

bp = Blueprint("amendments", __name__, url_prefix="/c/<slug>/amendments")


def _amendment(campaign: Campaign, amendment_id: int) -> Amendment:
    amendment = amendments.get(campaign, amendment_id)
    if amendment is None:
        abort(404)
    return amendment


def _choices(form: forms.AmendmentForm, campaign: Campaign) -> None:
    revision = revisions.published_revision(campaign)
    sections = revisions.iter_sections(revision.snapshot) if revision else []
    form.demand.choices = [
        SelectChoice(d.label, f"{d.label}. {d.text[:90]}") for s in sections for d in s.demands
    ]
    form.section.choices = [SelectChoice(s.letter, f"{s.letter}. {s.title}") for s in sections]


@bp.route("/new", methods=["GET", "POST"])
@login_required
def propose(slug: str) -> ResponseReturnValue:
    campaign = public_campaign(slug)
    if campaign.status != CampaignStatus.PUBLISHED:
        abort(403, description=_("This campaign no longer takes amendments."))
    form = forms.AmendmentForm()
    _choices(form, campaign)
    if form.validate_on_submit():
        kind = AmendmentKind(form.kind.data)
        target = form.section.data if kind == AmendmentKind.ADD else form.demand.data
        try:
            amendment = amendments.propose(campaign, current(), kind, target or "",
                                           form.text.data or "", form.reason.data or "",
                                           form.topics.data or [])  # fmt: skip
        except CampaignError as exc:
            form.text.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("Your amendment is proposed. Others can now endorse it."), "success")
            return redirect(url_for(".detail", slug=slug, amendment_id=amendment.id))
    return render_template("campaigns/amendment_form.html", form=form, campaign=campaign)


@bp.get("/<int:amendment_id>")
def detail(slug: str, amendment_id: int) -> ResponseReturnValue:
    campaign = public_campaign(slug)
    amendment = _amendment(campaign, amendment_id)
    revision = revisions.revision_by_number(campaign, amendment.base_revision)
    current_text = ""
    if revision is not None and amendment.demand_uid:
        found = [d for d in revisions.iter_demands(revision.snapshot)
                 if d.uid == amendment.demand_uid]  # fmt: skip
        current_text = found[0].text if found else ""
    signed_in = current_user.is_authenticated
    return render_template(
        "campaigns/amendment.html", campaign=campaign, amendment=amendment,
        current_text=current_text,
        words=word_diff(current_text, amendment.proposed_text)
        if amendment.kind == AmendmentKind.REWORD else [],
        endorsed=signed_in and any(e.user_id == current_user.id for e in amendment.endorsements),
        action_form=forms.ActionForm() if signed_in else None,
        decide_form=forms.DecideForm()
        if signed_in and can(current_user, campaign, Permission.DECIDE_AMENDMENTS) else None,
    )  # fmt: skip


@bp.post("/<int:amendment_id>/endorse")
@login_required
def endorse(slug: str, amendment_id: int) -> ResponseReturnValue:
    campaign = public_campaign(slug)
    amendment = _amendment(campaign, amendment_id)
    if forms.ActionForm().validate_on_submit():
        try:
            amendments.endorse(amendment, current())
        except CampaignError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("You endorse this amendment. You will hear what the organizers decide."),
                  "success")  # fmt: skip
    return redirect(url_for(".detail", slug=slug, amendment_id=amendment.id))


@bp.post("/<int:amendment_id>/withdraw")
@login_required
def withdraw(slug: str, amendment_id: int) -> ResponseReturnValue:
    campaign = public_campaign(slug)
    amendment = _amendment(campaign, amendment_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    try:
        amendments.withdraw_endorsement(amendment, current())
    except CampaignError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Your endorsement is withdrawn. You can endorse the amendment again."), "success")
    return redirect(url_for(".detail", slug=slug, amendment_id=amendment.id))


@bp.post("/<int:amendment_id>/decide")
@login_required
def decide(slug: str, amendment_id: int) -> ResponseReturnValue:
    campaign = public_campaign(slug)
    require(current_user, campaign, Permission.DECIDE_AMENDMENTS)
    amendment = _amendment(campaign, amendment_id)
    form = forms.DecideForm()
    if not form.validate_on_submit():
        flash(_("Choose to accept or decline the amendment."), "error")
        return redirect(url_for(".detail", slug=slug, amendment_id=amendment.id))
    try:
        if form.decision.data == "accept":
            amendments.accept(amendment, current(), form.note.data or "")
        else:
            amendments.decline(amendment, current(), form.note.data or "")
    except CampaignError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("The decision is recorded and the proposer is told."), "success")
    return redirect(url_for(".detail", slug=slug, amendment_id=amendment.id))
