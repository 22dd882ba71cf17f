"""The campaign team: members, invitations, and accepting an invitation link."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from organizer.campaigns import forms, services, team
from organizer.campaigns.models import Role
from organizer.campaigns.permissions import Permission, can
from organizer.campaigns.web import campaign_for, current
from organizer.extensions import db

bp = Blueprint("campaign_team", __name__)


@bp.before_request
@login_required
def _logged_in() -> None:
    """Team pages and invitation links need a login."""


@bp.route("/organize/<slug>/team", methods=["GET", "POST"])
def members(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.VIEW_DRAFT)
    manage = can(current(), campaign, Permission.MANAGE_TEAM)
    form = forms.InviteForm()
    if manage and form.validate_on_submit():
        try:
            team.invite(campaign, current(), form.email.data or "", Role(form.role.data))
        except services.CampaignError as exc:
            form.email.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("The invitation is on its way to %(email)s.", email=form.email.data), "success")
            return redirect(url_for(".members", slug=campaign.slug))
    return render_template(
        "campaigns/team.html", campaign=campaign, members=services.team(campaign),
        invitations=team.pending_invitations(campaign) if manage else [], form=form,
        action_form=forms.ActionForm(), manage=manage,
    )  # fmt: skip


@bp.post("/organize/<slug>/team/<int:membership_id>/remove")
def remove(slug: str, membership_id: int) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MANAGE_TEAM)
    if forms.ActionForm().validate_on_submit():
        try:
            team.remove_member(campaign, membership_id)
        except services.CampaignError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("The person is removed from the team."), "success")
    return redirect(url_for(".members", slug=campaign.slug))


@bp.post("/organize/<slug>/invitations/<int:invitation_id>/revoke")
def revoke(slug: str, invitation_id: int) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MANAGE_TEAM)
    if forms.ActionForm().validate_on_submit():
        try:
            team.revoke(campaign, invitation_id)
        except services.CampaignError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("The invitation is cancelled."), "success")
    return redirect(url_for(".members", slug=campaign.slug))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept(token: str) -> ResponseReturnValue:
    """The emailed link opens this page; only the button's POST joins the team."""
    invitation = team.invitation_for_token(token)
    if invitation is None:
        return render_template("campaigns/invitation_invalid.html"), 404
    form = forms.ActionForm()
    if form.validate_on_submit():
        try:
            membership = team.accept(token, current())
        except services.CampaignError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("You joined the team of %(title)s.", title=membership.campaign.title),
                  "success")  # fmt: skip
            return redirect(url_for("campaign_editor.editor", slug=membership.campaign.slug))
    return render_template("campaigns/invitation.html", invitation=invitation, form=form)
